/**
 * The note a `MediaProvider` create leaves before its POST: which resource of the program sent
 * which provider to which client. Pulumi records a resource only after `create` returns, so a
 * deployment killed after the POST landed leaves the provider on the client and nothing in state,
 * and the next create would take it for someone else's. With this note, the create of the same
 * resource takes its own provider back. The note goes when the resource's delete removes the
 * provider. No secret: the client's address, the provider's name, the resource's name.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { z } from "zod";
import { readJson, recordDirectory, removeRecord, writeDurably } from "../durable-record";

const SentSchema = z.looseObject({ client: z.string(), name: z.string(), resource: z.string(), sentAt: z.string() });

export type Sent = z.infer<typeof SentSchema>;

function pathOf(client: string, name: string): string {
  const key = createHash("sha256").update(`${client}#${name}`).digest("hex").slice(0, 32);
  return join(recordDirectory(), "media", `${key}.json`);
}

/** What a create of this machine sent as `name` to `client`, if a note of it is left. */
export function sentBefore(client: string, name: string): Sent | undefined {
  const parsed = SentSchema.safeParse(readJson(pathOf(client, name)));
  return parsed.success && parsed.data.client === client && parsed.data.name === name ? parsed.data : undefined;
}

/** Notes, before the POST, that `resource` sends the provider `name` to `client`. */
export function noteSending(client: string, name: string, resource: string): void {
  writeDurably(pathOf(client, name), { client, name, resource, sentAt: new Date().toISOString() });
}

/** Forgets the note once the provider is gone from the client. */
export function forgetSent(client: string, name: string): void {
  removeRecord(pathOf(client, name));
}
