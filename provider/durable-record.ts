/**
 * Small JSON records that must survive a crash of the process that writes them: the intent of a
 * restore, the create of a media provider. Each is written before the request it guards, so a
 * deployment killed after the client applied it still finds what it sent. No secret goes in.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { dirname, join } from "node:path";

/** `WHATSAPP_RESTORE_RECORD_DIR`, else `~/.pulumi-whatsapp-settings/restores`. */
export function recordDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.WHATSAPP_RESTORE_RECORD_DIR || join(homedir(), ".pulumi-whatsapp-settings", "restores");
}

/** The parsed JSON at `path`; `undefined` when there is no file, `null` when it cannot be parsed. */
export function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Writes the record so that it survives a crash: temporary file, fsync, rename, fsync of the directory. */
export function writeDurably(path: string, record: object): void {
  writeFile(path, { ...record, updatedAt: new Date().toISOString(), pid: process.pid, host: hostname() }, true);
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

/**
 * Writes `record` so that a reader sees the old file or the new one, never a part (temporary file,
 * rename), without waiting for the disk: for what does not outlive the process that writes it.
 */
export function writeAtomically(path: string, record: object): void {
  writeFile(path, record, false);
}

function writeFile(path: string, record: object, sync: boolean): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  const file = openSync(temporary, "w", 0o600);
  try {
    writeSync(file, `${JSON.stringify(record, null, 2)}\n`);
    if (sync) fsyncSync(file);
  } finally {
    closeSync(file);
  }
  renameSync(temporary, path);
}

export function removeRecord(path: string): void {
  rmSync(path, { force: true });
}
