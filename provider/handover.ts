/**
 * Which create of this deployment last wrote the one object of a kind a client holds (its
 * two-step PIN, its photo). Pulumi replaces a resource by creating the new one before deleting
 * the old; when both name the same client, the old one's delete would undo what the new one just
 * wrote. Each create records a stamp, kept in state; a delete whose stamp is not the latest for
 * its client leaves the object to its successor. The old and the new resource may be served by
 * two provider processes of the deployment (another provider), so the stamps are kept in the
 * deployment's memory (deployment-memory.ts). A successor an earlier deployment created is known
 * by its diff in this one (`successorDeclared`).
 */
import { UNKNOWN } from "./check";
import { clientIdentity } from "./connection";
import { latestStamp, recall, remember, stamp } from "./deployment-memory";
import { targetBaseUrl } from "./diff";
import { RESOURCE_NAME } from "./model";

/**
 * Records that a create is about to write `kind` on `client`, and returns its stamp (ISO 8601):
 * later than every other stamp of this deployment, so no two match.
 */
export function recordWrite(kind: string, client: string): string {
  return stamp(`handover:${kind}`, client);
}

/** The stamp of the latest create of this deployment that wrote `kind` on `client`. */
export function latestWrite(kind: string, client: string): string | undefined {
  return latestStamp(`handover:${kind}`, client);
}

/** Whether a later create of this deployment than the one that recorded `written` wrote `kind` on `client`. */
export function takenOver(kind: string, client: string, written: unknown): boolean {
  const last = latestWrite(kind, client);
  return last !== undefined && last !== written;
}

/**
 * Records, from a diff of this deployment (which sees the resource's state), that a resource of
 * `type` the program declares holds the object on `client`, written by the create stamped `since`.
 */
export function heldInState(type: string, client: string | undefined, since: unknown, resource: unknown): void {
  if (client === undefined || typeof since !== "string" || since === "") return;
  remember(`handover-held:${type}`, client, { resource: typeof resource === "string" ? resource : "", since });
}

/**
 * The resource of `type` diffed in this deployment whose state says it wrote the object on
 * `client` after the create that recorded `written`: its successor, which the delete of the
 * resource behind `written` leaves the object to. Pulumi diffs every resource of the program
 * that is in state before it deletes those the program dropped; without this, a resource renamed without an alias
 * whose new name an earlier deployment created (`up --target`, an up killed before its deletes)
 * would remove what that successor declares, since no stamp of this deployment says so.
 */
/** Named as `TwoStepVerification "new"`, or as another resource of the type when its name is not known. */
export function successorDeclared(type: string, client: string, written: unknown): string | undefined {
  if (typeof written !== "string" || written === "") return undefined;
  const held = recall<{ resource: string; since: string }>(`handover-held:${type}`).find(
    ({ key, value }) => key === client && value.since > written,
  )?.value;
  if (held === undefined) return undefined;
  return held.resource === "" ? `another ${type} of the program` : `${type} ${JSON.stringify(held.resource)}`;
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
  // A check that fails records nothing, so the resource checked first passes again (preview, then up).
  const section = `handover-claimants:${type}`;
  const other = recall<string>(section).find(({ key, value }) => key === client && value !== resource)?.value;
  if (other === undefined) {
    remember(section, client, resource);
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
