/**
 * What every resource's `check` shares: zod issues turned into Pulumi check failures with one
 * wording (the camelCase property, "must be <allowed>", a did-you-mean for a typo), tolerance of
 * the placeholder Pulumi puts where a value is not known yet, and the connection's offline checks.
 *
 * The engine hands secrets to `check` as plain values, so a failure never repeats a value that
 * could be one: only numbers, booleans and short words of properties that are not secret.
 */
import { z } from "zod";
import {
  type Connection,
  ConnectionSchema,
  credentialProblem,
  PartialConnectionSchema,
  resolveConnection,
} from "./connection";
import { defaultOf, foreignKeys, metaOfSchema, type ResourceModel, schemaDefault } from "./model";

/** The placeholder Pulumi puts where a value is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
  property: string;
  reason: string;
}

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

/**
 * The one `null` rule of every resource's check: `null` stands for "left out" where something else
 * decides the value when the program says nothing (the property's default, the client's documented
 * default, or a group whose every field has one); elsewhere, an unknown key included, it is
 * refused, so a `null` never skips a check that has no default to fall back on.
 */
export function leftOut(schema: z.ZodType | undefined, value: unknown): boolean {
  if (value === undefined) return true;
  return value === null && schema !== undefined && decidedWithout(schema);
}

function decidedWithout(schema: z.ZodType): boolean {
  if (schemaDefault(schema) !== undefined || metaOfSchema(schema)?.default !== undefined) return true;
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return (
    inner instanceof z.ZodObject && Object.values(inner.shape).every((field) => decidedWithout(field as z.ZodType))
  );
}

/** What a failure may say about one property. */
export interface PropertyFacts {
  /** "must be <allowed>"; without it, the schema's own message. */
  allowed?: string;
  /**
   * What of a refused value may be repeated: `words` (short strings, numbers, booleans; the
   * default), `numbers` (numbers and booleans: the property sits in a group holding a secret), or
   * `nothing` (the property is a secret).
   */
  shows?: "words" | "numbers" | "nothing";
  /** A URL: a string value is not even named as a string (it may carry a shared secret). */
  url?: boolean;
  /** One failure for the whole value, named by this property, whatever inner key was wrong. */
  whole?: boolean;
}

/** The names of a resource's inputs, as check speaks of them. */
export interface Vocabulary {
  /** What an unknown key is not: "a setting", "an input of SettingsBackup". */
  noun: string;
  /** The names allowed at a level (`""`, `"webhooks."`), each with its wire name. */
  namesAt(prefix: string): ReadonlyMap<string, string>;
  /** What a failure may say about the property at a camelCase path. */
  facts(path: string): PropertyFacts | undefined;
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
function suggest(names: ReadonlyMap<string, string>, key: string): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [candidate, wire] of names) {
    const distance = key === wire ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best && bestDistance <= Math.max(2, Math.floor(key.length / 3))) return ` (did you mean ${best}?)`;
  return `; allowed here: ${[...names.keys()].join(", ")}`;
}

/** The longest string a failure repeats: an enum-like word, never a URL, token or password. */
const SHOWN_WORD = /^[A-Za-z0-9 _.-]{0,12}$/;
/** The longest list a failure repeats, item by item. */
const SHOWN_ITEMS = 8;

