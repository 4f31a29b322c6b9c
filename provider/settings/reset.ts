/**
 * The one way this package resets a client's settings. `DELETE /v1/settings/application` puts
 * every setting back to its default (the webhook URL too, so callbacks stop) and cannot be undone,
 * so it is guarded like `rm -rf`:
 *
 * - it reaches only the client recorded in the resource's state (`reachRecorded`);
 * - when other `ApplicationSettings` of this deployment still manage that client, or shared it when
 *   this one was last applied (a destroy checks nothing), only the fields no other resource manages
 *   go back to their defaults, by PATCH, and the rest stays;
 * - a client is reset by DELETE at most once per deployment (a destroy of several resources);
 * - a client whose registered number an `ApplicationSettings` of this deployment applied its
 *   settings to at another address is the same client reached another way: not reset;
 * - a field this resource managed that another resource of this deployment sets too (a conflict
 *   that `up --target` or a second address kept from check) goes back to that resource's value,
 *   so the client ends as the remaining resource's state says;
 * - it says in a warning what it reset, read from the client before and after (defaults differ
 *   between client versions), and which of those changes wait for a Coreapp restart.
 */
import * as pulumi from "@pulumi/pulumi";
import type { WhatsAppClient } from "../client";
import { waIdOf } from "../identity";
import type { Props } from "../props";
import { exclusive, reachRecorded } from "../runtime";
import { deleteSettings, getSettings, patchSettings } from "./api";
import { changedFields, patchBody, settingsOf } from "./changes";
import { claimedElsewhere, declaredOn, declaredValue, recordReset, resetAlready } from "./deployment";
import { type FlatSettings, fromWire, sameValue } from "./mapping";
import { FIELDS, FIELDS_BY_PATH } from "./schema";

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

/** Fields whose value the client holds differently after than before, in schema order. */
function changedBetween(before: FlatSettings, after: FlatSettings): string[] {
  return FIELDS.filter(
    (f) => before.has(f.path) && after.has(f.path) && !sameValue(f.path, before.get(f.path), after.get(f.path)),
  ).map((f) => f.path);
}

/**
 * Of `paths`, those another resource of this deployment sets to another value than this resource
 * did (a conflict `up --target` or a second address kept from check), with that value: their
 * state says it, so the field must not keep the value of the resource going away. A secret value
 * set by a resource another provider process serves is not known here (it never leaves that
 * process): such a field is listed in `withheld` and keeps this resource's value.
 */
function handBackValues(
  identity: string,
  waId: unknown,
  props: Props,
  paths: string[],
): { values: FlatSettings; withheld: string[] } {
  const mine = settingsOf(props);
  const values: FlatSettings = new Map();
  const withheld: string[] = [];
  for (const path of paths) {
    const declared = declaredValue(identity, typeof waId === "string" ? waId : "", path, mine.get(path));
    if (declared && "value" in declared) values.set(path, declared.value);
    else if (declared) withheld.push(path);
  }
  return { values, withheld };
}

/** Sends `wanted` where the client holds otherwise, in one PATCH; returns the paths sent. */
async function send(api: WhatsAppClient, wanted: FlatSettings, live: FlatSettings): Promise<string[]> {
  const changed = changedFields(wanted, live);
  if (changed.size > 0) await patchSettings(api, patchBody(changed, wanted, live));
  return [...changed.keys()];
}

function handedBack(identity: string, paths: string[], withheld: string[]): void {
  if (paths.length > 0) {
    pulumi.log.warn(
      `${identity}: set ${paths.join(", ")} back to the value another ApplicationSettings of this program sets ` +
        "(this resource had set another value)",
    );
  }
  if (withheld.length > 0) {
    pulumi.log.warn(
      `${identity}: ${withheld.join(", ")} keeps the value this resource set, not the other value another ` +
        "ApplicationSettings of this program sets: that one is served by another provider, and a secret value " +
        "never leaves the provider that holds it; run `pulumi up --refresh` to apply it",
    );
  }
}

/**
 * The client's settings before a reset, read first; undefined when another `ApplicationSettings` of
 * this deployment applied or still manages this client at another address (the same registered
 * number): nothing is reset, a warning says why, and only what this resource set otherwise than
 * that one goes back to its values.
 */
async function readBefore(
  api: WhatsAppClient,
  identity: string,
  props: Props,
  managed: string[],
): Promise<FlatSettings | undefined> {
  const { application } = await getSettings(api);
  const waId = waIdOf(application);
  const live = fromWire(application);
  const owner = claimedElsewhere(waId, identity);
  if (owner === undefined) return live;
  pulumi.log.warn(
    `${identity}: not reset: it is the client this deployment applied settings to at ${owner} (wa_id ${waId}); ` +
      "only the address it is reached at changed",
  );
  const back = handBackValues(identity, waId, props, managed);
  handedBack(identity, await send(api, back.values, live), back.withheld);
  return undefined;
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
  const client = reachRecorded(props, id);
  const { identity } = client;
  const others = new Set(declaredOn(identity).flatMap((fields) => [...fields]));
  const managed = [...settingsOf(props).keys()];
  await exclusive(identity, async () => {
    const { api } = client;
    if (others.size === 0 && props.sharesClient !== true) {
      if (resetAlready(identity)) {
        pulumi.log.info(`${identity}: already reset to defaults in this deployment; nothing sent`);
        return;
      }
      const live = await readBefore(api, identity, props, managed);
      if (!live) return;
      await deleteSettings(api);
      recordReset(identity);
      const what = "reset every application setting (DELETE /v1/settings/application)";
      let after: FlatSettings;
      try {
        after = fromWire((await getSettings(api)).application);
      } catch {
        pulumi.log.warn(`${identity}: ${what}; what changed could not be read back`);
        return;
      }
      pulumi.log.warn(describe(identity, what, changedBetween(live, after)));
      return;
    }
    // Other resources share this client: reset only what none of them manages now.
    const own = managed.filter((path) => !others.has(path));
    const kept = managed.filter((path) => others.has(path));
    const { values: back, withheld } = handBackValues(identity, props.waId, props, kept);
    if (own.length === 0 && back.size === 0) {
      handedBack(identity, [], withheld);
      pulumi.log.warn(
        `${identity}: not reset: every setting this resource managed (${managed.join(", ") || "none"}) ` +
          "is managed by another ApplicationSettings of this program",
      );
      return;
    }
    const live = await readBefore(api, identity, props, managed);
    if (!live) return;
    const defaults: FlatSettings = new Map(own.map((path) => [path, FIELDS_BY_PATH.get(path)?.meta.default]));
    const sent = await send(api, new Map([...defaults, ...back]), live);
    handedBack(
      identity,
      sent.filter((path) => back.has(path)),
      withheld,
    );
    if (own.length === 0) return;
    const still = kept.length > 0 ? ` (${kept.join(", ")} stay: another ApplicationSettings manages them)` : "";
    const what =
      others.size > 0
        ? `reset only the settings no other ApplicationSettings manages${still}`
        : "reset only the settings this resource managed (other ApplicationSettings shared this client)";
    pulumi.log.warn(describe(identity, what, notDefault(live, own)));
  });
}
