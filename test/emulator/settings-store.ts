/**
 * The Coreapp's application settings, written down independently of the provider's schema so
 * that the emulator can catch mistakes in it. Each field: wire path, check, default, the version
 * that introduced it, the version that deprecated it (gone from GET, silently dropped on PATCH)
 * and whether a change takes effect only after a Coreapp restart.
 */
import { ApiFailure } from "./envelope";
import { atLeast, type Version } from "./version";

type Check = (value: unknown) => string | undefined;

interface Field {
  path: string;
  check: Check;
  default: unknown;
  since?: string;
  deprecatedSince?: string;
  restart: boolean;
}

const MEDIA_TYPES = ["audio", "document", "voice", "video", "image", "sticker"];
const LOG_LEVELS = ["info", "warning", "error", "fatal"];

const bool: Check = (v) => (typeof v === "boolean" ? undefined : "must be true or false");
const seconds: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : "must be a non-negative integer";
// Documented as strings, returned as numbers: the Coreapp accepts both on write.
const delay: Check = (v) =>
  (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) || (typeof v === "string" && /^\d+$/.test(v))
    ? undefined
    : "must be a non-negative number of milliseconds";
const oneOf =
  (allowed: readonly unknown[]): Check =>
  (v) =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(", ")}`;
const httpsUrl: Check = (v) => {
  if (v === "") return undefined;
  if (typeof v !== "string") return "must be a string";
  try {
    return new URL(v).protocol === "https:" ? undefined : "must be an HTTPS URL";
  } catch {
    return "must be an HTTPS URL";
  }
};
const mediaTypes: Check = (v) =>
  Array.isArray(v) && v.every((t) => MEDIA_TYPES.includes(t))
    ? undefined
    : `must be a list of ${MEDIA_TYPES.join(", ")}`;

export const FIELDS: readonly Field[] = [
  { path: "axolotl_context_striping_disabled", check: bool, default: false, restart: true },
  { path: "callback_backoff_delay_ms", check: delay, default: 3000, restart: false },
  { path: "callback_persist", check: bool, default: true, restart: true },
  { path: "db_garbagecollector_enable", check: bool, default: true, deprecatedSince: "2.39.0", restart: true },
  { path: "garbagecollector_enable.media", check: bool, default: false, since: "2.49.1", restart: true },
  { path: "garbagecollector_enable.messages", check: bool, default: true, since: "2.49.1", restart: true },
  { path: "heartbeat_interval", check: seconds, default: 5, restart: false },
  { path: "log_level", check: oneOf(LOG_LEVELS), default: "info", since: "2.51.1", restart: true },
  { path: "max_callback_backoff_delay_ms", check: delay, default: 900000, restart: false },
  { path: "media.auto_download", check: mediaTypes, default: [...MEDIA_TYPES], restart: false },
  { path: "notify_user_change_number", check: bool, default: false, restart: false },
  { path: "pass_through", check: bool, default: false, deprecatedSince: "2.35.0", restart: true },
  { path: "sent_status", check: bool, default: false, restart: false },
  { path: "show_security_notifications", check: bool, default: false, restart: false },
  { path: "skip_referral_media_download", check: bool, default: false, restart: false },
  { path: "unhealthy_interval", check: seconds, default: 30, restart: false },
  { path: "verbose_logging", check: bool, default: false, since: "2.51.1", restart: true },
  {
    path: "webhook_payload_conversation_pricingmodel_disabled",
    check: bool,
    default: false,
    deprecatedSince: "2.39.0",
    restart: false,
  },
  { path: "webhooks.max_concurrent_requests", check: oneOf([6, 12, 18, 24]), default: 6, restart: true },
  { path: "webhooks.message.delivered", check: bool, default: true, since: "2.41.2", restart: false },
  { path: "webhooks.message.read", check: bool, default: false, since: "2.41.2", restart: false },
  { path: "webhooks.message.sent", check: bool, default: true, since: "2.41.2", restart: false },
  { path: "webhooks.url", check: httpsUrl, default: "", restart: false },
];

type Flat = Map<string, unknown>;

function clone<T>(value: T): T {
  return structuredClone(value);
}

function defaults(): Flat {
  return new Map(FIELDS.map((f) => [f.path, clone(f.default)]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class SettingsStore {
  readonly version: Version;
  /** What the API reports and a PATCH writes. */
  stored: Flat = defaults();
  /** What the running Coreapp uses; restart-required fields catch up on restart. */
  effective: Flat = defaults();

  /** Wire paths this client accepts on PATCH but throws away (a quirk some builds have). */
  private readonly dropped: ReadonlySet<string>;

  constructor(version: Version, dropped: readonly string[] = []) {
    this.version = version;
    this.dropped = new Set(dropped);
  }

  /** Fields this client version reports and accepts. */
  known(): Field[] {
    return FIELDS.filter(
      (f) =>
        (!f.since || atLeast(this.version, f.since)) &&
        !(f.deprecatedSince && atLeast(this.version, f.deprecatedSince)),
    );
  }

  /** The GET body's `application` object: nested wire shape, known fields only. */
  toWire(waId: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of this.known()) setPath(out, field.path, clone(this.stored.get(field.path)));
    out.wa_id = waId;
    return sortKeys(out);
  }

  /**
   * A Webapp-style PATCH: unknown keys and keys this version does not know are dropped, what is
   * left is validated as a whole (nothing is written if any value is bad), then merged.
   */
  patch(body: unknown): void {
    if (!isObject(body)) throw new ApiFailure(1009, "No valid parameters provided");
    const known = new Map(this.known().map((f) => [f.path, f]));
    const all = new Map(FIELDS.map((f) => [f.path, f]));
    const updates: Array<[Field, unknown]> = [];
    const bad: string[] = [];
    const visit = (value: unknown, prefix: string) => {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        const path = prefix ? `${prefix}.${key}` : key;
        const field = known.get(path);
        if (field) {
          const problem = field.check(inner);
          if (problem) bad.push(`Parameter '${path}' has invalid value '${JSON.stringify(inner)}': ${problem}`);
          else updates.push([field, field.check === delay ? Number(inner) : clone(inner)]);
        } else if (path === "pass_through" && inner === true && all.get(path)?.deprecatedSince) {
          bad.push("Parameter 'pass_through' cannot be re-enabled on this version");
        } else if (FIELDS.some((f) => f.path.startsWith(`${path}.`))) {
          if (isObject(inner)) visit(inner, path);
          else bad.push(`Parameter '${path}' has invalid value '${JSON.stringify(inner)}': must be an object`);
        }
      }
    };
    visit(body, "");
    if (bad.length > 0) throw new ApiFailure(1009, bad.join("; "));
    if (updates.length === 0) throw new ApiFailure(1009, "No valid parameters provided");
    for (const [field, value] of updates) if (!this.dropped.has(field.path)) this.stored.set(field.path, value);
  }

  reset(): void {
    this.stored = defaults();
  }

  /** Restart-required fields whose stored value the running Coreapp does not use yet. */
  pendingRestart(): string[] {
    return this.known()
      .filter((f) => f.restart && !sameValue(this.stored.get(f.path), this.effective.get(f.path)))
      .map((f) => f.path);
  }

  applyNonRestartFields(): void {
    for (const f of FIELDS) if (!f.restart) this.effective.set(f.path, clone(this.stored.get(f.path)));
  }

  restart(): void {
    this.effective = clone(this.stored);
  }

  /** Settings as a plain object, for backups. */
  snapshot(): Record<string, unknown> {
    return Object.fromEntries(clone(this.stored));
  }

  /** Loads a backup's settings; fields this version does not know keep their defaults. */
  load(snapshot: Record<string, unknown>): void {
    this.stored = defaults();
    for (const field of this.known()) {
      if (field.path in snapshot) this.stored.set(field.path, clone(snapshot[field.path]));
    }
  }

  /** Writes a value behind the API's back, as an operator editing the client by hand would. */
  set(path: string, value: unknown): void {
    if (!FIELDS.some((f) => f.path === path)) throw new Error(`unknown setting ${path}`);
    this.stored.set(path, clone(value));
    this.applyNonRestartFields();
  }

  get(path: string): unknown {
    return clone(this.stored.get(path));
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, isObject(v) ? sortKeys(v) : v]),
  );
}
