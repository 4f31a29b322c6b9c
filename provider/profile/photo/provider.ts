/**
 * The `ProfilePhoto` dynamic provider: the client's profile photo, uploaded from a local file.
 *
 * | step   | requests                                          | when it fails                                    |
 * |--------|---------------------------------------------------|--------------------------------------------------|
 * | check  | none: reads the file (offline; runs in preview),  | one failure naming `file`, nothing sent          |
 * |        | refuses one over 5 MB or not JPEG/PNG, and puts   |                                                  |
 * |        | its SHA-256 in the inputs                         |                                                  |
 * | diff   | none; another address: GET of its wa_id           | -                                                |
 * |        | (identity.ts); another client replaces            |                                                  |
 * | create | login once, GET of its wa_id, POST of the bytes,   | before POST: nothing changed; after: the error   |
 * |        | GET of the photo; another resource of the type on |                                                  |
 * |        | that wa_id fails it                               |                                                  |
 * |        |                                                   | carries id + properties, so state matches server |
 * | update | as create, when the file's SHA-256 changed; a new | as create                                        |
 * |        | path to the same content or connection records it |                                                  |
 * | read   | GET, on the client recorded in state: no photo →  | state unchanged                                  |
 * |        | gone; bytes other than after the upload → drift   |                                                  |
 * | delete | DELETE; none when a later create of the           | resource stays in state                          |
 * |        | deployment uploaded a photo to the same client,   |                                                  |
 * |        | or another resource of the program declares one   |                                                  |
 * |        | there (the client told by its wa_id)              |                                                  |
 *
 * A client scales the photo, so what it answers is not the file: state keeps the SHA-256 of both.
 * Writes to one client take turns within the process; calls for an existing resource reach only
 * the client recorded in its state.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkInputs, containsUnknown, UNKNOWN } from "../../check";
import { clientOutputs, connectionChanged, stayOnRecordedClient, writeConfirmed } from "../../client-object";
import { InputError, isWhatsAppError } from "../../errors";
import { clientKey, Handover } from "../../handover";
import { registeredNumber, replacementsAcross, sayMove } from "../../identity";
import type { Props } from "../../props";
import { formatId } from "../../resource-id";
import { exclusive, processState, type Reach, reach, reachRecorded } from "../../runtime";
import { deletePhoto, downloadPhoto, uploadPhoto } from "./api";
import { type PhotoFile, readPhoto, sha256Of } from "./file";
import { ProfilePhotoModel } from "./schema";

const HANDOVER = new Handover(ProfilePhotoModel.type, "one profile photo");

export async function check(olds: Props, news: Props) {
  const result = checkInputs(ProfilePhotoModel, olds, news, processState().config);
  HANDOVER.oneResourcePerClient(news, result.failures);
  const file = news.file;
  if (typeof file === "string" && file !== "" && file !== UNKNOWN) {
    const photo = readPhoto(file);
    if ("problem" in photo) result.failures.push({ property: "file", reason: photo.problem });
    else result.inputs.sha256 = photo.sha256;
  }
  return result;
}

export async function diff(id: string, olds: Props, news: Props) {
  const { replaces, move } = await replacementsAcross(ProfilePhotoModel, olds, news, id);
  HANDOVER.heldInState(olds, olds.setAt, news, replaces);
  sayMove(move, `the replacement's delete removes the photo from ${String(olds.baseUrl)}`);
  const changed =
    containsUnknown(news.file) ||
    news.file !== olds.file ||
    news.sha256 !== olds.sha256 ||
    connectionChanged(olds, news);
  return { changes: replaces.length > 0 || changed || move.kind === "address", replaces, deleteBeforeReplace: false };
}

/** The file as check saw it: apply uploads exactly what preview showed, or nothing. */
function fileOf(props: Props): PhotoFile {
  const photo = readPhoto(props.file as string);
  if ("problem" in photo) throw new InputError([{ property: "file", reason: photo.problem }]);
  if (typeof props.sha256 === "string" && props.sha256 !== photo.sha256) {
    throw new InputError([{ property: "file", reason: "changed after check read it; run the deployment again" }]);
  }
  return photo;
}

function outputs(
  props: Props,
  client: Reach,
  photo: PhotoFile,
  clientSha256: string,
  setAt: string,
  waId: unknown,
): Props {
  const own = {
    file: props.file,
    sha256: photo.sha256,
    contentType: photo.contentType,
    sizeBytes: photo.bytes.length,
    clientSha256,
    setAt,
    waId: typeof waId === "string" ? waId : "",
  };
  return clientOutputs(props, client, client.api.version, own);
}

