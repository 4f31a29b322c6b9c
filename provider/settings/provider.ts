/**
 * The `ApplicationSettings` dynamic provider. This module's exports are the provider itself, so
 * Pulumi captures it as one `require(...)` of the installed package instead of copying code.
 *
 * | step      | requests                                             | when it fails                                   |
 * |-----------|------------------------------------------------------|-------------------------------------------------|
 * | check     | none (offline; runs in preview)                      | one failure per property, nothing sent          |
 * | diff      | none; another address: GET of its wa_id (identity.ts)| -                                               |
 * |           | the same number updates, another client replaces     |                                                 |
 * | create    | login once, GET, PATCH of differing fields, GET back | before PATCH: nothing changed; after: the error |
 * |           |                                                      | carries id + properties, so state matches server|
 * | update    | PATCH of changed fields (GET first only when a group  | as create                                       |
 * |           | has siblings the program does not manage), GET back  |                                                 |
 * | read      | GET, on the client recorded in state                 | state unchanged                                 |
 * | delete    | see reset.ts: GET + DELETE, or GET + PATCH of the     | resource stays in state                         |
 * |           | fields no other resource of the program manages      |                                                 |
 *
 * Writes to one client take turns within the process; calls for an existing resource reach only
 * the client recorded in its state.
 */
import * as pulumi from "@pulumi/pulumi";
import { connectionFailures, containsUnknown } from "../check";
import { type Connection, clientIdentity } from "../connection";
import { targetBaseUrl } from "../diff";
import {
  certainlyNotApplied,
  FieldIgnoredError,
  partlyApplied,
  SettingsConflictError,
  VersionError,
  WrongClientError,
} from "../errors";
import { clientMove, sameClientOrThrow, sayMove, waIdOf } from "../identity";
import { warnIrreversible } from "../irreversible";
import { RESOURCE_NAME } from "../model";
import type { Props } from "../props";
import { formatId } from "../resource-id";
import {
  exclusive,
  processState,
  type Reach,
  reach,
  reachRecorded,
  storedConnection,
  storedConnectionStale,
} from "../runtime";
import { isAtLeast } from "../version";
import { getSettings, patchSettings } from "./api";
import { changedFields, holds, needsLiveValues, patchBody, pick, settingsOf } from "./changes";
import { claim, conflictsAcrossAddresses, declare, declaredOn, ownConflicts } from "./deployment";
import { parseInputs, restartFields } from "./inputs";
import { type FlatSettings, flatten, fromWire, sameValue, unflatten } from "./mapping";
import { resetSettings } from "./reset";
import { ApplicationSettingsModel, FIELDS_BY_PATH } from "./schema";

function idFor(identity: string): string {
  return formatId(ApplicationSettingsModel, identity);
}

/**
 * Fails a setting another `ApplicationSettings` of this deployment sets to another value on the
 * same client: both would apply, the last write would win unseen, and removing either would leave
 * the other's state apart from the client. The values are not repeated: a webhook URL may be secret.
 */
function conflicts(news: Props, settings: FlatSettings): Array<{ property: string; reason: string }> {
  const resource = news[RESOURCE_NAME];
  const identity = clientIdentity(targetBaseUrl(news));
  if (typeof resource !== "string" || !identity) return [];
  return ownConflicts(identity, resource, settings).map(({ path, other }) => ({
    property: path,
    reason:
      `is set to another value on ${identity} by ApplicationSettings ${JSON.stringify(other)} too: ` +
      "two resources setting one field of one client overwrite each other; set it in one of them",
  }));
}

/**
 * Records that this resource manages the client `waId` at `identity`, unless another resource of
 * this deployment sets one of its fields to another value there by another address: then nothing
 * is sent for it. Runs as soon as the number is known (diff, or create after its first read),
 * before any write.
 */
function claimOrRefuse(waId: string, identity: string, settings: FlatSettings): void {
  const [conflict] = conflictsAcrossAddresses(waId, identity, settings);
  if (conflict) throw new SettingsConflictError(identity, conflict[0], conflict[1]);
  if (waId !== "") claim(waId, identity);
}

/** Remembers what this resource manages on its client, for deletes later in this deployment. */
function declareTarget(news: Props, settings: FlatSettings): void {
  const identity = clientIdentity(targetBaseUrl(news));
  if (identity) declare(identity, settings);
}

export async function check(olds: Props, news: Props) {
  const parsed = parseInputs(news);
  for (const warning of parsed.warnings) pulumi.log.warn(warning);
  parsed.failures.push(...connectionFailures(news.connection, processState().config));
  if (parsed.failures.length === 0) parsed.failures.push(...conflicts(news, parsed.settings));
  // The previous inputs were checked last time: flattening them is enough.
  const previous = flatten(olds);
  const restart = restartFields(parsed.settings, previous, sameValue);
  if (restart.length > 0 && parsed.failures.length === 0) {
    // At create nothing is read (check is offline): a field may already hold the wanted value.
    const creating = Object.keys(olds).length === 0;
    pulumi.log.warn(
      creating
        ? `may need a Coreapp restart, if the client's value differs: ${restart.join(", ")}`
        : `takes effect only after a Coreapp restart: ${restart.join(", ")}`,
    );
  }
  // Even a resource that fails check still manages its fields: a delete must not reset them.
  declareTarget(news, parsed.settings);
  const inputs: Props = { ...parsed.normalized, restartRequired: restart.length > 0, restartRequiredFields: restart };
  if (news.connection !== undefined) inputs.connection = normalizedConnection(news.connection);
  return { inputs, failures: parsed.failures };
}

