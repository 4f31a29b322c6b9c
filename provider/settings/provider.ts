/**
 * The `ApplicationSettings` dynamic provider. This module's exports are the provider itself, so
 * Pulumi captures it as one `require(...)` of the installed package instead of copying code.
 *
 * | step      | requests                                             | when it fails                                   |
 * |-----------|------------------------------------------------------|-------------------------------------------------|
 * | check     | none (offline; runs in preview)                      | one failure per property, nothing sent          |
 * | diff      | none                                                 | -                                               |
 * | create    | login once, GET, PATCH of differing fields, GET back | before PATCH: nothing changed; after: the error |
 * |           |                                                      | carries id + properties, so state matches server|
 * | update    | PATCH of changed fields (GET first only when a group  | as create                                       |
 * |           | has siblings the program does not manage), GET back  |                                                 |
 * | read      | GET                                                  | state unchanged                                 |
 * | delete    | DELETE: the whole client back to defaults            | resource stays in state                         |
 */
import * as pulumi from "@pulumi/pulumi";
import type { WhatsAppClient } from "../client";
import { type Connection, resolveConnection } from "../connection";
import { certainlyNotApplied, FieldIgnoredError, partlyApplied, VersionError } from "../errors";
import { clientFor, connectionFor, normalizedBaseUrl, processState } from "../runtime";
import { isAtLeast } from "../version";
import { containsUnknown, NON_SETTING_KEYS, parseInputs, restartFields, UNKNOWN } from "./inputs";
import { type FlatSettings, flatten, fromWire, sameValue, toWire, unflatten } from "./mapping";
import { ApplicationSettingsSchema, FIELDS, FIELDS_BY_PATH } from "./schema";

type Props = Record<string, unknown>;

function settingsOf(props: Props): FlatSettings {
  const raw: Props = {};
  for (const [key, value] of Object.entries(props)) if (!NON_SETTING_KEYS.has(key)) raw[key] = value;
  const parsed = ApplicationSettingsSchema.safeParse(raw);
  return flatten((parsed.success ? parsed.data : raw) as Props);
}

function idFor(connection: Connection): string {
  return `${normalizedBaseUrl(connection)}/v1/settings/application`;
}

export async function check(olds: Props, news: Props) {
  const parsed = parseInputs(news);
  for (const warning of parsed.warnings) pulumi.log.warn(warning);
  if (news.connection === undefined) {
    try {
      resolveConnection(undefined, processState().config);
    } catch (error) {
      parsed.failures.push({
        property: "connection",
        reason: `${(error as Error).message}; or pass connection: {baseUrl, username, password} or a Provider`,
      });
    }
  }
  // The previous inputs were checked last time: flattening them is enough.
  const previous = flatten(olds);
  const restart = restartFields(parsed.settings, previous, sameValue);
  if (restart.length > 0 && parsed.failures.length === 0) {
    pulumi.log.warn(`takes effect only after a Coreapp restart: ${restart.join(", ")}`);
  }
  const inputs: Props = { ...parsed.normalized, restartRequired: restart.length > 0, restartRequiredFields: restart };
  if (news.connection !== undefined) inputs.connection = news.connection;
  return { inputs, failures: parsed.failures };
}

