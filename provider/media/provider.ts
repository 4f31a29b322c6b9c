/**
 * The `MediaProvider` dynamic provider: one entry of `/v1/settings/application/media/providers`,
 * found by its name.
 *
 * | step   | requests                                          | when it fails                                    |
 * |--------|---------------------------------------------------|--------------------------------------------------|
 * | check  | none (offline; runs in preview); a second     | one failure per property, nothing sent           |
 * |        | resource claiming the same (client, name) fails   |                                                  |
 * | diff   | none; a new `name` or another client replaces     | -                                                |
 * |        | (with a warning: the old one gets deleted), a new |                                                  |
 * |        | `type` or `config` updates                        |                                                  |
 * | create | login once, GET (a provider of the name the stack | a provider it does not own: refused, nothing     |
 * |        | does not hold is refused unless `adopt`), POST    | sent; before the POST lands: nothing changed;    |
 * |        | [one provider], GET to confirm                    | after: the error carries id + properties         |
 * | update | POST [one provider] (same name: it overwrites),   | as create; only a connection change sends nothing|
 * |        | GET to confirm                                    |                                                  |
 * | read   | GET, on the client recorded in state; not listed  | state unchanged                                  |
 * |        | → gone (removed from state); live type and config |                                                  |
 * |        | become the outputs and inputs (drift shows)       |                                                  |
 * | delete | DELETE …/providers/{name}; 404 counts as gone;    | resource stays in state                          |
 * |        | none when a later create of this deployment wrote |                                                  |
 * |        | the same name (a same-name replacement)           |                                                  |
 *
 * Update relies on a POST of an existing name overwriting that provider: Sinch documents it for
 * its wrapper of this API, Meta does not say; the GET after it catches a client that keeps the old
 * entry. Writes to one client take turns within the process; calls for an existing resource reach
 * only the client recorded in its state. Every call hands the client the credentials in `config`
 * as secrets, so each error is built without them.
 */

import * as pulumi from "@pulumi/pulumi";
import { checkInputs, containsUnknown, UNKNOWN } from "../check";
import type { WhatsAppClient } from "../client";
import { type Connection, clientIdentity } from "../connection";
import { same, targetBaseUrl } from "../diff";
import {
  certainlyNotApplied,
  FieldIgnoredError,
  isWhatsAppError,
  NotOwnedError,
  partlyApplied,
  WrongClientError,
} from "../errors";
import { Handover } from "../handover";
import { replacementsAcross, sameClientOrThrow, sayMove } from "../identity";
import { warnIrreversible } from "../irreversible";
import { defaultOf, RESOURCE_NAME } from "../model";
import type { Props } from "../props";
import { formatId, parseId } from "../resource-id";
import {
  exclusive,
  identityOf,
  processState,
  reach,
  reachRecorded,
  storedConnection,
  storedConnectionStale,
} from "../runtime";
import { deleteMediaProvider, listMediaProviders, MEDIA_PROVIDERS, putMediaProvider } from "./api";
import { credentialsOf, MediaProviderModel } from "./schema";
import { forgetSent, noteSending, sentBefore } from "./sent-record";

const PATH = MEDIA_PROVIDERS;

/**
 * Which media providers belong to this stack. The client keeps no owner with a provider, so the
 * deployment remembers which resource claims each (client, name) at check, which a resource in
 * state holds (a replacement under the same name may write over its predecessor's), and which
 * create last wrote it (the replaced resource's delete then leaves it to its successor). A
 * provider the client lists that none of this covers is someone else's: create refuses it unless
 * the program says `adopt: true`.
 */
const OWNERSHIP = new Handover(MediaProviderModel.type, "one media provider per name", "checked");

/** The object the ownership records go by: the provider `name` on `client`. */
function providerKey(client: string, name: string): string {
  return `${client}#${name}`;
}

interface Entry {
  name: string;
  type: string;
  config: unknown;
}

function idFor(connection: Connection, name: string): string {
  return formatId(MediaProviderModel, identityOf(connection), name);
}

export async function check(olds: Props, news: Props) {
  const result = checkInputs(MediaProviderModel, olds, news, processState().config);
  const resource = news[RESOURCE_NAME];
  const client = clientIdentity(targetBaseUrl(news));
  const name = news.name;
  // What is not known yet (a client from another resource's output) cannot be compared yet.
  if (typeof resource === "string" && client !== undefined && typeof name === "string" && name !== UNKNOWN) {
    const other = OWNERSHIP.claim(providerKey(client, name), resource);
    if (other !== undefined) {
      result.failures.push({
        property: "name",
        reason:
          `${JSON.stringify(name)} on ${client} is claimed by two resources, MediaProvider ${JSON.stringify(resource)} ` +
          `and MediaProvider ${JSON.stringify(other)}: the client holds one provider per name, so removing either ` +
          "would delete the provider the other still manages; keep one of them, or give each its own name",
      });
    }
  }
  return result;
}

