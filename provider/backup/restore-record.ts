/**
 * The durable record of a restore's intent. Pulumi records a resource only after `create`
 * returns, so a deployment killed while a restore is in flight or while the client restarts
 * leaves no trace in state, and the next `up` would restore again. The provider writes this record
 * before the POST and marks it as the restore goes on; a record left unfinished stops the next
 * attempt at the same backup onto the same client until a person says what happened.
 *
 * One small JSON file per (client, backup): no secret, only the client's address and hashes.
 */
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";

/** `sending`: POST about to go or in flight; `accepted`: the client took it, health not seen yet;
 * `done`: Pulumi has (or is about to have) the resource; `adopt`: a person confirmed an interrupted restore landed. */
export const RestoreRecordSchema = z.looseObject({
  target: z.string(),
  sha256: z.string(),
  state: z.enum(["sending", "accepted", "done", "adopt"]),
  startedAt: z.string(),
  updatedAt: z.string().optional(),
  pid: z.number().optional(),
  host: z.string().optional(),
});

export type RestoreRecord = z.infer<typeof RestoreRecordSchema>;

/** `WHATSAPP_RESTORE_RECORD_DIR`, else `~/.pulumi-whatsapp-settings/restores`. */
export function recordDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.WHATSAPP_RESTORE_RECORD_DIR || join(homedir(), ".pulumi-whatsapp-settings", "restores");
}

export function recordPath(target: string, sha256: string, directory = recordDirectory()): string {
  const client = createHash("sha256").update(target).digest("hex").slice(0, 16);
  return join(directory, `${client}-${sha256.slice(0, 32)}.json`);
}

export function readRecord(path: string): RestoreRecord | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = RestoreRecordSchema.safeParse(json);
  // A record we cannot read is still a record: treat it as a restore that may have landed.
  return parsed.success ? parsed.data : { target: "?", sha256: "?", state: "sending", startedAt: "an unknown time" };
}

/** Writes the record so that it survives a crash: temporary file, fsync, rename, fsync of the directory. */
export function writeRecord(path: string, record: RestoreRecord): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  const text = `${JSON.stringify({ ...record, updatedAt: new Date().toISOString(), pid: process.pid, host: hostname() }, null, 2)}\n`;
  const file = openSync(temporary, "w", 0o600);
  try {
    writeSync(file, text);
    fsyncSync(file);
  } finally {
    closeSync(file);
  }
  renameSync(temporary, path);
  try {
    const directory = openSync(dirname(path), "r");
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  } catch {
    // Some platforms cannot open a directory for fsync; the rename is still atomic there.
  }
}

export function removeRecord(path: string): void {
  rmSync(path, { force: true });
}
