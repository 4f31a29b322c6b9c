/**
 * The durable record of a restore's intent. Pulumi records a resource only after `create`
 * returns, so a deployment killed while a restore is in flight or while the client restarts
 * leaves no trace in state, and the next `up` would restore again. The provider writes this record
 * before the POST and marks it as the restore goes on; a record left unfinished stops the next
 * attempt onto the same client until a person says what happened.
 *
 * One small JSON file per intent, that is per (client, triggers): no secret, only the client's
 * address and hashes. Neither the resource's name nor the backup is part of it: a renamed
 * resource, a create repeated after a failure or a killed deployment finds the restore it already
 * made, also when the backup its data follows was taken again meanwhile (a new backup alone never
 * restores; a new `triggers` value does).
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { canonical } from "../diff";
import { readJson, recordDirectory, removeRecord, writeDurably } from "../durable-record";

/** `sending`: POST about to go or in flight; `accepted`: the client took it, health not seen yet;
 * `done`: the restore was made (or its POST got no answer: `unanswered`), so it is never sent again
 * for this intent; `adopt`: a person confirmed an interrupted restore landed. */
export const RestoreRecordSchema = z.looseObject({
  target: z.string(),
  sha256: z.string(),
  state: z.enum(["sending", "accepted", "done", "adopt"]),
  startedAt: z.string(),
  /** The POST was sent and its answer never came: counted as made. */
  unanswered: z.boolean().optional(),
  updatedAt: z.string().optional(),
  pid: z.number().optional(),
  host: z.string().optional(),
});

export type RestoreRecord = z.infer<typeof RestoreRecordSchema>;

/**
 * The hash of a `triggers` value in canonical form (key order does not matter), or `undefined`
 * for none: `undefined` and `null` are both "no triggers", so a program that leaves them out and
 * state that hands back `null` name one intent.
 */
export function triggersKey(triggers: unknown): string | undefined {
  if (triggers === undefined || triggers === null) return undefined;
  return createHash("sha256").update(canonical(triggers)).digest("hex").slice(0, 16);
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** The record of one intent: the restores made onto `target` for this value of `triggers`. */
export function recordPath(target: string, triggers?: unknown, directory = recordDirectory()): string {
  const intent = triggersKey(triggers);
  return join(directory, `client-${shortHash(target)}${intent ? `-t${intent}` : ""}.json`);
}

/**
 * Records of the same intent written by earlier versions, which named the backup too
 * (`<client>-<sha256>[-t<triggers>].json`): they still guard the restores they made.
 */
export function earlierRecordPaths(target: string, triggers?: unknown, directory = recordDirectory()): string[] {
  const intent = triggersKey(triggers);
  const pattern = new RegExp(`^${shortHash(target)}-[0-9a-f]{32}${intent ? `-t${intent}` : ""}\\.json$`);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw error;
  }
  return names.filter((name) => pattern.test(name)).map((name) => join(directory, name));
}

export function readRecord(path: string): RestoreRecord | undefined {
  const json = readJson(path);
  if (json === undefined) return undefined;
  const parsed = RestoreRecordSchema.safeParse(json);
  // A record we cannot read is still a record: treat it as a restore that may have landed.
  return parsed.success ? parsed.data : { target: "?", sha256: "?", state: "sending", startedAt: "an unknown time" };
}

export function writeRecord(path: string, record: RestoreRecord): void {
  writeDurably(path, record);
}

export { recordDirectory, removeRecord };