export async function diff(_id: string, olds: Props, news: Props) {
  // Both sides were checked already; sameValue treats numeric strings as their numbers.
  const wanted = flatten(news);
  const had = flatten(olds);
  const oldBaseUrl = typeof olds.baseUrl === "string" ? olds.baseUrl : undefined;
  const newConnection = news.connection as Partial<Connection> | undefined;
  const newBaseUrl = newConnection ? newConnection.baseUrl : processState().config.baseUrl;
  if (newBaseUrl === UNKNOWN || containsUnknown(newConnection)) return { changes: true };
  if (oldBaseUrl && newBaseUrl && oldBaseUrl !== normalizedBaseUrl({ baseUrl: newBaseUrl })) {
    // Another client: reset the old one first, so two resources never claim one client.
    return { changes: true, replaces: ["connection"], deleteBeforeReplace: true };
  }
  const settingChanged =
    wanted.size !== had.size ||
    [...wanted].some(
      ([path, value]) => containsUnknown(value) || !had.has(path) || !sameValue(path, had.get(path), value),
    );
  const connectionChanged = JSON.stringify(olds.connection ?? null) !== JSON.stringify(news.connection ?? null);
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

/** The PATCH body for `changed`; a touched group goes whole, its other fields as the client has them. */
function patchBody(changed: FlatSettings, wanted: FlatSettings, live: FlatSettings): Record<string, unknown> {
  const body: FlatSettings = new Map(changed);
  const groups = new Set([...changed.keys()].filter((p) => p.includes(".")).map((p) => p.split(".")[0] as string));
  for (const field of FIELDS) {
    const group = field.path.split(".")[0] as string;
    if (!groups.has(group) || body.has(field.path)) continue;
    const value = wanted.has(field.path) ? wanted.get(field.path) : live.get(field.path);
    if (value !== undefined) body.set(field.path, value);
  }
  return toWire(body);
}

function changedFields(wanted: FlatSettings, have: FlatSettings): FlatSettings {
  return new Map([...wanted].filter(([path, value]) => !have.has(path) || !sameValue(path, have.get(path), value)));
}

function outputs(
  props: Props,
  connection: Connection,
  applied: FlatSettings,
  restart: string[],
  version: string | undefined,
): Props {
  const out: Props = {
    ...unflatten(applied),
    restartRequired: restart.length > 0,
    restartRequiredFields: restart,
    apiVersion: version ?? "",
    baseUrl: normalizedBaseUrl(connection),
  };
  if (props.connection !== undefined) out.connection = props.connection;
  // A partly-created resource's properties become its state as they are: keep the provider in them.
  if (props.__provider !== undefined) out.__provider = props.__provider;
  return out;
}

interface Change {
  props: Props;
  connection: Connection;
  api: WhatsAppClient;
  wanted: FlatSettings;
  /** The client's current values, where read (groups are sent whole from them). */
  live: FlatSettings;
  changed: FlatSettings;
  /** The outputs that describe the client before this change, for a failure after the PATCH. */
  before: Props;
}

function pick(values: FlatSettings, paths: Iterable<string>): FlatSettings {
  return new Map([...paths].filter((path) => values.has(path)).map((path) => [path, values.get(path)]));
}

async function apply({ props, connection, api, wanted, live, changed, before }: Change): Promise<Props> {
  const id = idFor(connection);
  const restart = [...changed.keys()].filter((path) => FIELDS_BY_PATH.get(path)?.meta.restart);
  if (changed.size === 0) return outputs(props, connection, wanted, [], api.version);
  try {
    await api.patchSettings(patchBody(changed, wanted, live));
  } catch (error) {
    if (certainlyNotApplied(error)) throw error;
    throw partlyApplied(error, id, before);
  }
  let readBack: FlatSettings;
  try {
    readBack = fromWire((await api.getSettings()).application);
  } catch (error) {
    throw partlyApplied(error, id, outputs(props, connection, wanted, restart, api.version));
  }
  const ignored = [...changed].filter(
    ([path, value]) => !readBack.has(path) || !sameValue(path, readBack.get(path), value),
  );
  const applied = new Map([...wanted].map(([path, value]) => [path, readBack.has(path) ? readBack.get(path) : value]));
  if (ignored.length > 0) {
    const names = ignored.map(([path]) => path).join(", ");
    throw partlyApplied(
      new FieldIgnoredError(
        `the client (${api.version ?? "unknown version"}) answered 200 but did not keep: ${names}. ` +
          "It may not support these fields; check its version.",
      ),
      id,
      outputs(props, connection, pick(readBack, wanted.keys()), restart, api.version),
    );
  }
  if (restart.length > 0) {
    pulumi.log.warn(`${connection.baseUrl}: restart the Coreapp for ${restart.join(", ")} to take effect`);
  }
  return outputs(props, connection, applied, restart, api.version);
}

export async function create(inputs: Props) {
  const connection = connectionFor(inputs);
  const api = clientFor(connection);
  const wanted = settingsOf(inputs);
  const live = fromWire((await api.getSettings()).application);
  checkVersion(wanted, api.version);
  const before = outputs(inputs, connection, pick(live, wanted.keys()), [], api.version);
  const outs = await apply({
    props: inputs,
    connection,
    api,
    wanted,
    live,
    changed: changedFields(wanted, live),
    before,
  });
  processState().createdOn.add(normalizedBaseUrl(connection));
  return { id: idFor(connection), outs };
}

export async function update(_id: string, olds: Props, news: Props) {
  const connection = connectionFor(news);
  const api = clientFor(connection);
  const wanted = settingsOf(news);
  const changed = changedFields(wanted, settingsOf(olds));
  // Groups go whole; when the program leaves some of a group's fields to the client, read them first.
  const needsLive = [...changed.keys()].some((path) => {
    const group = path.includes(".") ? (path.split(".")[0] as string) : undefined;
    return group !== undefined && FIELDS.some((f) => f.path.startsWith(`${group}.`) && !wanted.has(f.path));
  });
  const live: FlatSettings = needsLive ? fromWire((await api.getSettings()).application) : new Map();
  const knownVersion = api.version ?? (typeof olds.apiVersion === "string" ? olds.apiVersion : undefined);
  checkVersion(changed, knownVersion);
  const outs = await apply({ props: news, connection, api, wanted, live, changed, before: olds });
  if (!outs.apiVersion && knownVersion) outs.apiVersion = knownVersion;
  return { outs };
}

export async function read(id: string, props: Props) {
  const connection = connectionFor(props);
  const api = clientFor(connection);
  const live = fromWire((await api.getSettings()).application);
  const managed = settingsOf(props);
  const current = new Map([...managed.keys()].filter((path) => live.has(path)).map((path) => [path, live.get(path)]));
  const restart = Array.isArray(props.restartRequiredFields) ? (props.restartRequiredFields as string[]) : [];
  const outs = outputs(props, connection, current, restart, api.version);
  const inputs: Props = { ...unflatten(current), restartRequired: restart.length > 0, restartRequiredFields: restart };
  if (props.connection !== undefined) inputs.connection = props.connection;
  return { id, props: outs, inputs };
}

async function remove(_id: string, props: Props): Promise<void> {
  const connection = connectionFor(props);
  const baseUrl = normalizedBaseUrl(connection);
  if (processState().createdOn.has(baseUrl)) {
    pulumi.log.warn(
      `${baseUrl}: not resetting settings, another ApplicationSettings was created on this client in this ` +
        "deployment (a rename or replacement); resetting would undo what it just applied",
    );
    return;
  }
  await clientFor(connection).resetSettings();
}

export { configure, shutdown } from "../runtime";
export { remove as delete };
