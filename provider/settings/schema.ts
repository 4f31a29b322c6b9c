/**
 * The application settings, once: each leaf is a zod type registered with its wire name,
 * default, allowed values, restart flag and the client versions that introduced or deprecated
 * it. The input type, validation, the camelCase ↔ wire mapping, version gates, restart flags and
 * README's configuration table are all derived from this file.
 *
 * Each leaf has a `kind`. Every `number` field takes a number or its decimal string (`12` or
 * `"12"`, kept as the number), on input and when the client answers; `boolean` fields take
 * `true`/`false` on input and also `"true"`/`"false"` when the client answers with strings.
 * Which form a field tolerates is decided here, by its kind, never by its name.
 */
import { z } from "zod";
import { type PropertyMeta, property, propertyMeta, resourceModel } from "../model";
import { hasSpaceOrControl, URL_SPACE_OR_CONTROL_REASON } from "../url";

/** A setting's meta: every fact the settings table, the mapping and the version gates need is there. */
export type SettingMeta = PropertyMeta & Required<Pick<PropertyMeta, "wire" | "kind" | "allowed" | "restart">>;

/** A group's meta: its wire name and docs. */
export type GroupMeta = PropertyMeta & Required<Pick<PropertyMeta, "wire">>;

export const MEDIA_TYPES = ["audio", "document", "voice", "video", "image", "sticker"] as const;
export const LOG_LEVELS = ["info", "warning", "error", "fatal"] as const;
export const MAX_CONCURRENT_REQUESTS = [6, 12, 18, 24] as const;
const MAX_URL_LENGTH = 2048;

/** A setting: its value is never a secret unless its meta says so, so a refused one may be shown. */
function setting<T extends z.ZodType>(type: T, meta: SettingMeta) {
  return property(type, { shown: !meta.secret, ...meta }).optional();
}

function group<T extends z.ZodRawShape>(shape: T, meta: GroupMeta) {
  return property(z.strictObject(shape), { allowed: "an object", shown: true, ...meta }).optional();
}

/** A whole number, written as a number or as its decimal string; the number is kept. */
function numeric<T extends z.ZodType<number, number>>(inner: T) {
  return z.union([
    inner,
    z
      .string()
      .regex(/^\d{1,10}$/)
      .transform(Number)
      .pipe(inner),
  ]);
}

const flag = () => z.boolean();
const seconds = () => numeric(z.number().int().nonnegative().max(86_400));
// Documented as strings, returned as numbers by every captured client.
const milliseconds = () => numeric(z.number().int().nonnegative().max(2_147_483_647));
/** Why a webhook URL with `user:password@` is refused; check reports it as the reason. */
export const WEBHOOK_USER_INFO_REASON =
  "must not carry credentials before the host (user:password@); put the shared secret in the query string (?auth=...), which is kept secret";
const httpsUrl = () =>
  z
    .string()
    .max(MAX_URL_LENGTH)
    .refine((value) => !hasSpaceOrControl(value), { params: { reason: URL_SPACE_OR_CONTROL_REASON } })
    .refine((value) => value === "" || isHttpsUrl(value))
    .refine((value) => !hasUserInfo(value), { params: { reason: WEBHOOK_USER_INFO_REASON } });

/**
 * A list that names a value twice is refused rather than cut down: the program says something the
 * client cannot hold, and preview and apply must agree on what is sent.
 */
function refuseDuplicates(items: readonly string[], context: z.RefinementCtx): void {
  const twice = [...new Set(items.filter((item, i) => items.indexOf(item) !== i))];
  if (twice.length === 0) return;
  const reason = `must name each value once; listed more than once: ${twice.join(", ")}`;
  context.addIssue({ code: "custom", message: reason, params: { reason } });
}

export function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Whether a URL names a user or password before its host (`https://user:pass@host`). */
export function hasUserInfo(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username !== "" || url.password !== "";
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value);
  }
}

const boolean = "true or false";

