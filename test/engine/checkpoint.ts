/**
 * The stack's state as a JSON checkpoint file, shaped like Pulumi's: one entry per resource with
 * its inputs, outputs, id, dependencies and options. Secret values are stored as Pulumi stores
 * them, `{ "4dabf1…": "1b4706…", "ciphertext": "…" }`, here AES-256-GCM under a per-stack key kept
 * in a file beside the checkpoint (Pulumi's passphrase provider keeps a salt in the stack file).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
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
  /** Per input property, the resources its value came from (Pulumi's `propertyDependencies`). */
  propertyDependencies?: Record<string, string[]>;
  protect: boolean;
  retainOnDelete: boolean;
  /** The `replaceOnChanges` option, weighed again when a delete-before-replace diffs this resource as a dependant. */
  replaceOnChanges?: string[];
  additionalSecretOutputs: string[];
  /**
   * Why the last create or update failed after the provider made the resource (Pulumi's
   * `initErrors`, from `ErrorResourceInitFailed`): the next `up` gives it an update step even
   * without a diff.
   */
  initErrors?: string[];
  /** The original of a create-before-delete replacement whose delete has not run yet. */
  delete?: boolean;
  /** Read with `Resource.get` (the `id` option): not the stack's to delete, only to forget. */
  external?: boolean;
  /** The provider resource serving it, `<urn>::<id>`; none for dynamic resources (their code is in `__provider`). */
  provider?: string;
}

/** Pulumi's `resource.OperationType` for the steps the stand-in journals. */
export type OperationType = "creating" | "updating" | "deleting";

/** A step that started and has not ended: written before the provider is called. */
export interface PendingOperation {
  type: OperationType;
  resource: ResourceState;
}

export interface Checkpoint {
  version: 1;
  project: string;
  stack: string;
  resources: ResourceState[];
  /** Operations a killed run left unfinished (Pulumi's `pending_operations`). */
  pendingOperations?: PendingOperation[];
}

interface StoredCheckpoint extends Omit<Checkpoint, "resources"> {
  secretsProvider: { type: "aes-256-gcm"; keyFile: string };
  resources: ResourceState[];
}

/** Writes `text` and forces it to disk before returning. */
function writeDurably(file: string, text: string): void {
  const fd = openSync(file, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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
  return { version: 1, project, stack, resources: [], pendingOperations: [] };
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
    pendingOperations: (stored.pendingOperations ?? []).map((op) => open(key, op) as PendingOperation),
  };
}

/**
 * Written whole to a temporary file, synced, and renamed over the old one (then the directory
 * synced), so a process killed at any instant leaves either the previous checkpoint or this one,
 * never a torn file. Pulumi's file backend writes the same way (`pkg/backend/diy`).
 */
export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  const key = keyFor(file, true) as Buffer;
  const stored: StoredCheckpoint = {
    ...checkpoint,
    secretsProvider: { type: "aes-256-gcm", keyFile: `${file}.key` },
    resources: checkpoint.resources.map((r) => seal(key, r) as ResourceState),
    pendingOperations: (checkpoint.pendingOperations ?? []).map((op) => seal(key, op) as PendingOperation),
  };
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeDurably(temporary, `${JSON.stringify(stored, null, 2)}\n`);
  renameSync(temporary, file);
  const directory = openSync(dirname(file), "r");
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}
