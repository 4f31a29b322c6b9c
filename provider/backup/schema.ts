/**
 * Inputs of `SettingsBackup` and `SettingsRestore`: zod schemas with the reasons check reports.
 */
import { z } from "zod";
import { checkConnection, containsUnknown, withoutUnknowns } from "../settings/inputs";

const HEALTH_TIMEOUT_REASON = "must be a whole number of milliseconds from 0 to 3600000 (one hour)";
const PASSWORD_REASON =
  "must be a non-empty string; keep it: a restore needs this same password together with the backup data";

export const SettingsBackupSchema = z.strictObject({
  /** Encrypts the backup. A restore needs it together with `data`. */
  password: z.string({ error: PASSWORD_REASON }).min(1, PASSWORD_REASON).max(256, "must be at most 256 characters"),
  /** Any values; when they change, a new backup is taken. */
  triggers: z.unknown().optional(),
  /** Also write the backup blob to this local file (mode 0600, written atomically). */
  outputFile: z.string({ error: "must be a file path" }).min(1, "must be a file path").optional(),
});

export type SettingsBackupInput = z.input<typeof SettingsBackupSchema>;

export const SettingsRestoreSchema = z.strictObject({
  /** The backup blob, usually `backup.data` of a `SettingsBackup` on another client. */
  data: z
    .string({ error: "must be the backup data (a non-empty string)" })
    .min(1, "must be the backup data (a non-empty string)"),
  /** The password the backup was taken with. */
  password: z.string({ error: PASSWORD_REASON }).min(1, PASSWORD_REASON),
  /** SHA-256 (hex) the data must have; checked before anything is sent. */
  expectedSha256: z
    .string({ error: "must be 64 hexadecimal characters (a SHA-256)" })
    .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hexadecimal characters (a SHA-256)")
    .optional(),
  /**
   * Any values; when they change, the backup is restored again. A new `data` alone restores
   * nothing (a restore shows every contact a new security code): change this on purpose.
   */
  triggers: z.unknown().optional(),
  /** Wait until the client answers and reports connected/connecting again. @default true */
  waitForHealthy: z.boolean({ error: "must be true or false" }).optional(),
  /** How long to wait for health, in milliseconds. @default 300000 */
  healthTimeoutMs: z
    .number({ error: HEALTH_TIMEOUT_REASON })
    .int(HEALTH_TIMEOUT_REASON)
    .min(0, HEALTH_TIMEOUT_REASON)
    .max(3_600_000, HEALTH_TIMEOUT_REASON)
    .optional(),
});

export type SettingsRestoreInput = z.input<typeof SettingsRestoreSchema>;

/**
 * One check failure per zod issue, named by property. Every reason is a fixed sentence of the
 * schema above, never the value: the engine hands secrets to check as plain values.
 */
export function failuresOf(error: z.ZodError): Array<{ property: string; reason: string }> {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ property: key, reason: "is not an input of this resource" }))
      : [{ property: issue.path.join(".") || "(inputs)", reason: issue.message }],
  );
}

/**
 * `check` of a one-shot resource: the schema's failures and the connection's, ignoring what the
 * engine and the outputs add to the inputs (`__provider`, the output properties) and values
 * Pulumi does not know yet. An unknown required value counts as present.
 */
export function checkOneShot(schema: z.ZodType, outputKeys: readonly string[], news: Record<string, unknown>) {
  const ignored = new Set(["__provider", "connection", ...outputKeys]);
  // What is not known yet (preview) cannot be wrong yet: validate the rest.
  const inputs = withoutUnknowns(Object.fromEntries(Object.entries(news).filter(([key]) => !ignored.has(key))));
  const parsed = schema.safeParse(inputs);
  const failures = (parsed.success ? [] : failuresOf(parsed.error)).filter(
    (failure) => !containsUnknown(news[failure.property.split(".")[0] as string]),
  );
  if (news.connection !== undefined && news.connection !== null) failures.push(...checkConnection(news.connection));
  return { inputs: news, failures };
}
