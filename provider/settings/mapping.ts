/**
 * Moving settings between their three shapes: the program's nested camelCase object, a flat map
 * keyed by camelCase path (what the lifecycle compares), and the client's nested snake_case body.
 */
import { FIELDS, FIELDS_BY_PATH, type Field, GROUP_PATHS } from "./schema";

export type FlatSettings = Map<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The leaves a program set, keyed by camelCase path; groups are walked, unknown keys dropped. */
export function flatten(settings: Record<string, unknown>, prefix = ""): FlatSettings {
  const flat: FlatSettings = new Map();
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix + key;
    if (GROUP_PATHS.has(path) && isPlainObject(value)) {
      for (const [inner, innerValue] of flatten(value, `${path}.`)) flat.set(inner, innerValue);
    } else if ((FIELDS_BY_PATH.has(path) || GROUP_PATHS.has(path)) && value !== undefined && value !== null) {
      // A group that is not an object is kept whole: Pulumi's unknown placeholder, or a mistake to report.
      flat.set(path, value);
    }
  }
  return flat;
}

function nest(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of entries) {
    const keys = path.split(".");
    let node = out;
    for (const key of keys.slice(0, -1)) {
      if (!isPlainObject(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1] as string] = value;
  }
  return out;
}

/** The nested camelCase object for a flat map. */
export function unflatten(flat: FlatSettings): Record<string, unknown> {
  return nest(flat);
}

/** The nested wire body for a flat map. */
export function toWire(flat: FlatSettings): Record<string, unknown> {
  return nest([...flat].map(([path, value]) => [(FIELDS_BY_PATH.get(path) as Field).wirePath, value]));
}

function readWire(application: Record<string, unknown>, wirePath: string): unknown {
  let node: unknown = application;
  for (const key of wirePath.split(".")) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * A value as the schema's kind means it: clients answer numbers and booleans as numbers and
 * booleans or as their strings (`"5"`, `"true"`), and both spellings are the same value.
 */
function normalise(field: Field, value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (field.meta.kind === "number" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (field.meta.kind === "boolean" && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === "true";
  return value;
}

/** The known settings present in a GET body's `application` object, keyed by camelCase path. */
export function fromWire(application: Record<string, unknown>): FlatSettings {
  const flat: FlatSettings = new Map();
  for (const field of FIELDS) {
    const value = readWire(application, field.wirePath);
    if (value !== undefined && value !== null) flat.set(field.path, normalise(field, value));
  }
  return flat;
}

/** Equality as the client means it: numbers and booleans equal their strings, media types are a set. */
export function sameValue(path: string, a: unknown, b: unknown): boolean {
  return comparable(path, a) === comparable(path, b);
}

/**
 * A text equal for two values exactly when `sameValue` holds: what is compared (or digested, for a
 * secret field) when the values are not at hand together. A list is its set of items, sorted.
 */
export function comparable(path: string, value: unknown): string {
  const field = FIELDS_BY_PATH.get(path);
  const normal = field ? normalise(field, value) : value;
  // No JSON text starts with `set:` nor is `undefined`, so neither collides with another value's.
  if (Array.isArray(normal)) return `set:${JSON.stringify([...new Set(normal.map(String))].sort())}`;
  return String(JSON.stringify(normal));
}