export async function diff(id: string, olds: Props, news: Props) {
  const recorded = clientIdentity(olds.baseUrl);
  const oldName = olds.name;
  if (recorded !== undefined && typeof oldName === "string") {
    OWNERSHIP.heldAt(providerKey(recorded, oldName), recorded, olds.claimedAt, news);
  }
  const { replaces, move } = await replacementsAcross(MediaProviderModel, olds, news, id);
  sayMove(move, `the replacement deletes the media provider ${JSON.stringify(oldName)} from ${String(recorded)}`);
  if (recorded !== undefined && replaces.length > 0) {
    const elsewhere = replaces.includes("connection");
    const newName = news.name === UNKNOWN ? "a name not known yet" : JSON.stringify(news.name);
    warnIrreversible(
      `DELETE ${PATH}/${encodeURIComponent(String(oldName))}`,
      recorded,
      `media provider ${JSON.stringify(oldName)} is deleted once ` +
        (elsewhere ? "its replacement is created on the client the connection now names" : `${newName} is created`),
    );
  }
  const updates = ["type", "config"].filter(
    (key) =>
      containsUnknown(news[key]) ||
      !same(olds[key] ?? defaultOf(MediaProviderModel, key), news[key] ?? defaultOf(MediaProviderModel, key)),
  );
  const connectionChanged =
    containsUnknown(news.connection) || !same(olds.connection, news.connection) || storedConnectionStale(olds, news);
  return {
    changes: replaces.length > 0 || updates.length > 0 || connectionChanged,
    replaces,
    deleteBeforeReplace: false,
  };
}

/** The name in state, else the one the id ends with (`…/providers#name`). */
function nameOf(id: string, props: Props): string {
  return typeof props.name === "string" ? props.name : (parseId(id)?.key ?? "");
}

function entryOf(props: Props): Entry {
  const type = (props.type ?? defaultOf(MediaProviderModel, "type")) as string;
  return { name: props.name as string, type, config: props.config };
}

function outputs(props: Props, connection: Connection, entry: Entry): Props {
  const out: Props = {
    name: entry.name,
    type: entry.type,
    config: entry.config,
    baseUrl: identityOf(connection),
    ...storedConnection(props, connection),
  };
  if (typeof props.claimedAt === "string") out.claimedAt = props.claimedAt;
  if (props.connection !== undefined) out.connection = props.connection;
  // A partly-created resource's properties become its state as they are: keep the provider in them.
  if (props.__provider !== undefined) out.__provider = props.__provider;
  return out;
}

/**
 * A listed config in the shape the program writes it (unknown keys of newer clients dropped), or
 * `undefined` when the client does not show one (then nothing can be said about drift).
 */
function liveConfig(config: unknown): unknown {
  const value = (config ?? {}) as { bearer?: unknown; basic?: { username?: unknown; password?: unknown } };
  if (typeof value.bearer === "string") return { bearer: value.bearer };
  const basic = value.basic;
  if (typeof basic?.username === "string" && typeof basic.password === "string") {
    return { basic: { username: basic.username, password: basic.password } };
  }
  return undefined;
}

/** What the client lists under `name`, or `undefined` when it lists nothing of that name. */
async function find(api: WhatsAppClient, name: string, secrets: string[], fallback: Entry): Promise<Entry | undefined> {
  const live = (await listMediaProviders(api, secrets)).find((provider) => provider.name === name);
  if (!live) return undefined;
  return {
    name,
    type: typeof live.type === "string" ? live.type : fallback.type,
    config: liveConfig(live.config) ?? fallback.config,
  };
}

/**
 * POSTs the entry and reads it back. `unsure` is what to record when the POST fails in a way
 * that may have landed: config `null`, so the next `up` sends it again.
 */
async function write(
  api: WhatsAppClient,
  props: Props,
  connection: Connection,
  unsure: Props,
  secrets = credentialsOf(props.config),
): Promise<Props> {
  const wanted = entryOf(props);
  const id = idFor(connection, wanted.name);
  try {
    await putMediaProvider(api, wanted, secrets);
  } catch (error) {
    if (certainlyNotApplied(error)) throw error;
    throw partlyApplied(error, id, unsure);
  }
  let held: Entry | undefined;
  try {
    held = await find(api, wanted.name, secrets, wanted);
  } catch (error) {
    throw partlyApplied(error, id, outputs(props, connection, wanted));
  }
  if (!held || held.type !== wanted.type || !same(held.config, wanted.config)) {
    const what = !held
      ? `lists no media provider named ${wanted.name}`
      : `holds another ${held.type === wanted.type ? "config" : "type"} under ${wanted.name} than the one sent`;
    throw partlyApplied(
      new FieldIgnoredError(`POST ${PATH} answered 200 but the client ${what}`),
      id,
      outputs(props, connection, held ?? { ...wanted, config: null }),
    );
  }
  return outputs(props, connection, held);
}

