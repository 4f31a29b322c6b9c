/**
 * Reading a resource's raw inputs during `check`: validation against the schema with one
 * failure per property (camelCase path, allowed values, a did-you-mean for typos), tolerance of
 * Pulumi's unknown placeholder anywhere, and the warnings a deprecated field deserves.
 */
import { type CheckFailure, containsUnknown, failuresOf, leftOut, vocabularyOf, withoutUnknowns } from "../check";
import { foreignKeys } from "../model";
import { type FlatSettings, flatten, unflatten } from "./mapping";
import {
  ApplicationSettingsModel,
  ApplicationSettingsSchema,
  FIELDS,
  FIELDS_BY_PATH,
  GROUP_PATHS,
  hasUserInfo,
  READ_ONLY,
  RESTART_PATHS,
} from "./schema";

const FIELD_ORDER = FIELDS.map((f) => f.path);

/** Input keys that are not settings: the connection and what the engine and the outputs add. */
export const NON_SETTING_KEYS = foreignKeys(ApplicationSettingsModel);

/**
 * Per top-level group holding a secret field, the paths of those fields inside it:
 * `webhooks` → `url`. Such a group is stored whole as a secret when one of them carries one.
 */
const SECRET_GROUPS: ReadonlyMap<string, string[]> = FIELDS.filter((f) => f.meta.secret).reduce((groups, field) => {
  const [root, ...rest] = field.path.split(".");
  groups.set(root as string, [...(groups.get(root as string) ?? []), rest.join(".")]);
  return groups;
}, new Map<string, string[]>());

/**
 * Whether the value of a top-level setting must be stored secret: a URL in it carries a shared
 * secret (query string or fragment) or credentials (`user:pass@`, which check refuses), or the
 * group is not the object it should be, so nothing can be said about what it holds.
 */
export function carriesSecret(key: string, value: unknown): boolean {
  const inner = SECRET_GROUPS.get(key);
  if (!inner) return false;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value != null;
  return inner.some((path) => {
    const field = path.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], value);
    return fieldCarriesSecret(field);
  });
}

/** Whether one secret field's value must be kept secret: see {@link carriesSecret}. */
export function fieldCarriesSecret(field: unknown): boolean {
  if (field === undefined || field === null) return false;
  return typeof field !== "string" || /[?#]/.test(field) || hasUserInfo(field);
}

/** The secret fields of a top-level group, as paths inside it (`webhooks` → `["url"]`). */
export function secretFieldsOf(key: string): readonly string[] {
  return SECRET_GROUPS.get(key) ?? [];
}

/** Top-level settings that may be stored secret (see {@link carriesSecret}). */
export const SECRET_GROUP_KEYS: readonly string[] = [...SECRET_GROUPS.keys()];

/** Settings in check's words: camelCase names with their wire names, allowed values, what may be shown. */
const SETTINGS_VOCABULARY = vocabularyOf(ApplicationSettingsModel);

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
    // Before the outputs' keys: `waId` is an output too, and still never an input.
    if (READ_ONLY.has(key)) {
      failures.push({ property: key, reason: "is read-only (the registered number) and cannot be set" });
      continue;
    }
    if (NON_SETTING_KEYS.has(key)) continue;
    if (!leftOut(ApplicationSettingsSchema.shape[key as keyof typeof ApplicationSettingsSchema.shape], value)) {
      raw[key] = value;
    }
  }
  const known = withoutUnknowns(raw);
  const parsed = ApplicationSettingsSchema.safeParse(known);
  if (!parsed.success) failures.push(...failuresOf(parsed.error.issues, known, SETTINGS_VOCABULARY));
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
  return { settings: normalizedFlat, normalized: unflatten(normalizedFlat), failures, warnings };
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
