/** The calls `SettingsBackup` and `SettingsRestore` make: backup, restore, and health while a client restarts. */
import { z } from "zod";
import { type Meta, WhatsAppClient } from "../client";
import { SettingsBackupModel, SettingsRestoreModel } from "./schema";

const BackupResponseSchema = z.looseObject({ settings: z.looseObject({ data: z.string().min(1) }) });
/** Polled after a restore until the client's gateway is back. */
const HealthResponseSchema = z.looseObject({ health: z.record(z.string(), z.unknown()) });

/** A new backup of the client, sealed with `password`; the same POST twice only takes two backups. */
export async function takeBackup(
  api: WhatsAppClient,
  password: string,
): Promise<{ data: string; meta: Meta | undefined }> {
  const { data, meta } = await api.request(
    "POST",
    SettingsBackupModel.path,
    BackupResponseSchema,
    "{settings: {data}}",
    { password },
    { idempotent: true, secrets: [password] },
  );
  return { data: data.settings.data, meta };
}

/** Never retried once the request may have reached the client: a restore is user-visible. */
export async function restoreBackup(api: WhatsAppClient, password: string, data: string): Promise<void> {
  const path = SettingsRestoreModel.path;
  const reply = await api.call("POST", path, { password, data }, { idempotent: false, secrets: [password, data] });
  // A 200 that carries errors did not restore: the API reports refusals in the envelope.
  const refusal = WhatsAppClient.refusalIn(reply, "POST", path, [password, data]);
  if (refusal) throw refusal;
}

/**
 * The client's health, polled while it restarts: one attempt, and a login that failed for want of
 * an answer is tried again (one refused for its credentials is not).
 */
export async function health(api: WhatsAppClient): Promise<Record<string, unknown>> {
  api.retryUnansweredLogin();
  const { data } = await api.request("GET", "/v1/health", HealthResponseSchema, "{health: {...}}", undefined, {
    attempts: 1,
  });
  return data.health;
}
