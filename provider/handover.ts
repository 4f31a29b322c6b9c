/**
 * Which create of this deployment last wrote the one object of a kind a client holds (its
 * two-step PIN, its photo). Pulumi replaces a resource by creating the new one before deleting
 * the old; when both name the same client, the old one's delete would undo what the new one just
 * wrote. Each create records a stamp, kept in state; a delete whose stamp is not the latest for
 * its client leaves the object to its successor. One provider process serves one deployment, so
 * the record lives in the process.
 */
import { UNKNOWN } from "./check";
import { clientIdentity } from "./connection";
import { targetBaseUrl } from "./diff";
import { RESOURCE_NAME } from "./model";
import { processSlot } from "./runtime";

function latest(kind: string): Map<string, string> {
  return processSlot(`handover:${kind}`, () => new Map<string, string>());
}

/**
 * Records that a create is about to write `kind` on `client`, and returns its stamp (ISO 8601):
 * later than every other stamp of this process, so no two match.
 */
export function recordWrite(kind: string, client: string): string {
  const written = latest(kind);
  const taken = new Set(written.values());
  let at = Date.now();
  while (taken.has(new Date(at).toISOString())) at++;
  const stamp = new Date(at).toISOString();
  written.set(client, stamp);
  return stamp;
}

/** Whether a later create of this deployment than the one that recorded `stamp` wrote `kind` on `client`. */
export function takenOver(kind: string, client: string, stamp: unknown): boolean {
  const last = latest(kind).get(client);
  return last !== undefined && last !== stamp;
}

/**
 * Check's rule for an object a client holds one of: a second resource of `type` in this
 * deployment on the same client fails, naming both, since it would overwrite the first's and
 * removing either would remove what the other still declares. `what` says what the client holds.
 */
export function oneResourcePerClient(
  type: string,
  what: string,
  news: Record<string, unknown>,
  failures: Array<{ property: string; reason: string }>,
): void {
  const resource = news[RESOURCE_NAME];
  const client = clientIdentity(targetBaseUrl(news));
  if (typeof resource !== "string" || client === undefined || client === UNKNOWN) return;
  const claimants = processSlot(`handover-claimants:${type}`, () => new Map<string, string>());
  const other = claimants.get(client);
  if (other === undefined || other === resource) {
    claimants.set(client, resource);
    return;
  }
  failures.push({
    property: "connection",
    reason:
      `${client} is managed by two resources, ${type} ${JSON.stringify(other)} and ${type} ` +
      `${JSON.stringify(resource)}: a client holds ${what}, so removing either would remove what the other still ` +
      "declares; keep one of them",
  });
}