/** A connection with its base URL in normal form, so a cosmetic edit is no change at all. */
function normalizedConnection(connection: unknown): unknown {
  if (typeof connection !== "object" || connection === null || Array.isArray(connection)) return connection;
  const baseUrl = clientIdentity((connection as Props).baseUrl);
  return baseUrl ? { ...connection, baseUrl } : connection;
}

export async function diff(id: string, olds: Props, news: Props) {
  const newConnection = news.connection as Partial<Connection> | undefined;
  const move = await clientMove(olds, news, id);
  // Another client (or one not known until apply, which may be another): a replacement.
  if (move.kind === "other") {
    if (move.from && move.to) {
      // Create there first, then the old resource's delete resets the old client.
      sayMove(
        move,
        `the replacement resets the settings of ${move.from} when it deletes the old resource (set retainOnDelete to keep them)`,
      );
      warnIrreversible(
        "a reset (DELETE /v1/settings/application)",
        move.from,
        "the replacement's delete puts every setting of the old client back to its default, the webhook URL too",
      );
    }
    return { changes: true, replaces: ["connection"], deleteBeforeReplace: false };
  }
  // A resource that stays on its client still manages it: a reset of that client reached by
  // another address (another resource's, removed in this deployment) must not wipe it.
  const recordedAt = clientIdentity(olds.baseUrl);
  if (move.kind === "none" && typeof olds.waId === "string" && olds.waId !== "" && recordedAt) {
    claimOrRefuse(olds.waId, recordedAt, flatten(news));
  }
  // The same client at another address: an update that records the new address.
  if (move.kind === "address") {
    sayMove(move, "");
    return { changes: true, replaces: [] };
  }
  // Both sides were checked already; sameValue treats numeric strings as their numbers.
  const wanted = flatten(news);
  const had = flatten(olds);
  const settingChanged =
    wanted.size !== had.size ||
    [...wanted].some(
      ([path, value]) => containsUnknown(value) || !had.has(path) || !sameValue(path, had.get(path), value),
    );
  const connectionChanged =
    containsUnknown(newConnection) ||
    JSON.stringify(normalizedConnection(olds.connection) ?? null) !==
      JSON.stringify(normalizedConnection(news.connection) ?? null) ||
    storedConnectionStale(olds, news);
  return { changes: settingChanged || connectionChanged };
}

/** Refuses, before any write, fields the connected client's version does not take. */
function checkVersion(wanted: FlatSettings, version: string | undefined): void {
  const problems: string[] = [];
  for (const path of wanted.keys()) {
    const meta = FIELDS_BY_PATH.get(path)?.meta;
    if (!meta) continue;
    if (meta.since && isAtLeast(version, meta.since) === false) {
      problems.push(`${path} needs client v${meta.since} or later`);
    }
    if (meta.deprecated && isAtLeast(version, meta.deprecated.since) === true) {
      problems.push(`${path} is deprecated since v${meta.deprecated.since}: ${meta.deprecated.note}`);
    }
  }
  if (problems.length > 0) {
    throw new VersionError(`the client at ${version ?? "an unknown version"} cannot take: ${problems.join("; ")}`);
  }
}

function outputs(
  props: Props,
  { connection, identity }: Reach,
  applied: FlatSettings,
  restart: string[],
  version: string | undefined,
  waId: string,
): Props {
  if (waId !== "") claim(waId, identity);
  const out: Props = {
    ...unflatten(applied),
    restartRequired: restart.length > 0,
    restartRequiredFields: restart,
    apiVersion: version ?? "",
    baseUrl: identity,
    waId,
    sharesClient: sharesClient(props, identity),
    ...storedConnection(props, connection),
  };
  if (props.connection !== undefined) out.connection = normalizedConnection(props.connection);
  // A partly-created resource's properties become its state as they are: keep the provider in them.
  if (props.__provider !== undefined) out.__provider = props.__provider;
  return out;
}

/**
 * Whether other resources of the program manage this client too, as seen by this deployment's
 * checks (kept from state where nothing was checked: refresh). Their deletes reset only their own
 * fields, even in a destroy, which checks nothing.
 */
function sharesClient(props: Props, identity: string): boolean {
  const checked = declaredOn(identity);
  if (checked.length > 0) return checked.length > 1;
  return props.sharesClient === true;
}

interface Change {
  props: Props;
  client: Reach;
  wanted: FlatSettings;
  /** The client's current values, where read (groups are sent whole from them). */
  live: FlatSettings;
  changed: FlatSettings;
  /** The outputs that describe the client before this change, for a failure after the PATCH. */
  before: Props;
  /** The client's registered number, as last read. */
  waId: string;
}

