/**
 * `SettingsBackup` and `SettingsRestore`, each described once: inputs with the reasons check
 * reports, and outputs. Every reason is a fixed sentence, never the value: the engine hands
 * secrets to check as plain values.
 */
import { z } from "zod";
import { property, resourceModel } from "../model";

const HEALTH_TIMEOUT_REASON = "must be a whole number of milliseconds from 0 to 3600000 (one hour)";
const PASSWORD_REASON =
  "must be a non-empty string; keep it: a restore needs this same password together with the backup data";
const DATA_REASON = "must be the backup data (a non-empty string)";
const SHA256_REASON = "must be 64 hexadecimal characters (a SHA-256)";

const apiVersion = (what: string) => property(z.string(), { description: `\`meta.version\` of the client ${what}.` });

export const SettingsBackupModel = resourceModel({
  type: "SettingsBackup",
  path: "/v1/settings/backup",
  description: "One backup of a client's settings and registration (`POST /v1/settings/backup`).",
  inputs: z.strictObject({
    password: property(
      z.string({ error: PASSWORD_REASON }).min(1, PASSWORD_REASON).max(256, "must be at most 256 characters"),
      { description: "Encrypts the backup. A restore needs it together with `data`.", secret: true, replaces: true },
    ),
    triggers: property(z.unknown().optional(), {
      description: "Any values; when they change, a new backup is taken.",
      replaces: true,
    }),
    outputFile: property(z.string({ error: "must be a file path" }).min(1, "must be a file path").optional(), {
      description:
        "Also write the backup blob to this local file (mode 0600, written atomically). A new path is written from the backup in state, without a new backup.",
    }),
  }),
  outputs: z.object({
    data: property(z.string(), { description: "The encrypted backup.", secret: true }),
    sha256: property(z.string(), { description: "SHA-256 (hex) of `data`; give it to a restore as `expectedSha256`." }),
    sizeBytes: property(z.number(), { description: "Length of `data` in bytes." }),
    apiVersion: apiVersion("the backup was taken on"),
    createdAt: property(z.string(), { description: "When the backup was taken (ISO 8601)." }),
    baseUrl: property(z.string(), { description: "The client the backup was taken on (its normalized base URL)." }),
  }),
  storesConnection: false,
  oneShot: true,
});

export const SettingsRestoreModel = resourceModel({
  type: "SettingsRestore",
  path: "/v1/settings/restore",
  description: "A backup restored onto a client (`POST /v1/settings/restore`), exactly once.",
  inputs: z.strictObject({
    data: property(z.string({ error: DATA_REASON }).min(1, DATA_REASON), {
      description: "The backup blob, usually `backup.data` of a `SettingsBackup` on another client.",
      secret: true,
    }),
    password: property(z.string({ error: PASSWORD_REASON }).min(1, PASSWORD_REASON), {
      description: "The password the backup was taken with.",
      secret: true,
    }),
    expectedSha256: property(
      z
        .string({ error: SHA256_REASON })
        .regex(/^[0-9a-fA-F]{64}$/, SHA256_REASON)
        .optional(),
      { description: "SHA-256 (hex) the data must have; checked before anything is sent." },
    ),
    triggers: property(z.unknown().optional(), {
      description:
        "Any values; when they change, the backup is restored again. A new `data` alone restores nothing (a restore shows every contact a new security code): change this on purpose.",
      replaces: true,
    }),
    waitForHealthy: property(z.boolean({ error: "must be true or false" }).default(true), {
      description: "Wait until the client answers and reports connected/connecting again.",
    }),
    healthTimeoutMs: property(
      z
        .number({ error: HEALTH_TIMEOUT_REASON })
        .int(HEALTH_TIMEOUT_REASON)
        .min(0, HEALTH_TIMEOUT_REASON)
        .max(3_600_000, HEALTH_TIMEOUT_REASON)
        .default(300_000),
      { description: "How long to wait for health, in milliseconds." },
    ),
  }),
  outputs: z.object({
    sha256: property(z.string(), { description: "SHA-256 (hex) of the restored data." }),
    restartRequired: property(z.boolean(), {
      description: "The client stopped after the restore and had not come back within `healthTimeoutMs`.",
    }),
    gatewayStatus: property(z.string(), {
      description: "The gateway status `/v1/health` reported last, e.g. `connected`.",
    }),
    restoredAt: property(z.string(), { description: "When the restore was sent (ISO 8601)." }),
    apiVersion: apiVersion("at the restore, e.g. `v2.53.2`"),
    baseUrl: property(z.string(), { description: "The client restored onto (its normalized base URL)." }),
    waId: property(z.string(), {
      description:
        'The target\'s registered number (`wa_id`) read after the restore, `""` when unknown: an address change that reaches the same number restores nothing again.',
    }),
    alreadyRestored: property(z.boolean(), {
      description:
        "The same restore (client, data and `triggers`) was made before this resource was created, at `restoredAt`: nothing was sent.",
    }),
  }),
  storesConnection: true,
  oneShot: true,
});
