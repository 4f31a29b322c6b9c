/**
 * The stack's state as a JSON checkpoint file, shaped like Pulumi's: one entry per resource with
 * its inputs, outputs, id, dependencies and options. Secret values are stored as Pulumi stores
 * them, `{ "4dabf1…": "1b4706…", "ciphertext": "…" }`, here AES-256-GCM under a per-stack key kept
 * in a file beside the checkpoint (Pulumi's passphrase provider keeps a salt in the stack file).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { isSecret, type Props, SECRET_SIG, SIG_KEY } from "./property-values";

export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  id: string;
  parent: string;
  inputs: Props;
  outputs: Props;
  dependencies: string[];
  protect: boolean;
  retainOnDelete: boolean;
  additionalSecretOutputs: string[];
}

export interface Checkpoint {
  version: 1;
  project: string;
  stack: string;
  resources: ResourceState[];
}

interface StoredCheckpoint extends Omit<Checkpoint, "resources"> {
  secretsProvider: { type: "aes-256-gcm"; keyFile: string };
  resources: ResourceState[];
}

export class StateError extends Error {
  readonly code = "ENGINE_STATE";
}

function keyFor(file: string, create: boolean): Buffer | undefined {
  const keyFile = `${file}.key`;
  if (existsSync(keyFile)) return Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64");
  if (!create) return undefined;
  const key = randomBytes(32);
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, key.toString("base64"), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return key;
}

function encrypt(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

function decrypt(key: Buffer, ciphertext: string): unknown {
  const raw = Buffer.from(ciphertext, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8"));
}

function seal(key: Buffer, value: unknown): unknown {
  if (isSecret(value)) return { [SIG_KEY]: SECRET_SIG, ciphertext: encrypt(key, value.value) };
  if (Array.isArray(value)) return value.map((v) => seal(key, v));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, seal(key, v)]));
  }
  return value;
}

function open(key: Buffer | undefined, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Props;
    if (record[SIG_KEY] === SECRET_SIG && typeof record.ciphertext === "string") {
      if (!key) throw new StateError("the checkpoint holds secrets but its key file is missing");
      return { [SIG_KEY]: SECRET_SIG, value: decrypt(key, record.ciphertext) };
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, open(key, v)]));
  }
  if (Array.isArray(value)) return value.map((v) => open(key, v));
  return value;
}

export function emptyCheckpoint(project: string, stack: string): Checkpoint {
  return { version: 1, project, stack, resources: [] };
}

export function loadCheckpoint(file: string, project: string, stack: string): Checkpoint {
  if (!existsSync(file)) return emptyCheckpoint(project, stack);
  const stored = JSON.parse(readFileSync(file, "utf8")) as StoredCheckpoint;
  if (stored.version !== 1) throw new StateError(`${file}: unsupported checkpoint version ${stored.version}`);
  if (stored.project !== project) {
    throw new StateError(`${file} belongs to project '${stored.project}', not '${project}'`);
  }
  const key = keyFor(file, false);
  return {
    version: 1,
    project: stored.project,
    stack: stored.stack,
    resources: stored.resources.map((r) => open(key, r) as ResourceState),
  };
}

/** Written whole to a temporary file and renamed, so a crash never leaves half a checkpoint. */
export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  const key = keyFor(file, true) as Buffer;
  const stored: StoredCheckpoint = {
    ...checkpoint,
    secretsProvider: { type: "aes-256-gcm", keyFile: `${file}.key` },
    resources: checkpoint.resources.map((r) => seal(key, r) as ResourceState),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(stored, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