/**
 * Lists the client's providers first: one of the same name is written over only when the stack
 * already holds it (a replacement under the same name) or the program adopts it.
 */
export async function create(inputs: Props) {
  const reached = reach(inputs);
  const { connection, identity: client, api } = reached;
  const wanted = entryOf(inputs);
  const secrets = credentialsOf(inputs.config);
  const outs = await exclusive(client, async () => {
    const listed = await find(api, wanted.name, secrets, wanted);
    const resource = typeof inputs[RESOURCE_NAME] === "string" ? inputs[RESOURCE_NAME] : undefined;
    const key = providerKey(client, wanted.name);
    if (listed && inputs.adopt !== true && !OWNERSHIP.stackHolds(key)) {
      // This resource's own create sent it, and its deployment stopped before state recorded it.
      const sent = sentBefore(client, wanted.name);
      if (resource === undefined || sent?.resource !== resource) throw new NotOwnedError(client, wanted.name);
      pulumi.log.warn(
        `${client}: media provider ${JSON.stringify(wanted.name)} was sent by an interrupted create of this ` +
          `resource at ${sent.sentAt}; taken back into state`,
      );
    }
    if (resource !== undefined) noteSending(client, wanted.name, resource);
    const props = { ...inputs, claimedAt: OWNERSHIP.recordWrite(key, client, inputs) };
    return write(api, props, connection, outputs(props, connection, { ...wanted, config: null }), secrets);
  });
  return { id: idFor(connection, wanted.name), outs };
}

export async function update(id: string, olds: Props, news: Props) {
  const reached = reach(news);
  const { connection, identity } = reached;
  const recorded = clientIdentity(olds.baseUrl);
  // diff makes another client a replacement; never write to one this resource is not recorded on,
  // unless it is that client at another address (its registered number says so).
  if (recorded && recorded !== identity) {
    await sameClientOrThrow(olds, news, id, () => new WrongClientError(recorded, identity));
  }
  const wanted = entryOf(news);
  const secrets = [...credentialsOf(news.config), ...credentialsOf(olds.config)];
  const props = olds.claimedAt === undefined ? news : { ...news, claimedAt: olds.claimedAt };
  if (wanted.type === entryOf(olds).type && same(wanted.config, olds.config)) {
    // Only the connection changed: record it, nothing to send.
    return { outs: outputs(props, connection, wanted) };
  }
  const outs = await exclusive(identity, () =>
    write(reached.api, props, connection, outputs(props, connection, entryOf(olds)), secrets),
  );
  return { outs };
}

export async function read(id: string, props: Props) {
  const { connection, api } = reachRecorded(props, id);
  const recorded = entryOf(props);
  const name = nameOf(id, props);
  const secrets = credentialsOf(props.config);
  const live = await find(api, name, secrets, { ...recorded, name });
  // Not listed: gone. No id tells Pulumi to drop it from state.
  if (!live) return {};
  const inputs: Props = { name: live.name, type: live.type, config: live.config };
  if (props.connection !== undefined) inputs.connection = props.connection;
  return { id, props: outputs(props, connection, live), inputs };
}

async function remove(id: string, props: Props): Promise<void> {
  const reached = reachRecorded(props, id);
  const client = reached.identity;
  const name = nameOf(id, props);
  if (OWNERSHIP.takenOver(providerKey(client, name), props.claimedAt)) {
    // Replaced under the same name: the create before this delete wrote the provider its
    // successor now holds; deleting it would leave the client without the provider state records.
    pulumi.log.info(
      `${client}: media provider ${JSON.stringify(name)} now belongs to its replacement; nothing deleted`,
    );
    return;
  }
  const secrets = credentialsOf(props.config);
  await exclusive(client, async () => {
    try {
      await deleteMediaProvider(reached.api, name, secrets);
    } catch (error) {
      // Already gone (removed by hand, or by a restore): what delete wanted.
      if (!isWhatsAppError(error, "WHATSAPP_API") || error.status !== 404) throw error;
    }
    forgetSent(client, name);
  });
}

export { configure, shutdown } from "../runtime";
export { remove as delete };
