/**
 * Which create of this deployment last wrote the one object of a kind a client holds (its
 * two-step PIN, its photo). Pulumi replaces a resource by creating the new one before deleting
 * the old; when both name the same client, the old one's delete would undo what the new one just
 * wrote. Each create records a stamp, kept in state; a delete whose stamp is not the latest for
 * its client leaves the object to its successor. One provider process serves one deployment, so
 * the record lives in the process.
 */
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