export const ApplicationSettingsSchema = z.strictObject({
  callbackPersist: setting(flag(), {
    wire: "callback_persist",
    kind: "boolean",
    description: "Keep callbacks on disk until the webhook acknowledges them.",
    default: true,
    allowed: boolean,
    restart: true,
  }),
  callbackBackoffDelayMs: setting(milliseconds(), {
    wire: "callback_backoff_delay_ms",
    kind: "number",
    description: "Linear back-off step for failed callbacks, in milliseconds (capped by maxCallbackBackoffDelayMs).",
    default: 3000,
    allowed: "a whole number of milliseconds, 0 or more (a numeric string is accepted)",
    restart: false,
  }),
  maxCallbackBackoffDelayMs: setting(milliseconds(), {
    wire: "max_callback_backoff_delay_ms",
    kind: "number",
    description: "Cap of the callback back-off, in milliseconds; retries go on at the cap.",
    default: 900000,
    allowed: "a whole number of milliseconds, 0 or more (a numeric string is accepted)",
    restart: false,
  }),
  heartbeatInterval: setting(seconds(), {
    wire: "heartbeat_interval",
    kind: "number",
    description: "Multiconnect: seconds between the master's heartbeats to each Coreapp.",
    default: 5,
    allowed: "a whole number of seconds from 0 to 86400",
    restart: false,
  }),
  unhealthyInterval: setting(seconds(), {
    wire: "unhealthy_interval",
    kind: "number",
    description: "Multiconnect: seconds without a heartbeat before a Coreapp is failed over.",
    default: 30,
    allowed: "a whole number of seconds from 0 to 86400",
    restart: false,
  }),
  axolotlContextStripingDisabled: setting(flag(), {
    wire: "axolotl_context_striping_disabled",
    kind: "boolean",
    description:
      "Turn off the extra database connections added in v2.25 (for deployments hitting DB connection limits).",
    default: false,
    allowed: boolean,
    restart: true,
  }),
  notifyUserChangeNumber: setting(flag(), {
    wire: "notify_user_change_number",
    kind: "boolean",
    description: "Send the `user_changed_number` system notification.",
    default: false,
    allowed: boolean,
    restart: false,
  }),
  showSecurityNotifications: setting(flag(), {
    wire: "show_security_notifications",
    kind: "boolean",
    description: "Send `user_identity_changed` webhooks; sends to that user block until acknowledged.",
    default: false,
    allowed: boolean,
    restart: false,
  }),
  skipReferralMediaDownload: setting(flag(), {
    wire: "skip_referral_media_download",
    kind: "boolean",
    description: "Do not download the media of click-to-WhatsApp ads.",
    default: false,
    allowed: boolean,
    restart: false,
  }),
  sentStatus: setting(flag(), {
    wire: "sent_status",
    kind: "boolean",
    description: "Legacy switch for `sent` status callbacks; prefer webhooks.message.sent.",
    default: false,
    allowed: boolean,
    restart: false,
  }),
  garbagecollectorEnable: group(
    {
      messages: setting(flag(), {
        wire: "messages",
        kind: "boolean",
        description: "Automatic message garbage collection; turn it off during large campaigns.",
        default: true,
        allowed: boolean,
        restart: true,
        since: "2.49.1",
      }),
      media: setting(flag(), {
        wire: "media",
        kind: "boolean",
        description: "Automatic media garbage collection.",
        default: false,
        allowed: boolean,
        restart: true,
        since: "2.49.1",
      }),
    },
    { wire: "garbagecollector_enable", description: "Automatic garbage collection of messages and media." },
  ),
  media: group(
    {
      autoDownload: setting(z.array(z.enum(MEDIA_TYPES)).max(MEDIA_TYPES.length).superRefine(refuseDuplicates), {
        wire: "auto_download",
        kind: "list",
        description: "Media types downloaded automatically; order does not matter.",
        default: [...MEDIA_TYPES],
        allowed: `a list of ${MEDIA_TYPES.join(", ")}`,
        restart: false,
      }),
    },
    { wire: "media", description: "Media settings." },
  ),
  webhooks: group(
    {
      url: setting(httpsUrl(), {
        wire: "url",
        kind: "url",
        description:
          'Where callbacks are sent. HTTPS only; "" clears it. A shared secret in the query string (`?auth=...`) is kept secret.',
        default: "",
        allowed: `an https:// URL of at most ${MAX_URL_LENGTH} characters, or ""`,
        restart: false,
        secret: true,
      }),
      maxConcurrentRequests: setting(numeric(z.literal(MAX_CONCURRENT_REQUESTS)), {
        wire: "max_concurrent_requests",
        kind: "number",
        description: "Most callback requests in flight at once.",
        default: 6,
        allowed: MAX_CONCURRENT_REQUESTS.join(", "),
        restart: true,
      }),
      message: group(
        {
          sent: setting(flag(), {
            wire: "sent",
            kind: "boolean",
            description: "Send `sent` message-status webhooks.",
            default: true,
            allowed: boolean,
            restart: false,
            since: "2.41.2",
          }),
          delivered: setting(flag(), {
            wire: "delivered",
            kind: "boolean",
            description: "Send `delivered` message-status webhooks.",
            default: true,
            allowed: boolean,
            restart: false,
            since: "2.41.2",
          }),
          read: setting(flag(), {
            wire: "read",
            kind: "boolean",
            description: "Send `read` message-status webhooks.",
            default: false,
            allowed: boolean,
            restart: false,
            since: "2.41.2",
          }),
        },
        { wire: "message", description: "Which message-status webhooks to receive." },
      ),
    },
    { wire: "webhooks", description: "Webhook (callback) settings." },
  ),
  verboseLogging: setting(flag(), {
    wire: "verbose_logging",
    kind: "boolean",
    description: "Verbose Coreapp logs, for testing only; logLevel is ignored while it is on.",
    default: false,
    allowed: boolean,
    restart: true,
    since: "2.51.1",
  }),
  logLevel: setting(z.enum(LOG_LEVELS), {
    wire: "log_level",
    kind: "enum",
    description: "Coreapp log level; each level logs less than the one before.",
    default: "info",
    allowed: LOG_LEVELS.join(", "),
    restart: true,
    since: "2.51.1",
  }),
  passThrough: setting(flag(), {
    wire: "pass_through",
    kind: "boolean",
    description: "Delete messages from the local database once delivered or read.",
    default: false,
    allowed: boolean,
    restart: true,
    deprecated: { since: "2.35.0", note: "it cannot be re-enabled any more; remove it" },
  }),
  dbGarbagecollectorEnable: setting(flag(), {
    wire: "db_garbagecollector_enable",
    kind: "boolean",
    description: "The old switch for message database garbage collection.",
    default: true,
    allowed: boolean,
    restart: true,
    deprecated: { since: "2.39.0", note: "use garbagecollectorEnable" },
  }),
  webhookPayloadConversationPricingmodelDisabled: setting(flag(), {
    wire: "webhook_payload_conversation_pricingmodel_disabled",
    kind: "boolean",
    description: "Leave conversation and pricing information out of status webhooks.",
    default: false,
    allowed: boolean,
    restart: false,
    deprecated: { since: "2.39.0", note: "remove it" },
  }),
});

