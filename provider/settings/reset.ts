/**
 * The one way this package resets a client's settings. `DELETE /v1/settings/application` puts
 * every setting back to its default (the webhook URL too, so callbacks stop) and cannot be undone,
 * so it is guarded like `rm -rf`:
 *
 * - it reaches only the client recorded in the resource's state (`connectionForRecorded`);
 * - when other `ApplicationSettings` of this deployment still manage that client, or shared it when
 *   this one was last applied (a destroy checks nothing), only the fields no other resource manages
 *   go back to their defaults, by PATCH, and the rest stays;
 * - a client is reset by DELETE at most once per deployment (a destroy of several resources);
 * - it says in a warning what it reset and which of those changes wait for a Coreapp restart.
 */
import * as pulumi from "@pulumi/pulumi";
import { clientFor, connectionForRecorded, declaredOn, exclusive, identityOf, processState } from "../runtime";
import { changedFields, patchBody, settingsOf } from "./changes";
import { type FlatSettings, fromWire, sameValue } from "./mapping";
import { FIELDS, FIELDS_BY_PATH } from "./schema";

type Props = Record<string, unknown>;

/** Fields whose value differs from its default in `live`, in schema order. */
function notDefault(live: FlatSettings, paths: Iterable<string>): string[] {
  const wanted = new Set(paths);
  return FIELDS.filter(
    (f) =>
      wanted.has(f.path) &&
      f.meta.default !== undefined &&
      live.has(f.path) &&
      !sameValue(f.path, live.get(f.path), f.meta.default),
  ).map((f) => f.path);
}

function describe(identity: string, what: string, changed: string[]): string {
  const restart = changed.filter((path) => FIELDS_BY_PATH.get(path)?.meta.restart);
  const parts = [`${identity}: ${what}`];
  parts.push(
    changed.length > 0 ? `changed back to the default: ${changed.join(", ")}` : "every value was already the default",
  );
  if (changed.includes("webhooks.url")) parts.push("the webhook URL is cleared, so callbacks stop");
  if (restart.length > 0) parts.push(`restart the Coreapp for ${restart.join(", ")} to take effect`);
  return parts.join("; ");
}

/** Resets what the resource with these properties manages on its recorded client. */
export async function resetSettings(id: string, props: Props): Promise<void> {
  const connection = connectionForRecorded(props, id);
  const identity = identityOf(connection);
  const shared = processState();
  const others = new Set(declaredOn(identity).flatMap((fields) => [...fields]));
  const managed = [...settingsOf(props).keys()];
  await exclusive(identity, async () => {
    const api = clientFor(connection);
    if (others.size === 0 && props.sharesClient !== true) {
      if (shared.reset.has(identity)) {
        pulumi.log.info(`${identity}: already reset to defaults in this deployment; nothing sent`);
        return;
      }
      const live = fromWire((await api.getSettings()).application);
      await api.resetSettings();
      shared.reset.add(identity);
      pulumi.log.warn(
        describe(
          identity,
          "reset every application setting (DELETE /v1/settings/application)",
          notDefault(
            live,
            FIELDS.map((f) => f.path),
          ),
        ),
      );
      return;
    }
    // Other resources share this client: reset only what none of them manages now.
    const own = managed.filter((path) => !others.has(path));
    const kept = managed.filter((path) => others.has(path));
    if (own.length === 0) {
      pulumi.log.warn(
        `${identity}: not reset: every setting this resource managed (${managed.join(", ") || "none"}) ` +
          "is managed by another ApplicationSettings of this program",
      );
      return;
    }
    const defaults: FlatSettings = new Map(own.map((path) => [path, FIELDS_BY_PATH.get(path)?.meta.default]));
    const live = fromWire((await api.getSettings()).application);
    const changed = changedFields(defaults, live);
    if (changed.size > 0) await api.patchSettings(patchBody(changed, defaults, live));
    const still = kept.length > 0 ? ` (${kept.join(", ")} stay: another ApplicationSettings manages them)` : "";
    const what =
      others.size > 0
        ? `reset only the settings no other ApplicationSettings manages${still}`
        : "reset only the settings this resource managed (other ApplicationSettings shared this client)";
    pulumi.log.warn(describe(identity, what, notDefault(live, own)));
  });
}
