/**
 * The one way this package sends a restore. A restore shows every contact of the business a new
 * security code and cannot be undone, so it is guarded like `rm -rf`:
 *
 * - it goes to the client the resource is created on, once: the POST is never retried once it may
 *   have reached the client;
 * - before the POST a durable record of the intent is written (restore-record.ts); a record a
 *   dead deployment left unfinished refuses the next attempt before anything is sent;
 * - it logs what it is about to do.
 */
import * as pulumi from "@pulumi/pulumi";
import type { WhatsAppClient } from "../client";
import { ConfigError, certainlyNotApplied, RestoreUnfinishedError } from "../errors";
import { readRecord, recordPath, removeRecord, writeRecord } from "./restore-record";

export interface RestoreTicket {
  /** Where the record lives; `finish` marks it done. */
  path: string;
  /** A person confirmed that an interrupted restore landed: record it, send nothing. */
  adopted: boolean;
}

/**
 * Sends the restore unless a record says it may already have happened. Resolves once the client
 * accepted it (or it was adopted); the caller waits for health, then calls `finish`.
 */
export async function restoreOnce(api: WhatsAppClient, target: string, sha256: string, password: string, data: string) {
  const path = recordPath(target, sha256);
  const existing = beforeSending(path, () => readRecord(path));
  if (existing?.state === "adopt") {
    pulumi.log.warn(`${target}: recording the interrupted restore of this backup as done (${path}); nothing sent`);
    return { path, adopted: true } satisfies RestoreTicket;
  }
  if (existing && existing.state !== "done") {
    throw new RestoreUnfinishedError({
      target,
      sha256,
      state: existing.state,
      startedAt: existing.startedAt,
      recordPath: path,
    });
  }
  const startedAt = new Date().toISOString();
  beforeSending(path, () => writeRecord(path, { target, sha256, state: "sending", startedAt }));
  pulumi.log.info(
    `${target}: restoring a backup (sha256 ${sha256.slice(0, 16)}…); contacts will see a new security code`,
  );
  try {
    await api.restore(password, data);
  } catch (error) {
    // Certainly refused: no trace needed. Otherwise Pulumi records the resource from the error,
    // which guards the next `up` from here on.
    if (certainlyNotApplied(error)) removeRecord(path);
    else writeRecord(path, { target, sha256, state: "done", startedAt });
    throw error;
  }
  writeRecord(path, { target, sha256, state: "accepted", startedAt });
  return { path, adopted: false } satisfies RestoreTicket;
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
  writeRecord(ticket.path, { target, sha256, state: "done", startedAt: record?.startedAt ?? new Date().toISOString() });
}
