/**
 * What the `ApplicationSettings` of one deployment remember of each other, in the provider
 * process that serves it: Pulumi checks every resource of a program before it deletes those the
 * program no longer declares, so a delete can tell what other resources still manage on its client.
 */
import { processSlot } from "../runtime";

interface SettingsDeployment {
  /** Per client, the settings each `ApplicationSettings` checked in this deployment manages. */
  declared: Map<string, Map<string, Set<string>>>;
  /** Clients this process has reset to defaults, so a destroy of several resources resets once. */
  reset: Set<string>;
  /**
   * Per registered number, the address an `ApplicationSettings` of this deployment applied its
   * settings at, or still manages them at (its diff): a reset reaching that number by another
   * address is the same client, and skipped.
   */
  claimed: Map<string, string>;
  /**
   * Per client, each setting an `ApplicationSettings` checked in this deployment sets: which
   * resource (by its name in the program) and to what, so two that set it differently are refused.
   */
  owners: Map<string, Map<string, { resource: string; value: unknown }>>;
}

export function settingsDeployment(): SettingsDeployment {
  return processSlot("settings", () => ({
    declared: new Map(),
    reset: new Set(),
    claimed: new Map(),
    owners: new Map(),
  }));
}

/** Records that a resource checked in this deployment manages `settings` on `identity`. */
export function declare(identity: string, settings: Map<string, unknown>): void {
  const declared = settingsDeployment().declared;
  const resources = declared.get(identity) ?? new Map<string, Set<string>>();
  // Keyed by what it manages, so a resource checked again (preview, then up) counts once.
  resources.set(JSON.stringify([...settings].sort(([a], [b]) => a.localeCompare(b))), new Set(settings.keys()));
  declared.set(identity, resources);
}

/** Records that settings were applied in this deployment to the client `waId`, reached at `identity`. */
export function claim(waId: string, identity: string): void {
  settingsDeployment().claimed.set(waId, identity);
}

/** The settings of each resource checked in this deployment on `identity`. */
export function declaredOn(identity: string): Set<string>[] {
  return [...(settingsDeployment().declared.get(identity)?.values() ?? [])];
}
