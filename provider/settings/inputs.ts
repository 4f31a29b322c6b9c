/**
 * Reading a resource's raw inputs during `check`: validation against the schema with one
 * failure per property (camelCase path, allowed values, a did-you-mean for typos), tolerance of
 * Pulumi's unknown placeholder anywhere, and the warnings a deprecated field deserves.
 */
import type { z } from "zod";
import { credentialProblem, PartialConnectionSchema } from "../connection";
import { type FlatSettings, flatten, unflatten } from "./mapping";
import {
  ApplicationSettingsSchema,
  FIELDS,
  FIELDS_BY_PATH,
  GROUP_PATHS,
  hasUserInfo,
  MEDIA_TYPES,
  READ_ONLY,
  RESTART_PATHS,
} from "./schema";

const FIELD_ORDER = FIELDS.map((f) => f.path);

/** The placeholder Pulumi puts where a value is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Input keys that are not settings: the connection and what `check` and the outputs add. */
export const NON_SETTING_KEYS = new Set([
  "connection",
  "restartRequired",
  "restartRequiredFields",
  "apiVersion",
  "baseUrl",
  "clientConnection",
  "sharesClient",
  "__provider",
]);

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

/** A copy without unknown leaves, so what is known can still be validated. */
export function withoutUnknowns(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== UNKNOWN).map(withoutUnknowns);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== UNKNOWN)
        .map(([key, inner]) => [key, withoutUnknowns(inner)]),
    );
  }
  return value;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/**
 * " (did you mean x?)" for a typo or a wire name written where the camelCase one belongs, else
 * the names that are allowed at that level.
 */
function suggest(prefix: string, key: string): string {
  const siblings = new Map<string, string>();
  for (const field of FIELDS) {
    if (!field.path.startsWith(prefix)) continue;
    const rest = field.path.slice(prefix.length).split(".")[0] as string;
    const wire = field.wirePath.split(".")[prefix.split(".").length - 1] as string;
    siblings.set(rest, wire);
  }
  if (prefix === "") siblings.set("connection", "connection");
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [candidate, wire] of siblings) {
    const distance = key === wire ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best && bestDistance <= Math.max(2, Math.floor(key.length / 3))) return ` (did you mean ${best}?)`;
  return `; allowed here: ${[...siblings.keys()].join(", ")}`;
}

function allowedFor(path: string): string {
  const field = FIELDS_BY_PATH.get(path);
  if (field) return field.meta.allowed;
  if (GROUP_PATHS.has(path)) return "an object";
  return "a known setting";
}

/**
 * Whether a `webhooks` value must be stored secret: its URL carries a shared secret (query
 * string or fragment) or credentials (`user:pass@`, which check refuses), or it is not the
 * object it should be, so nothing can be said about what it holds.
 */
export function webhooksCarrySecret(webhooks: unknown): boolean {
  if (typeof webhooks !== "object" || webhooks === null || Array.isArray(webhooks)) return webhooks != null;
  const url = (webhooks as { url?: unknown }).url;
  if (url === undefined || url === null) return false;
  return typeof url !== "string" || /[?#]/.test(url) || hasUserInfo(url);
}

// Groups holding a secret field (`webhooks`): no string under them is ever repeated.
const SECRET_ROOTS = new Set(FIELDS.filter((f) => f.meta.secret).map((f) => f.path.split(".")[0] as string));
/** The longest string a failure repeats: an enum-like word, never a URL, token or password. */
const SHOWN_WORD = /^[A-Za-z0-9 _.-]{0,12}$/;

/** The value as a failure may show it, or `undefined` when it could be a secret. */
function shown(value: unknown, strings: boolean, nested = false): string | undefined {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") return String(value).length <= 12 ? String(value) : undefined;
  if (typeof value === "string") return strings && SHOWN_WORD.test(value) ? JSON.stringify(value) : undefined;
  if (Array.isArray(value) && !nested && value.length <= MEDIA_TYPES.length) {
    const items = value.map((item) => shown(item, strings, true));
    return items.every((item) => item !== undefined) ? `[${items.join(",")}]` : undefined;
  }
  return undefined;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

/**
 * "; got ..." for a refused value. The engine hands secrets to a provider as plain values, so
 * check cannot tell which were secret: it repeats only numbers, booleans and short words, never
 * a URL or anything under a group holding one; otherwise it names the type.
 */
function describe(value: unknown, path: string): string {
  if (value === undefined) return "";
  const field = FIELDS_BY_PATH.get(path);
  // The type is what was wrong, unless the field is a URL that arrived as a string: then it says nothing.
  if (field?.meta.kind === "url" && typeof value === "string") return "";
  const strings = !SECRET_ROOTS.has(path.split(".")[0] as string) && field?.meta.kind !== "url";
  return `; got ${shown(value, strings) ?? typeName(value)}`;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = root;
  for (const key of path) node = (node as Record<PropertyKey, unknown> | undefined)?.[key];
  return node;
}

function failuresFromIssues(issues: z.core.$ZodIssue[], input: unknown): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const prefix = issue.path.length ? `${issue.path.join(".")}.` : "";
      for (const key of issue.keys) {
        failures.push({ property: prefix + key, reason: `is not a setting${suggest(prefix, key)}` });
      }
      continue;
    }
    // Errors inside a list name the list: `media.autoDownload`, not `media.autoDownload.0`.
    const settingPath = issue.path.filter((key) => typeof key === "string").join(".");
    const fieldValue = valueAt(input, settingPath.split("."));
    const own = issue.code === "custom" ? (issue.params as { reason?: unknown } | undefined)?.reason : undefined;
    failures.push({
      property: settingPath,
      reason: typeof own === "string" ? own : `must be ${allowedFor(settingPath)}${describe(fieldValue, settingPath)}`,
    });
  }
  // Two refinements of one value can fail alike; say it once.
  return failures.filter(
    (failure, i) => failures.findIndex((f) => f.property === failure.property && f.reason === failure.reason) === i,
  );
}

