/**
 * Which media providers belong to this stack. The client keeps no owner with a provider, so the
 * provider process remembers, for the deployment it serves (one process per deployment):
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
import { processSlot } from "../runtime";

/** Media providers, each keyed by its client's identity and its name (`keyOf`). */
interface MediaClaims {
  /** The resource (by its name in the program) each checked `MediaProvider` claims a provider for. */
  claimants: Map<string, string>;
  /** Providers a resource in this stack's state holds, seen by a diff of this deployment. */
  inState: Set<string>;
  /** The `claimedAt` of the latest create of this deployment that wrote the provider. */
  created: Map<string, string>;
}

function claims(): MediaClaims {
  return processSlot("media", () => ({ claimants: new Map(), inState: new Set(), created: new Map() }));
}

function keyOf(client: string, name: string): string {
  return `${client}#${name}`;
}

/**
 * Records that `resource` claims the provider `name` on `client`, and returns the resource that
 * claimed it first when that is another one. A resource checked again (preview, then up) keeps
 * one claim: the latest.
 */
export function claim(client: string, name: string, resource: string): string | undefined {
  const claimants = claims().claimants;
  const key = keyOf(client, name);
  const other = claimants.get(key);
  if (other !== undefined && other !== resource) return other;
  for (const [held, by] of claimants) if (by === resource && held !== key) claimants.delete(held);
  claimants.set(key, resource);
  return undefined;
}

/** Records that a resource in the stack's state holds the provider `name` on `client`. */
export function heldInState(client: string, name: string): void {
  claims().inState.add(keyOf(client, name));
}

/** Whether a resource in the stack's state holds the provider (see `heldInState`). */
export function stackHolds(client: string, name: string): boolean {
  return claims().inState.has(keyOf(client, name));
}

/**
 * Records that a create of this deployment is about to write the provider, and returns the
 * `claimedAt` it stores: later than every other create of this process wrote, so no two match.
 */
export function recordCreate(client: string, name: string): string {
  const created = claims().created;
  let at = Date.now();
  const taken = new Set(created.values());
  while (taken.has(new Date(at).toISOString())) at++;
  const claimedAt = new Date(at).toISOString();
  created.set(keyOf(client, name), claimedAt);
  return claimedAt;
}

/**
 * Whether a later create of this deployment than the one behind `claimedAt` wrote the provider:
 * then the resource being deleted was replaced under the same name, and the provider is its
 * successor's.
 */
export function takenOver(client: string, name: string, claimedAt: unknown): boolean {
  const latest = claims().created.get(keyOf(client, name));
  return latest !== undefined && latest !== claimedAt;
}
