/**
 * `MediaProvider`, described once: one entry of the client's `media.providers` list, with the
 * reasons check reports. Every reason is a fixed sentence; a failure repeats a refused value only
 * for `name` and `type`, never for `config`, which holds credentials.
 */
import { z } from "zod";
import { property, resourceModel } from "../model";

/** The provider types a program may set; the API also knows an internal `everstore`, not for users. */
export const MEDIA_PROVIDER_TYPES = ["www"] as const;

// Documented by Sinch for its wrapper of this API since 2020-03-10; unverified for Meta's client.
const NAME_PATTERN = /^[A-Za-z_-]{1,200}$/;
const NAME_REASON = "must be 1 to 200 characters, each a letter (A-Z, a-z), `_` or `-`";
const TYPE_REASON = `must be one of: ${MEDIA_PROVIDER_TYPES.map((t) => JSON.stringify(t)).join(", ")}`;

/**
 * The shortest bearer token or password a program may give. Messages are cut of every form a
 * server may echo a secret in (plain, JSON, percent, form, base64); below this length those forms
 * are too short to cut without mangling every message, so such a secret is refused at check.
 */
export const SECRET_MIN_LENGTH = 8;

const credential = (description: string, min: number) => property(z.string().min(min), { description });

/**
 * How the client authenticates to the media host: exactly one of the two forms (a new schema each
 * call). `secretMin` is the shortest token or password: the program's must be safe to redact, what
 * a client lists is taken as it is.
 */
function mediaProviderConfig(secretMin = 1) {
  return z.union([
    z.strictObject({
      bearer: credential(
        "Sent as `Authorization: Bearer <token>` when the client fetches media from the host.",
        secretMin,
      ),
    }),
    z.strictObject({
      basic: property(
        z.strictObject({
          username: credential("The user name for the host.", 1),
          password: credential("Its password.", secretMin),
        }),
        { description: "HTTP basic credentials for the host." },
      ),
    }),
  ]);
}

const NAMED_CONFIG = {
  name: "MediaProviderConfig",
  description: "How the client authenticates to the media host: exactly one of the two forms.",
};

export type MediaProviderConfig = z.output<ReturnType<typeof mediaProviderConfig>>;

export const MediaProviderModel = resourceModel({
  type: "MediaProvider",
  path: "/v1/settings/application/media/providers",
  description:
    "A media provider of one client (`/v1/settings/application/media/providers`): a host the client may fetch media from by URL.",
  inputs: z.strictObject({
    name: property(z.string({ error: NAME_REASON }).regex(NAME_PATTERN, NAME_REASON), {
      description:
        "The provider's name on the client, which media messages refer to: 1 to 200 letters, `_` or `-`. Under a new name, the new provider is added before the old one is deleted.",
      replaces: true,
      shown: true,
    }),
    type: property(z.enum(MEDIA_PROVIDER_TYPES, { error: TYPE_REASON }).default("www"), {
      description: 'The kind of host; the API allows only `"www"` (HTTP(S) hosts).',
      shown: true,
    }),
    config: property(mediaProviderConfig(SECRET_MIN_LENGTH), {
      description: "`{ bearer }` or `{ basic: { username, password } }`. A change updates it in place.",
      allowed: `exactly one of {bearer: string} or {basic: {username: string, password: string}}, the username non-empty, the bearer token and the password at least ${SECRET_MIN_LENGTH} characters (a shorter secret cannot be kept out of messages)`,
      secret: true,
      whole: true,
      named: NAMED_CONFIG,
    }),
    adopt: property(z.boolean({ error: "must be true or false" }).optional(), {
      description:
        "Take over a provider of this name the client already holds and this stack did not create: its type and credentials are overwritten, and a delete removes it. Without it, create refuses such a provider before sending anything. Only create reads it.",
      allowed: "true or false",
      shown: true,
    }),
  }),
  outputs: z.object({
    name: property(z.string(), { description: "The provider's name on the client." }),
    type: property(z.string(), { description: 'The kind of host, `"www"`.' }),
    config: property(mediaProviderConfig(), {
      description: "The credentials as the client holds them, also after a refresh reads them back.",
      secret: true,
      named: NAMED_CONFIG,
    }),
    baseUrl: property(z.string(), { description: "The client this provider is on (its normalized base URL)." }),
    claimedAt: property(z.string(), {
      description:
        "When this resource created or adopted the provider (ISO 8601). A delete leaves the provider to a replacement of the same name created later in the deployment.",
    }),
  }),
  storesConnection: true,
});

/** The credentials a config holds, to cut from every message. */
export function credentialsOf(config: unknown): string[] {
  if (typeof config === "string") return [config];
  if (Array.isArray(config)) return config.flatMap(credentialsOf);
  if (typeof config === "object" && config !== null) return Object.values(config).flatMap(credentialsOf);
  return [];
}
