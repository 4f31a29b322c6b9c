/**
 * Inputs of `MediaProvider`: one entry of the client's `media.providers` list, with the reasons
 * check reports. Every reason is a fixed sentence, never the value: `config` holds credentials.
 */
import { z } from "zod";

/** The provider types a program may set; the API also knows an internal `everstore`, not for users. */
export const MEDIA_PROVIDER_TYPES = ["www"] as const;

// Documented by Sinch for its wrapper of this API since 2020-03-10; unverified for Meta's client.
const NAME_PATTERN = /^[A-Za-z_-]{1,200}$/;
const NAME_REASON = "must be 1 to 200 characters, each a letter (A-Z, a-z), `_` or `-`";
const TYPE_REASON = `must be one of: ${MEDIA_PROVIDER_TYPES.map((t) => JSON.stringify(t)).join(", ")}`;
const CONFIG_REASON =
  "must be exactly one of {bearer: string} or {basic: {username: string, password: string}}, each string non-empty";

const credential = z.string({ error: CONFIG_REASON }).min(1, CONFIG_REASON);

export const MediaProviderConfigSchema = z.union(
  [
    z.strictObject({ bearer: credential }, { error: CONFIG_REASON }),
    z.strictObject(
      { basic: z.strictObject({ username: credential, password: credential }, { error: CONFIG_REASON }) },
      { error: CONFIG_REASON },
    ),
  ],
  { error: CONFIG_REASON },
);

export type MediaProviderConfig = z.output<typeof MediaProviderConfigSchema>;

export const MediaProviderSchema = z.strictObject({
  /** The provider's name on the client; media messages refer to it. A new name replaces the resource. */
  name: z.string({ error: NAME_REASON }).regex(NAME_PATTERN, NAME_REASON),
  /** The kind of host. @default "www" */
  type: z.enum(MEDIA_PROVIDER_TYPES, { error: TYPE_REASON }).default("www"),
  /** How the client authenticates to the host: a bearer token or basic credentials. Stored secret. */
  // One failure for the whole config: zod would name the inner key of whichever form it guessed.
  config: z.custom<MediaProviderConfig>((value) => MediaProviderConfigSchema.safeParse(value).success, CONFIG_REASON),
});

export type MediaProviderInput = z.input<typeof MediaProviderSchema>;

/** The credentials a config holds, to cut from every message. */
export function credentialsOf(config: unknown): string[] {
  if (typeof config === "string") return [config];
  if (Array.isArray(config)) return config.flatMap(credentialsOf);
  if (typeof config === "object" && config !== null) return Object.values(config).flatMap(credentialsOf);
  return [];
}