export interface ParsedInputs {
  /** Known, valid settings keyed by camelCase path (unknown placeholders kept as they are). */
  settings: FlatSettings;
  /** The settings object to hand back from `check`, normalised where it was known. */
  normalized: Record<string, unknown>;
  failures: CheckFailure[];
  warnings: string[];
}

export function parseInputs(news: Record<string, unknown>): ParsedInputs {
  const raw: Record<string, unknown> = {};
  const failures: CheckFailure[] = [];
  for (const [key, value] of Object.entries(news)) {
    if (NON_SETTING_KEYS.has(key)) continue;
    if (READ_ONLY.has(key)) {
      failures.push({ property: key, reason: "is read-only (the registered number) and cannot be set" });
      continue;
    }
    if (value !== undefined && value !== null) raw[key] = value;
  }
  const known = withoutUnknowns(raw);
  const parsed = ApplicationSettingsSchema.safeParse(known);
  if (!parsed.success) failures.push(...failuresFromIssues(parsed.error.issues, known));
  // Valid known values come back normalised (numeric strings → numbers); unknowns stay unknown.
  const normalizedFlat = flatten(raw);
  if (parsed.success) {
    for (const [path, value] of flatten(parsed.data as Record<string, unknown>)) {
      if (!containsUnknown(normalizedFlat.get(path))) normalizedFlat.set(path, value);
    }
  }
  const warnings: string[] = [];
  for (const [path, value] of normalizedFlat) {
    const meta = FIELDS_BY_PATH.get(path)?.meta;
    if (meta?.deprecated)
      warnings.push(`${path} is deprecated since v${meta.deprecated.since}: ${meta.deprecated.note}`);
    if (path === "passThrough" && value === true) {
      warnings.push(
        "passThrough: true deletes messages from the local database and cannot be re-enabled on v2.35 or later",
      );
    }
  }
  const connection = news.connection;
  if (connection !== undefined && connection !== null && connection !== UNKNOWN) {
    failures.push(...checkConnection(connection));
  }
  return { settings: normalizedFlat, normalized: unflatten(normalizedFlat), failures, warnings };
}

/** Offline checks of a `connection` input: shape, URL, and that it can log in at all. */
export function checkConnection(connection: unknown): CheckFailure[] {
  if (typeof connection !== "object" || Array.isArray(connection)) {
    return [{ property: "connection", reason: "must be an object {baseUrl, username + password | token, ...}" }];
  }
  const known = withoutUnknowns(connection) as Record<string, unknown>;
  const failures: CheckFailure[] = [];
  const shape = PartialConnectionSchema.safeParse(known);
  if (!shape.success) {
    for (const issue of shape.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys)
          failures.push({
            property: `connection.${key}`,
            reason:
              "is not a connection setting (baseUrl, username, password, token, caCert, insecureSkipVerify, timeoutMs)",
          });
      } else {
        const key = issue.path.join(".");
        failures.push({ property: `connection.${key}`, reason: connectionReason(key, issue.message) });
      }
    }
  }
  const raw = connection as Record<string, unknown>;
  if (raw.baseUrl === undefined)
    failures.push({ property: "connection.baseUrl", reason: "is required, e.g. https://wa.example.com:9090" });
  const hasUnknownCredential = [raw.token, raw.username, raw.password].includes(UNKNOWN);
  const problem = credentialProblem(known as never);
  if (problem && !hasUnknownCredential) failures.push({ property: "connection", reason: problem });
  return failures;
}

function connectionReason(key: string, message: string): string {
  switch (key) {
    case "baseUrl":
      return message;
    case "timeoutMs":
      return "must be a whole number of milliseconds from 100 to 600000";
    case "insecureSkipVerify":
      return "must be true or false";
    default:
      return `must be a non-empty string (${message})`;
  }
}

/** Restart-required settings this change touches, compared with the previous inputs. */
export function restartFields(
  settings: FlatSettings,
  previous: FlatSettings,
  same: (path: string, a: unknown, b: unknown) => boolean,
): string[] {
  // Groups first (an unknown group), then fields in schema order, so a change always reads the same.
  const ordered = [
    ...[...settings.keys()].filter((path) => GROUP_PATHS.has(path)),
    ...FIELD_ORDER.filter((path) => settings.has(path)),
  ];
  return ordered.filter((path) => {
    if (!RESTART_PATHS.has(path)) return false;
    const value = settings.get(path);
    return containsUnknown(value) || !previous.has(path) || !same(path, previous.get(path), value);
  });
}
