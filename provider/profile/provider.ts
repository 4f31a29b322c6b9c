/**
 * The `ProfileAbout` dynamic provider: the client's "About" text.
 *
 * | step   | requests                                         | when it fails                                     |
 * |--------|--------------------------------------------------|---------------------------------------------------|
 * | check  | none (offline; runs in preview)                  | one failure per property, nothing sent            |
 * | diff   | none; another address: GET of its wa_id          | -                                                 |
 * |        | (identity.ts); another client replaces           |                                                   |
 * | create | login once, PATCH {text}, GET back               | before PATCH: nothing changed; after: the error   |
 * |        |                                                  | carries id + properties, so state matches server  |
 * | update | PATCH {text}, GET back; a connection change only | as create                                         |
 * |        | records it                                       |                                                   |
 * | read   | GET, on the client recorded in state             | state unchanged                                   |
 * | delete | none: the API cannot remove the text             | -                                                 |
 *
 * Writes to one client take turns within the process; calls for an existing resource reach only
 * the client recorded in its state.
 */
import { checkInputs, containsUnknown } from "../check";
import { clientOutputs, connectionChanged, sameAddress, stayOnRecordedClient, writeConfirmed } from "../client-object";
import { replacementsAcross, sayMove } from "../identity";
import type { Props } from "../props";
import { formatId } from "../resource-id";
import { exclusive, processState, type Reach, reach, reachRecorded } from "../runtime";
import { getAbout, setAbout } from "./api";
import { ProfileAboutModel } from "./schema";

export async function check(olds: Props, news: Props) {
  return checkInputs(ProfileAboutModel, olds, news, processState().config);
}

export async function diff(id: string, olds: Props, news: Props) {
  const { replaces, move } = await replacementsAcross(ProfileAboutModel, olds, news, id);
  sayMove(move, "the replacement sets the text there; the old client keeps its text");
  const changed = containsUnknown(news.text) || news.text !== olds.text || connectionChanged(olds, news);
  return { changes: replaces.length > 0 || changed || move.kind === "address", replaces, deleteBeforeReplace: false };
}

function outputs(props: Props, client: Reach, text: string, version: string | undefined): Props {
  return clientOutputs(props, client, version, { text });
}

/** PATCHes the text and reads it back; `before` is what state records if the PATCH may have landed. */
async function write(props: Props, client: Reach, before: Props): Promise<Props> {
  const text = props.text as string;
  return writeConfirmed({
    id: formatId(ProfileAboutModel, client.identity),
    call: `PATCH ${ProfileAboutModel.path}`,
    unsure: before,
    applied: outputs(props, client, text, client.api.version),
    send: () => setAbout(client.api, text),
    readBack: () => getAbout(client.api),
    outputs: (held) => outputs(props, client, held, client.api.version),
    mismatch: (held) => (held === text ? undefined : "did not keep the text"),
  });
}

export async function create(inputs: Props) {
  const client = reach(inputs);
  // Until the PATCH lands, nothing is known of the text the client holds: "" records that.
  const outs = await exclusive(client.identity, () => write(inputs, client, outputs(inputs, client, "", undefined)));
  return { id: formatId(ProfileAboutModel, client.identity), outs };
}

export async function update(id: string, olds: Props, news: Props) {
  const client = reach(news);
  await stayOnRecordedClient(id, olds, news, client);
  if (news.text === olds.text && sameAddress(olds, client)) {
    // Only the connection changed: record it, nothing to send.
    const version = typeof olds.apiVersion === "string" ? olds.apiVersion : undefined;
    return { outs: outputs(news, client, news.text as string, version) };
  }
  return { outs: await exclusive(client.identity, () => write(news, client, olds)) };
}

export async function read(id: string, props: Props) {
  const client = reachRecorded(props, id);
  const text = await getAbout(client.api);
  const inputs: Props = { text };
  if (props.connection !== undefined) inputs.connection = props.connection;
  return { id, props: outputs(props, client, text, client.api.version), inputs };
}

/** The API cannot remove the text: the client keeps it, and state forgets the resource. */
async function remove(): Promise<void> {}

export { configure, shutdown } from "../runtime";
export { remove as delete };
