/**
 * What the `ApplicationSettings` of one deployment remember of each other, in the provider
 * process that serves it: Pulumi checks every resource of a program before it deletes those the
 * program no longer declares, so a delete can tell what other resources still manage on its client.
 */
import { containsUnknown } from "../check";
import { processSlot } from "../runtime";
import { sameValue } from "./mapping";

interface SettingsDeployment {
  /** Per client, the settings each `ApplicationSettings` checked in this deployment manages. */
  declared: Map<string, Map<string, Set<string>>>;
  /** Clients this process has reset to defaults, so a destroy of several resources resets once. */
  reset: Set<string>;
  /**
   * Per registered number, the addresses an `ApplicationSettings` of this deployment applied its
   * settings at, or still manages them at (its diff): a reset reaching that number by another
   * address is the same client, and skipped.
   */
  claimed: Map<string, Set<string>>;
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
  const claimed = settingsDeployment().claimed;
  claimed.set(waId, (claimed.get(waId) ?? new Set()).add(identity));
}

/** Another address this deployment reaches the client `waId` at, if any. */
export function claimedElsewhere(waId: string, identity: string): string | undefined {
  if (waId === "") return undefined;
  return [...(settingsDeployment().claimed.get(waId) ?? [])].find((address) => address !== identity);
}

/**
 * The settings among `settings` that a resource checked in this deployment sets to another value
 * on the client `waId` reached at another address, grouped by that address. Check compares
 * resources by address (it is offline); the client's number, read later, tells two addresses of
 * one client apart from two clients.
 */
export function conflictsAcrossAddresses(
  waId: string,
  identity: string,
  settings: Map<string, unknown>,
): Map<string, string[]> {
  const found = new Map<string, string[]>();
  if (waId === "") return found;
  const { claimed, owners } = settingsDeployment();
  for (const address of claimed.get(waId) ?? []) {
    if (address === identity) continue;
    for (const [path, value] of settings) {
      const owner = owners.get(address)?.get(path);
      if (!owner || containsUnknown(value) || containsUnknown(owner.value)) continue;
      if (!sameValue(path, owner.value, value)) found.set(address, [...(found.get(address) ?? []), path]);
    }
  }
  return found;
}

/**
 * The value another resource checked in this deployment sets `path` to on this client, at this
 * address or another one with the same number; undefined when none does or it is not known yet.
 */
export function declaredValue(identity: string, waId: string, path: string): { value: unknown } | undefined {
  const { claimed, owners } = settingsDeployment();
  const addresses = new Set([identity, ...(waId === "" ? [] : (claimed.get(waId) ?? []))]);
  for (const address of addresses) {
    const owner = owners.get(address)?.get(path);
    if (owner && !containsUnknown(owner.value)) return { value: owner.value };
  }
  return undefined;
}

/** The settings of each resource checked in this deployment on `identity`. */
export function declaredOn(identity: string): Set<string>[] {
  return [...(settingsDeployment().declared.get(identity)?.values() ?? [])];
}