async function apply({ props, client, wanted, live, changed, before, waId }: Change): Promise<Props> {
  const { api } = client;
  const id = idFor(client.identity);
  const restart = [...changed.keys()].filter((path) => FIELDS_BY_PATH.get(path)?.meta.restart);
  if (changed.size === 0) return outputs(props, client, wanted, [], api.version, waId);
  try {
    await patchSettings(api, patchBody(changed, wanted, live));
  } catch (error) {
    if (certainlyNotApplied(error)) throw error;
    throw partlyApplied(error, id, before);
  }
  let readBack: FlatSettings;
  let registered = waId;
  try {
    const { application } = await getSettings(api);
    readBack = fromWire(application);
    registered = waIdOf(application);
  } catch (error) {
    throw partlyApplied(error, id, outputs(props, client, wanted, restart, api.version, waId));
  }
  const ignored = [...changed].filter(([path, value]) => !holds(readBack, path, value));
  const applied = new Map([...wanted].map(([path, value]) => [path, readBack.has(path) ? readBack.get(path) : value]));
  if (ignored.length > 0) {
    const names = ignored.map(([path]) => path).join(", ");
    throw partlyApplied(
      new FieldIgnoredError(
        `the client (${api.version ?? "unknown version"}) answered 200 but did not keep: ${names}. ` +
          "It may not support these fields; check its version.",
      ),
      id,
      outputs(props, client, pick(readBack, wanted.keys()), restart, api.version, registered),
    );
  }
  if (restart.length > 0) {
    pulumi.log.warn(`${client.identity}: restart the Coreapp for ${restart.join(", ")} to take effect`);
  }
  return outputs(props, client, applied, restart, api.version, registered);
}

export async function create(inputs: Props) {
  const client = reach(inputs);
  const wanted = settingsOf(inputs);
  // Reads and writes of one client take turns, so a group's siblings are read fresh.
  const outs = await exclusive(client.identity, async () => {
    const { application } = await getSettings(client.api);
    const live = fromWire(application);
    const waId = waIdOf(application);
    claimOrRefuse(waId, client.identity, wanted);
    checkVersion(wanted, client.api.version);
    const before = outputs(inputs, client, pick(live, wanted.keys()), [], client.api.version, waId);
    return apply({ props: inputs, client, wanted, live, changed: changedFields(wanted, live), before, waId });
  });
  return { id: idFor(client.identity), outs };
}

export async function update(id: string, olds: Props, news: Props) {
  const client = reach(news);
  const recorded = clientIdentity(olds.baseUrl);
  // diff makes another client a replacement; never write to one this resource is not recorded on.
  // Another address is the recorded client only when it says so (its registered number).
  if (recorded && recorded !== client.identity) {
    await sameClientOrThrow(olds, news, id, () => new WrongClientError(recorded, client.identity));
    // The same client at a new address: converge from what it holds, as a create does.
    return { outs: (await create(news)).outs };
  }
  const waId = typeof olds.waId === "string" ? olds.waId : "";
  const wanted = settingsOf(news);
  const changed = changedFields(wanted, settingsOf(olds));
  const outs = await exclusive(client.identity, async () => {
    // Groups go whole; when the program leaves some of a group's fields to the client, read them first.
    const live: FlatSettings = needsLiveValues(changed, wanted)
      ? fromWire((await getSettings(client.api)).application)
      : new Map();
    claimOrRefuse(waId, client.identity, wanted);
    const knownVersion = client.api.version ?? (typeof olds.apiVersion === "string" ? olds.apiVersion : undefined);
    checkVersion(changed, knownVersion);
    const result = await apply({ props: news, client, wanted, live, changed, before: olds, waId });
    if (!result.apiVersion && knownVersion) result.apiVersion = knownVersion;
    return result;
  });
  return { outs };
}

export async function read(id: string, props: Props) {
  const client = reachRecorded(props, id);
  const { application } = await getSettings(client.api);
  const live = fromWire(application);
  // From an id alone (an import) nothing is managed yet: every field the client holds, so the
  // program written from them shows no diff.
  const managed = Object.keys(props).length === 0 ? live : settingsOf(props);
  // A client may leave a cleared URL out of its answer: absent reads as "", as a write takes it (`holds`).
  const current = new Map(
    [...managed.keys()]
      .filter((path) => live.has(path) || FIELDS_BY_PATH.get(path)?.meta.kind === "url")
      .map((path) => [path, live.has(path) ? live.get(path) : ""]),
  );
  const restart = Array.isArray(props.restartRequiredFields) ? (props.restartRequiredFields as string[]) : [];
  const outs = outputs(props, client, current, restart, client.api.version, waIdOf(application));
  const inputs: Props = { ...unflatten(current), restartRequired: restart.length > 0, restartRequiredFields: restart };
  if (props.connection !== undefined) inputs.connection = normalizedConnection(props.connection);
  return { id, props: outs, inputs };
}

async function remove(id: string, props: Props): Promise<void> {
  await resetSettings(id, props);
}

export { configure, shutdown } from "../runtime";
export { remove as delete };
