/**
 * What the `ApplicationSettings` of one deployment remember of each other, in every provider
 * process that serves it (deployment-memory.ts): Pulumi checks every resource of a program before
 * it deletes those the program no longer declares, so a delete can tell what other resources,
 * served by this process or another of the deployment, still manage on its client.
 *
 * What each resource sets a field to crosses processes as a keyed digest, to compare two values
 * by; the value itself only for a field that is never secret. A secret field's value (the webhook
 * URL) stays in the process of the resource that sets it: a delete served by another process
 * cannot hand it back, and says so instead (see `declaredValue`).
 */
import { containsUnknown } from "../check";
import { digest, type Fact, recall, remember } from "../deployment-memory";
import { processSlot } from "../runtime";
import { comparable } from "./mapping";
import { FIELDS_BY_PATH } from "./schema";

/** Per client, the settings each `ApplicationSettings` checked in this deployment manages. */
const DECLARED = "settings.declared";
/** Clients reset to defaults in this deployment, so a destroy of several resources resets once. */
const RESET = "settings.reset";
/**
 * Per registered number, the addresses an `ApplicationSettings` of this deployment applied its
 * settings at, or still manages them at (its diff): a reset reaching that number by another address
 * is the same client, and skipped.
 */
const CLAIMED = "settings.claimed";
/**
 * Per client and setting, each `ApplicationSettings` checked in this deployment that sets it, and
 * to what, so two that set it differently are refused.
 */
const OWNERS = "settings.owners";

interface Declared {
  client: string;
  paths: string[];
}

interface Claimed {
  waId: string;
  address: string;
}

interface Owner {
  client: string;
  path: string;
  resource: string;
  /** The keyed digest of the value's `comparable` form. */
  digest: string;
  /** The value, for a field that is never secret. */
  value?: unknown;
}

function isSecret(path: string): boolean {
  return FIELDS_BY_PATH.get(path)?.meta.secret === true;
}

/** The secret values this process's resources set, by their owner fact's key: never written anywhere. */
function secretValues(): Map<string, unknown> {
  return processSlot("settings-secret-values", () => new Map<string, unknown>());
}

function digestOf(path: string, value: unknown): string {
  return digest(`${path}\0${comparable(path, value)}`);
}

/** Records that a resource checked in this deployment manages `settings` on `identity`. */
export function declare(identity: string, settings: Map<string, unknown>): void {
  // Keyed by what it manages, so a resource checked again (preview, then up) counts once.
  const managed = JSON.stringify([...settings].sort(([a], [b]) => a.localeCompare(b)));
  const value: Declared = { client: identity, paths: [...settings.keys()] };
  remember(DECLARED, `${identity} ${digest(managed)}`, value);
}

/** The settings of each resource checked in this deployment on `identity`. */
export function declaredOn(identity: string): Set<string>[] {
  const found = new Map<string, Set<string>>();
  for (const { key, value } of recall<Declared>(DECLARED)) {
    if (value.client === identity && !found.has(key)) found.set(key, new Set(value.paths));
  }
  return [...found.values()];
}

/** Whether a reset of this deployment put `identity` back to its defaults. */
export function resetAlready(identity: string): boolean {
  return recall(RESET).some(({ key }) => key === identity);
}

/** Records that a reset of this deployment put `identity` back to its defaults. */
export function recordReset(identity: string): void {
  remember(RESET, identity, true);
}

/** Records that settings were applied in this deployment to the client `waId`, reached at `identity`. */
export function claim(waId: string, identity: string): void {
  const value: Claimed = { waId, address: identity };
  remember(CLAIMED, JSON.stringify([waId, identity]), value);
}

/** The addresses this deployment reaches the client `waId` at. */
function addressesOf(waId: string): Set<string> {
  if (waId === "") return new Set();
  return new Set(
    recall<Claimed>(CLAIMED)
      .filter(({ value }) => value.waId === waId)
      .map(({ value }) => value.address),
  );
}

/** Another address this deployment reaches the client `waId` at, if any. */
export function claimedElsewhere(waId: string, identity: string): string | undefined {
  return [...addressesOf(waId)].find((address) => address !== identity);
}

function ownersOf(address: string, path: string): Fact<Owner>[] {
  return recall<Owner>(OWNERS).filter(({ value }) => value.client === address && value.path === path);
}

/**
 * Of `settings`, those another `ApplicationSettings` checked in this deployment sets to another
 * value on `identity`, each with that resource's name; `resource` is recorded as setting the others.
 */
export function ownConflicts(
  identity: string,
  resource: string,
  settings: Map<string, unknown>,
): Array<{ path: string; other: string }> {
  const found: Array<{ path: string; other: string }> = [];
  for (const [path, value] of settings) {
    if (containsUnknown(value)) continue;
    const mine = digestOf(path, value);
    const other = ownersOf(identity, path).find(
      (owner) => owner.value.resource !== resource && owner.value.digest !== mine,
    );
    if (other) {
      found.push({ path, other: other.value.resource });
      continue;
    }
    const key = JSON.stringify([identity, path, resource]);
    const owner: Owner = { client: identity, path, resource, digest: mine };
    if (isSecret(path)) secretValues().set(key, value);
    else owner.value = value;
    remember(OWNERS, key, owner);
  }
  return found;
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
  for (const address of addressesOf(waId)) {
    if (address === identity) continue;
    for (const [path, value] of settings) {
      if (containsUnknown(value)) continue;
      const mine = digestOf(path, value);
      if (ownersOf(address, path).some((owner) => owner.value.digest !== mine)) {
        found.set(address, [...(found.get(address) ?? []), path]);
      }
    }
  }
  return found;
}

/**
 * What another resource checked in this deployment sets `path` to on this client, at this address
 * or another one with the same number, when that differs from `mine`: `{ value }`, or `{ withheld }`
 * when the value is secret and set by a resource another provider process serves, where only its
 * digest is known (the value never leaves its process). Undefined when none sets another value.
 */
export function declaredValue(
  identity: string,
  waId: string,
  path: string,
  mine: unknown,
): { value: unknown } | { withheld: true } | undefined {
  const addresses = new Set([identity, ...addressesOf(waId)]);
  const theirs = digestOf(path, mine);
  let withheld = false;
  for (const address of addresses) {
    for (const { key, value: owner, own } of ownersOf(address, path)) {
      if (owner.digest === theirs) continue;
      if (!isSecret(path)) return { value: owner.value };
      const secret = secretValues();
      if (own && secret.has(key)) return { value: secret.get(key) };
      withheld = true;
    }
  }
  return withheld ? { withheld: true } : undefined;
}