/** Uploads the photo and reads the client's back; `unsure` is what state records if the upload may have landed. */
async function upload(props: Props, client: Reach, photo: PhotoFile, setAt: string, waId: unknown, unsure: Props) {
  return writeConfirmed<Buffer | undefined>({
    id: formatId(ProfilePhotoModel, client.identity),
    call: `POST ${ProfilePhotoModel.path}`,
    unsure,
    // Landed but not read back: the client's bytes are unknown, so the next refresh shows drift.
    applied: outputs(props, client, photo, "", setAt, waId),
    send: () => uploadPhoto(client.api, photo.bytes, photo.contentType),
    readBack: () => downloadPhoto(client.api),
    outputs: (held) => outputs(props, client, photo, held ? sha256Of(held) : "", setAt, waId),
    mismatch: (held) => (held === undefined ? "has no photo" : undefined),
  });
}

export async function create(inputs: Props) {
  const client = reach(inputs);
  const photo = fileOf(inputs);
  const outs = await exclusive(client.identity, async () => {
    const waId = await registeredNumber(client.api);
    // Recorded before the upload: a replacement's delete on this client must leave the photo alone from now on.
    const setAt = HANDOVER.recordWrite(clientKey(client.identity, waId), client.identity, inputs);
    const unsure = { ...outputs(inputs, client, photo, "", setAt, waId), sha256: "" };
    return upload(inputs, client, photo, setAt, waId, unsure);
  });
  return { id: formatId(ProfilePhotoModel, client.identity), outs };
}

export async function update(id: string, olds: Props, news: Props) {
  const client = reach(news);
  await stayOnRecordedClient(id, olds, news, client);
  const photo = fileOf(news);
  const setAt = typeof olds.setAt === "string" ? olds.setAt : "";
  if (photo.sha256 === olds.sha256) {
    // The same content (under another path, or over another connection): record it, nothing to send.
    const clientSha256 = typeof olds.clientSha256 === "string" ? olds.clientSha256 : "";
    return { outs: outputs(news, client, photo, clientSha256, setAt, olds.waId) };
  }
  return { outs: await exclusive(client.identity, () => upload(news, client, photo, setAt, olds.waId, olds)) };
}

export async function read(id: string, props: Props) {
  const client = reachRecorded(props, id);
  const held = await downloadPhoto(client.api);
  // No photo: gone. No id tells Pulumi to drop it from state.
  if (held === undefined) return {};
  const live = sha256Of(held);
  // The photo's GET answers bytes, without the envelope's meta: unless this call logged in, the
  // version is not known here, and the one in state stands (not "", which refresh would show as a change).
  const version = client.api.version ?? (typeof props.apiVersion === "string" ? props.apiVersion : undefined);
  const out = clientOutputs(props, client, version, { ...props, clientSha256: live });
  // Another photo than the one uploaded: the file's SHA-256 no longer describes the client, so the next diff uploads again.
  if (live !== props.clientSha256) out.sha256 = live;
  const inputs: Props = { file: props.file };
  if (props.connection !== undefined) inputs.connection = props.connection;
  return { id, props: out, inputs };
}

/**
 * Removes the photo, unless a later create of this deployment uploaded one to the same client (a
 * replacement there) or another resource of the program declares a photo there (at any address
 * of its registered number).
 */
async function remove(id: string, props: Props): Promise<void> {
  const client = reachRecorded(props, id);
  const key = clientKey(client.identity, props.waId);
  if (HANDOVER.takenOver(key, props.setAt)) {
    pulumi.log.info(
      `${client.identity}: the profile photo now belongs to this resource's replacement; nothing deleted`,
    );
    return;
  }
  const holder = HANDOVER.otherHolder(key, props.setAt);
  if (holder !== undefined) {
    pulumi.log.info(
      `${client.identity}: the profile photo belongs to ${holder}, which declares one there; nothing deleted`,
    );
    return;
  }
  await exclusive(key, async () => {
    try {
      await deletePhoto(client.api);
    } catch (error) {
      // Already gone (removed by hand): what delete wanted.
      if (!isWhatsAppError(error, "WHATSAPP_API") || error.status !== 404) throw error;
    }
  });
}

export { configure, shutdown } from "../../runtime";
export { remove as delete };