/** The settings as a program writes them (numeric strings allowed where the API allows them). */
export type ApplicationSettingsInput = z.input<typeof ApplicationSettingsSchema>;
/** The settings after validation and normalisation. */
export type ApplicationSettings = z.output<typeof ApplicationSettingsSchema>;

/** One leaf of the schema, with both of its names. */
export interface Field {
  /** camelCase path, as in programs and check failures: `webhooks.maxConcurrentRequests`. */
  path: string;
  /** Wire path: `webhooks.max_concurrent_requests`. */
  wirePath: string;
  schema: z.ZodType;
  meta: SettingMeta;
}

function unwrapOptional(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
}

function collect(shape: z.ZodRawShape, prefix: string, wirePrefix: string): Field[] {
  const fields: Field[] = [];
  for (const [key, value] of Object.entries(shape)) {
    const inner = unwrapOptional(value as z.ZodType);
    const meta = propertyMeta.get(inner);
    const path = prefix + key;
    if (inner instanceof z.ZodObject) {
      fields.push(...collect(inner.shape, `${path}.`, `${wirePrefix}${meta?.wire ?? key}.`));
    } else if (meta) {
      fields.push({ path, wirePath: wirePrefix + (meta.wire ?? key), schema: inner, meta: meta as SettingMeta });
    }
  }
  return fields;
}

/** Every setting, in schema order. */
export const FIELDS: readonly Field[] = collect(ApplicationSettingsSchema.shape, "", "");

export const FIELDS_BY_PATH: ReadonlyMap<string, Field> = new Map(FIELDS.map((f) => [f.path, f]));

/** camelCase paths of the groups (`webhooks`, `webhooks.message`), whose values are objects. */
export const GROUP_PATHS: ReadonlySet<string> = new Set(
  FIELDS.flatMap((f) => {
    const parts = f.path.split(".");
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("."));
  }),
);

/** Paths whose change needs a Coreapp restart: restart-required fields and the groups holding one. */
export const RESTART_PATHS: ReadonlySet<string> = new Set(
  [...GROUP_PATHS, ...FIELDS.map((f) => f.path)].filter((path) =>
    FIELDS.some((f) => f.meta.restart && (f.path === path || f.path.startsWith(`${path}.`))),
  ),
);

/** Read-only fields the API returns but never takes. */
export const READ_ONLY = new Map([["waId", "wa_id"]]);

/** `ApplicationSettings`: the settings above as inputs, and what each apply reports besides them. */
export const ApplicationSettingsModel = resourceModel({
  type: "ApplicationSettings",
  path: "/v1/settings/application",
  description: "The application settings of a WhatsApp Business API client (`/v1/settings/application`).",
  noun: "a setting",
  inputs: ApplicationSettingsSchema,
  settingsTree: true,
  outputs: z.object({
    restartRequired: property(z.boolean(), {
      description: "Whether a change of this deployment takes effect only after a Coreapp restart.",
    }),
    restartRequiredFields: property(z.array(z.string()), {
      description: 'camelCase paths of the restart-required settings this deployment changed, e.g. `["logLevel"]`.',
    }),
    apiVersion: property(z.string(), { description: "The client's `meta.version`, e.g. `v2.53.2`." }),
    baseUrl: property(z.string(), {
      description: "The client this resource manages (its normalized base URL).",
    }),
    waId: property(z.string(), {
      description:
        'The client\'s registered number (`wa_id`), `""` when it has none: an address change that reaches the same number is an address change, not another client.',
    }),
    sharesClient: property(z.boolean(), {
      description:
        "Other `ApplicationSettings` of the program managed this client too at the last apply: deleting this one resets only its own fields, never the whole client.",
    }),
  }),
  storesConnection: true,
});
