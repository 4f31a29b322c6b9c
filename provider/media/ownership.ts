/**
 * Which media providers belong to this stack. The client keeps no owner with a provider, so the
 * provider processes of the deployment remember, in its memory (deployment-memory.ts: a program
 * with an explicit provider runs two processes, and a delete must see what the other one knows):
 *
 * - which resource claims each (client, name), so two resources never manage one provider;
 * - which providers a resource in the stack's state holds (its diff ran in this deployment), so
 *   a replacement under the same name may write over its predecessor's provider;
 * - which create of this deployment last wrote each provider, so the delete of the replaced
 *   resource leaves that provider to its successor instead of removing it.
 *
 * A provider the client already lists that none of this covers belongs to someone else: create
 * refuses it unless the program says `adopt: true`.
 */
import { forget, latestStamp, recall, remember, stamp } from "../deployment-memory";

// Sections of the deployment's memory; each fact is keyed by its provider's client and name (`keyOf`).
/** The resource (by its name in the program) each checked `MediaProvider` claims a provider for. */
const CLAIMANTS = "media.claimants";
/** Providers a resource in this stack's state holds, seen by a diff of this deployment. */
const IN_STATE = "media.in-state";
/** The `claimedAt` of the latest create of this deployment that wrote the provider. */
const CREATED = "media.created";

function keyOf(client: string, name: string): string {
  return `${client}#${name}`;
}

/**
 * Records that `resource` claims the provider `name` on `client`, and returns the resource that
 * claimed it first when that is another one. A resource checked again (preview, then up) keeps
 * one claim: the latest.
 */
export function claim(client: string, name: string, resource: string): string | undefined {
  const key = keyOf(client, name);
  const claims = recall<string>(CLAIMANTS);
  const other = claims.find((fact) => fact.key === key && fact.value !== resource);
  if (other) return other.value;
  for (const held of claims) if (held.own && held.value === resource && held.key !== key) forget(CLAIMANTS, held.key);
  remember(CLAIMANTS, key, resource);
  return undefined;
}

/** Records that a resource in the stack's state holds the provider `name` on `client`. */
export function heldInState(client: string, name: string): void {
  remember(IN_STATE, keyOf(client, name), true);
}

/** Whether a resource in the stack's state holds the provider (see `heldInState`). */
export function stackHolds(client: string, name: string): boolean {
  const key = keyOf(client, name);
  return recall(IN_STATE).some((fact) => fact.key === key);
}

/**
 * Records that a create of this deployment is about to write the provider, and returns the
 * `claimedAt` it stores: later than every other create of this deployment wrote, so no two match.
 */
export function recordCreate(client: string, name: string): string {
  return stamp(CREATED, keyOf(client, name));
}

/**
 * Whether a later create of this deployment than the one behind `claimedAt` wrote the provider:
 * then the resource being deleted was replaced under the same name, and the provider is its
 * successor's.
 */
export function takenOver(client: string, name: string, claimedAt: unknown): boolean {
  const latest = latestStamp(CREATED, keyOf(client, name));
  return latest !== undefined && latest !== claimedAt;
}
