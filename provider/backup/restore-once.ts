/**
 * The one way this package sends a restore. A restore shows every contact of the business a new
 * security code and cannot be undone, so it is guarded like `rm -rf`:
 *
 * - a restore is known by its intent: the target client and `triggers`, never by the resource's
 *   name nor by the backup, so a rename (also one made while the backup was taken again), a create
 *   repeated after a failed one or after a killed deployment finds the restore already made and
 *   sends nothing;
 * - the POST is never retried once it may have reached the client;
 * - before the POST a durable record of the intent is written (restore-record.ts); a record a
 *   dead deployment left while the POST was in flight refuses the next attempt before anything
 *   is sent, until a person says whether it landed;
 * - it logs what it is about to do, and what it did not do again.
 */
import * as pulumi from "@pulumi/pulumi";
import type { WhatsAppClient } from "../client";
import { ConfigError, certainlyNotApplied, RestoreUnfinishedError } from "../errors";
import { restoreBackup } from "./api";
import {
  earlierRecordPaths,
  type RestoreRecord,
  readRecord,
  recordPath,
  removeRecord,
  writeRecord,
} from "./restore-record";

/** What a restore is: a backup onto a client, for one value of `triggers`. */
export interface RestoreIntent {
  /** The target client's identity (normalized base URL). */
  target: string;
  /** The backup's SHA-256: recorded and reported, not part of what the intent is known by. */
  sha256: string;
  triggers?: unknown;
}

export interface RestoreTicket {
  /** Where the record lives; `finish` marks it done. */
  path: string;
  /** Nothing was sent: a person confirmed an interrupted restore landed, or it was made before. */
  adopted: boolean;
  /** The restore made earlier for the same intent, when this create found one. */
  earlier?: RestoreRecord;
  /** When the restore was sent (ISO 8601). */
  startedAt: string;
}

/** How far a record says its restore went: the one that went furthest decides. */
const PROGRESS: Record<RestoreRecord["state"], number> = { sending: 0, accepted: 1, done: 2, adopt: 3 };

/**
 * The record of a restore of this intent made before, or `undefined` for none: the current
 * record, or one an earlier version wrote under the backup's hash.
 */
function findRecord(intent: RestoreIntent): { record: RestoreRecord; path: string } | undefined {
  const found = [recordPath(intent.target, intent.triggers), ...earlierRecordPaths(intent.target, intent.triggers)]
    .map((path) => ({ path, record: readRecord(path) }))
    .filter((entry): entry is { path: string; record: RestoreRecord } => entry.record !== undefined);
  return found.sort((a, b) => PROGRESS[b.record.state] - PROGRESS[a.record.state])[0];
}

/** What to tell a person about a restore of this intent made before, or `undefined` for none. */
export function earlierRestore(intent: RestoreIntent): { record: RestoreRecord; path: string } | undefined {
  try {
    return findRecord(intent);
  } catch {
    return undefined;
  }
}

/** "(backup sha256 …)", and whether it is the backup the intent names now. */
function whichBackup(record: RestoreRecord, sha256: string): string {
  const made = `backup sha256 ${record.sha256.slice(0, 16)}…`;
  return record.sha256 === sha256 || record.sha256 === "?"
    ? made
    : `${made}; the backup is now ${sha256.slice(0, 16)}…`;
}

function madeEarlier(record: RestoreRecord): string {
  if (record.unanswered) return `was sent at ${record.startedAt} and its answer never came`;
  if (record.state === "accepted") {
    return `was made at ${record.startedAt} (the client accepted it; that deployment stopped before it finished)`;
  }
  return `was made at ${record.startedAt}`;
}

/**
 * Sends the restore unless a record says it may already have happened. Resolves once the client
 * accepted it (or it was adopted); the caller waits for health, then calls `finish`.
 */
export async function restoreOnce(api: WhatsAppClient, intent: RestoreIntent, password: string, data: string) {
  const { target, sha256 } = intent;
  const path = recordPath(target, intent.triggers);
  const found = beforeSending(path, () => findRecord(intent));
  const existing = found?.record;
  if (found && existing?.state === "adopt") {
    pulumi.log.warn(
      `${target}: recording the interrupted restore of this backup as done (${found.path}); nothing sent`,
    );
    return recorded(found.path, existing);
  }
  if (found && (existing?.state === "done" || existing?.state === "accepted")) {
    pulumi.log.warn(
      `${target}: the restore onto this client with these triggers (${whichBackup(existing, sha256)}) ${madeEarlier(existing)}; ` +
        `it is recorded, not sent again (${found.path}). To restore again on purpose, give this resource a new \`triggers\` value`,
    );
    return recorded(found.path, existing);
  }
  if (found && existing) {
    throw new RestoreUnfinishedError({
      target,
      sha256: existing.sha256,
      state: existing.state,
      startedAt: existing.startedAt,
      recordPath: found.path,
    });
  }
  const startedAt = new Date().toISOString();
  beforeSending(path, () => writeRecord(path, { target, sha256, state: "sending", startedAt }));
  pulumi.log.info(
    `${target}: restoring a backup (sha256 ${sha256.slice(0, 16)}…); contacts will see a new security code`,
  );
  try {
    await restoreBackup(api, password, data);
  } catch (error) {
    // Certainly refused: no trace needed. Otherwise it may have landed: counted as made, so no
    // create of the same intent sends it again, whether or not Pulumi records this one.
    if (certainlyNotApplied(error)) removeRecord(path);
    else writeRecord(path, { target, sha256, state: "done", startedAt, unanswered: true });
    throw error;
  }
  writeRecord(path, { target, sha256, state: "accepted", startedAt });
  return { path, adopted: false, startedAt } satisfies RestoreTicket;
}

/** Copies the record of a restore to the client's new address, so it still guards the intent there. */
export function carryRecord(intent: RestoreIntent, to: string): void {
  const from = earlierRestore(intent);
  const path = recordPath(to, intent.triggers);
  const record = from?.record ?? { sha256: intent.sha256, state: "done" as const, startedAt: "an earlier deployment" };
  writeRecord(path, { ...record, target: to });
}

/** The ticket of a restore a record says was made: nothing is sent. */
function recorded(path: string, earlier: RestoreRecord): RestoreTicket {
  return { path, adopted: true, earlier, startedAt: earlier.startedAt };
}

/** A record that cannot be read or written stops the restore before anything is sent. */
function beforeSending<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new ConfigError(
      `the restore record ${path} cannot be read or written (${(error as { code?: string }).code ?? String(error)}); ` +
        "nothing was sent. Make its directory writable, or set WHATSAPP_RESTORE_RECORD_DIR to one that is",
    );
  }
}

/** Marks the restore complete: Pulumi records the resource as soon as create returns. */
export function finish(ticket: RestoreTicket, target: string, sha256: string): void {
  const record = readRecord(ticket.path);
  writeRecord(ticket.path, {
    ...record,
    target,
    sha256,
    state: "done",
    startedAt: record?.startedAt ?? new Date().toISOString(),
  });
}
