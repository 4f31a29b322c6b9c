/** What the backup and health calls answer, checked before a backup or a restore uses it. */
import { z } from "zod";

export const BackupResponseSchema = z.looseObject({ settings: z.looseObject({ data: z.string().min(1) }) });
/** Polled after a restore until the client's gateway is back. */
export const HealthResponseSchema = z.looseObject({ health: z.record(z.string(), z.unknown()) });