/** The value as a failure may show it, or `undefined` when it could be a secret. */
function shown(value: unknown, strings: boolean, nested = false): string | undefined {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") return String(value).length <= 12 ? String(value) : undefined;
  if (typeof value === "string") return strings && SHOWN_WORD.test(value) ? JSON.stringify(value) : undefined;
  if (Array.isArray(value) && !nested && value.length <= SHOWN_ITEMS) {
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

/** "; got ..." for a refused value: what `facts.shows` allows of it, else its type. */
function describe(value: unknown, facts: PropertyFacts | undefined): string {
  if (value === undefined || facts?.shows === "nothing") return "";
  if (facts?.url && typeof value === "string") return "";
  const words = (facts?.shows ?? "words") === "words" && !facts?.url;
  return `; got ${shown(value, words) ?? typeName(value)}`;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/**
 * One failure per refused property, in the words of `vocabulary`; `prefix` names where `input`
 * sits (`"connection."`).
 */
export function failuresOf(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  vocabulary: Vocabulary,
  prefix = "",
): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const issue of issues) {
    // Errors inside a list name the list: `media.autoDownload`, not `media.autoDownload.0`.
    let path = issue.path.filter((key): key is string => typeof key === "string");
    const whole = path.findIndex((_, i) => vocabulary.facts(path.slice(0, i + 1).join("."))?.whole);
    if (whole >= 0) path = path.slice(0, whole + 1);
    const property = path.join(".");
    const facts = vocabulary.facts(property);
    if (issue.code === "unrecognized_keys" && whole < 0) {
      const level = path.length ? `${property}.` : "";
      for (const key of issue.keys) {
        failures.push({
          property: prefix + level + key,
          reason: `is not ${vocabulary.noun}${suggest(vocabulary.namesAt(level), key)}`,
        });
      }
      continue;
    }
    const own = issue.code === "custom" ? (issue.params as { reason?: unknown } | undefined)?.reason : undefined;
    const reason =
      typeof own === "string"
        ? own
        : `${facts?.allowed ? `must be ${facts.allowed}` : issue.message}${describe(valueAt(input, path), facts)}`;
    failures.push({ property: prefix + property, reason });
  }
  // Two refinements of one value can fail alike; say it once.
  return failures.filter(
    (failure, i) => failures.findIndex((f) => f.property === failure.property && f.reason === failure.reason) === i,
  );
}

/** The object a schema is, under `.optional()`, or `undefined`. */
function objectOf(schema: z.ZodType | undefined): z.ZodObject | undefined {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return inner instanceof z.ZodObject ? inner : undefined;
}

/** The schema of each level along a camelCase path, as far as the path leads through objects. */
function schemasAlong(object: z.ZodObject, path: string): z.ZodType[] {
  const schemas: z.ZodType[] = [];
  let level: z.ZodObject | undefined = object;
  for (const key of path.split(".")) {
    const schema = level?.shape[key] as z.ZodType | undefined;
    if (!schema) break;
    schemas.push(schema);
    level = objectOf(schema);
  }
  return schemas;
}

/** The object at a camelCase path, when every level of it is one. */
function objectAt(object: z.ZodObject, path: string): z.ZodObject | undefined {
  const schemas = schemasAlong(object, path);
  return schemas.length === path.split(".").length ? objectOf(schemas.at(-1)) : undefined;
}

function holdsSecret(schema: z.ZodType): boolean {
  const object = objectOf(schema);
  return (
    object !== undefined &&
    Object.values(object.shape).some((inner) => {
      const meta = metaOfSchema(inner as z.ZodType);
      return meta?.secret === true || holdsSecret(inner as z.ZodType);
    })
  );
}

/**
 * The vocabulary of a zod object whose properties carry `property(...)` meta, at any depth: the
 * names at each level with their wire names, and what a failure may say of a property, from the
 * deepest meta along its path. A refused value is shown only where the meta says it is a short
 * word (`shown`), and then only numbers inside a group holding a secret; a URL's text never.
 */
function vocabularyFor(noun: string, object: z.ZodObject, extra: readonly string[] = []): Vocabulary {
  return {
    noun,
    namesAt: (prefix) => {
      const names = new Map<string, string>();
      const level = prefix === "" ? object : objectAt(object, prefix.slice(0, -1));
      for (const [key, schema] of Object.entries(level?.shape ?? {})) {
        names.set(key, metaOfSchema(schema as z.ZodType)?.wire ?? key);
      }
      if (prefix === "") for (const key of extra) names.set(key, key);
      return names;
    },
    facts: (path) => {
      const schemas = schemasAlong(object, path);
      const deepest = schemas.at(-1);
      const meta = deepest && metaOfSchema(deepest);
      if (!meta) return undefined;
      const exact = schemas.length === path.split(".").length;
      const url = meta.kind === "url";
      let shows: "words" | "numbers" | "nothing" = url ? "numbers" : meta.shown && !meta.secret ? "words" : "nothing";
      if (shows === "words" && holdsSecret(schemas[0] as z.ZodType)) shows = "numbers";
      return {
        ...(exact && meta.allowed ? { allowed: meta.allowed } : {}),
        shows,
        ...(url ? { url: true } : {}),
        ...(meta.whole ? { whole: true } : {}),
      };
    },
  };
}

const CONNECTION_VOCABULARY = vocabularyFor("a connection setting", ConnectionSchema);

/** Offline checks of a `connection` input: shape, URL, and that it can log in at all. */
export function checkConnection(connection: unknown): CheckFailure[] {
  if (typeof connection !== "object" || connection === null || Array.isArray(connection)) {
    return [{ property: "connection", reason: "must be an object {baseUrl, username + password | token, ...}" }];
  }
  const known = withoutUnknowns(connection) as Record<string, unknown>;
  const shape = PartialConnectionSchema.safeParse(known);
  const failures = shape.success ? [] : failuresOf(shape.error.issues, known, CONNECTION_VOCABULARY, "connection.");
  const raw = connection as Record<string, unknown>;
  if (raw.baseUrl === undefined) {
    failures.push({ property: "connection.baseUrl", reason: "is required, e.g. https://wa.example.com:9090" });
  }
  const hasUnknownCredential = [raw.token, raw.username, raw.password].includes(UNKNOWN);
  const problem = credentialProblem(known as Partial<Connection>);
  if (problem && !hasUnknownCredential) failures.push({ property: "connection", reason: problem });
  return failures;
}

/**
 * The failures of a resource's connection: its own `connection` input, checked offline, or
 * without one, the stack config it falls back to.
 */
export function connectionFailures(connection: unknown, config: Partial<Connection>): CheckFailure[] {
  if (connection === UNKNOWN) return [];
  if (connection !== undefined && connection !== null) return checkConnection(connection);
  try {
    resolveConnection(undefined, config);
    return [];
  } catch (error) {
    return [
      {
        property: "connection",
        reason: `${(error as Error).message}; or pass connection: {baseUrl, username, password} or a Provider`,
      },
    ];
  }
}

/** The vocabulary of a resource model: its inputs, and `connection`. */
export function vocabularyOf(model: ResourceModel): Vocabulary {
  return vocabularyFor(model.noun, model.inputs, ["connection"]);
}

/**
 * `check` of a resource described by a model: its own inputs validated (what is not known yet
 * cannot be wrong yet), the defaults of what the program left out filled in, the connection
 * checked. What the engine and the outputs add to the inputs is left as it is.
 */
export function checkInputs(
  model: ResourceModel,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  config: Partial<Connection>,
) {
  const ignored = foreignKeys(model);
  const shape = model.inputs.shape as Record<string, z.ZodType | undefined>;
  const own = Object.fromEntries(
    Object.entries(news).filter(([key, value]) => !ignored.has(key) && !leftOut(shape[key], value)),
  );
  const known = withoutUnknowns(own);
  const parsed = model.inputs.safeParse(known);
  const failures = (parsed.success ? [] : failuresOf(parsed.error.issues, known, vocabularyOf(model))).filter(
    (failure) => !containsUnknown(news[failure.property.split(".")[0] as string]),
  );
  // Stack config is needed to create, and by a resource that reaches its client again later; a
  // backup or restore already done never does, so config removed since then is no failure.
  const creating = Object.keys(olds).length === 0;
  if (creating || (model.storesConnection && !model.oneShot) || news.connection !== undefined) {
    failures.push(...connectionFailures(news.connection, config));
  }
  const inputs: Record<string, unknown> = { ...news };
  for (const key of Object.keys(model.inputs.shape)) {
    const fallback = defaultOf(model, key);
    if (leftOut(shape[key], news[key]) && fallback !== undefined) inputs[key] = fallback;
  }
  return { inputs, failures };
}
