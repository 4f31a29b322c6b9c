/**
 * The `SettingsBackup` dynamic provider: one `POST /v1/settings/backup` per backup.
 *
 * | step   | requests               | notes                                                     |
 * |--------|------------------------|-----------------------------------------------------------|
 * | check  | none                   | password required (a restore needs it with the data)      |
 * | diff   | none                   | new backup (replace) only for another source client, a    |
 * |        |                        | new password or triggers; other changes are recorded      |
 * | create | login once, POST backup| `data` is secret; optional `outputFile` written 0600      |
 * | update | none                   | a new `outputFile` is written from the backup in state    |
 * | read   | none                   | a backup cannot be read again: state is returned as is    |
 * | delete | none                   | removes it from state only                                |
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { checkInputs } from "../check";
import { clientIdentity } from "../connection";
import { same, targetBaseUrl } from "../diff";
import { API_CODES, isCallError, isWhatsAppError, withContext } from "../errors";
import { replacementsAcross, sayMove } from "../identity";
import type { Props } from "../props";
import { formatId } from "../resource-id";
import { processState, reach } from "../runtime";
import { takeBackup } from "./api";
import { withInputs } from "./one-shot";
import { SettingsBackupModel } from "./schema";

const COREAPP_DOWN = new Set<number>([API_CODES.SERVICE_NOT_READY, API_CODES.INTERNAL_ERROR]);

export async function check(olds: Props, news: Props) {
  return checkInputs(SettingsBackupModel, olds, news, processState().config);
}

/** What a backup is of: a change here takes a new one. Connection tuning (timeouts, CA) is not. */
export async function diff(id: string, olds: Props, news: Props) {
  const { replaces, move } = await replacementsAcross(SettingsBackupModel, olds, news, id);
  sayMove(move, "the replacement takes a new backup there");
  const recordOnly = move.kind === "address" || ["outputFile", "connection"].some((key) => !same(olds[key], news[key]));
  return { changes: replaces.length > 0 || recordOnly, replaces };
}

/** Records new inputs; a new `outputFile` gets the backup already taken, without a new POST. */
export async function update(_id: string, olds: Props, news: Props) {
  if (typeof news.outputFile === "string" && news.outputFile !== olds.outputFile && typeof olds.data === "string") {
    writeAtomically(news.outputFile, olds.data);
  }
  const outs = withInputs(SettingsBackupModel, olds, news);
  // An address change of the same client: state follows the address.
  const target = clientIdentity(targetBaseUrl(news));
  if (target) outs.baseUrl = target;
  return { outs };
}

/** Writes the blob so a reader never sees half a file and nobody else can read it. */
function writeAtomically(path: string, data: string): void {
  const target = resolve(path);
  const temporary = join(dirname(target), `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, data, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export async function create(inputs: Props) {
  const { identity, api } = reach(inputs);
  let backup: { data: string };
  try {
    backup = await takeBackup(api, inputs.password as string);
  } catch (error) {
    // Messages of failed calls are redacted as they are built, the password included.
    if (!isCallError(error)) throw error;
    const down = !isWhatsAppError(error, "WHATSAPP_API") || COREAPP_DOWN.has(error.apiCode ?? 0);
    throw withContext(error, {
      during: down
        ? "the client must be running (its Coreapp answers) to take a backup"
        : "the client must be registered and running to take a backup",
    });
  }
  const data = backup.data;
  if (typeof inputs.outputFile === "string") writeAtomically(inputs.outputFile, data);
  const outs: Props = {
    ...inputs,
    data,
    sha256: createHash("sha256").update(data).digest("hex"),
    sizeBytes: Buffer.byteLength(data),
    apiVersion: api.version ?? "",
    createdAt: new Date().toISOString(),
    baseUrl: identity,
  };
  return { id: formatId(SettingsBackupModel, identity, (outs.sha256 as string).slice(0, 16)), outs };
}

export { configure, delete, read } from "./one-shot";
