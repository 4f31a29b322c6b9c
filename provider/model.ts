/**
 * Each resource, described once: a zod object of its inputs and one of its outputs, every property
 * registered with its docs and the facts the rest of the package derives from it. The `...Args`
 * and output types, README's tables, the placeholders a resource registers, the keys `check`
 * leaves alone, `additionalSecretOutputs` and the inputs whose change replaces all come from here.
 *
 * One dialect for every resource: a property the client names otherwise on the wire, that a
 * client version introduced or deprecated, or whose change needs a restart says so here, whatever
 * resource it belongs to (the application settings are the first to use all of it).
 */
import { z } from "zod";

/** What a property the client holds contains; decides which spellings of it are tolerated. */
export type PropertyKind = "boolean" | "number" | "enum" | "list" | "url";

export interface PropertyMeta {
  /** What it is, for the generated JSDoc and README's tables. */
  description: string;
  /** The allowed values as a person would say them; a check failure reads "must be <allowed>". */
  allowed?: string;
  /** Stored secret in state and never repeated in a message. */
  secret?: boolean;
  /**
   * A refused value may be repeated in a check failure (a short word or a number): it can never
   * be a secret, like a name or an enum. Without it a failure names only the value's type.
   */
  shown?: boolean;
  /** A change of it replaces the resource instead of updating it. */
  replaces?: boolean;
  /** Check reports one failure for the whole value, never an inner key (a union of forms). */
  whole?: boolean;
  /** Its generated type's name and docs, for an object worth a type of its own. */
  named?: { name: string; description: string };
  /** The key on the wire at this level (`max_concurrent_requests`), where it is not the camelCase one. */
  wire?: string;
  /** What it holds, for a value the client answers in more than one spelling (`"5"` for 5). */
  kind?: PropertyKind;
  /** The client's documented default: what it holds when nothing set it, and what a reset puts back. */
  default?: unknown;
  /** A change only takes effect after a Coreapp restart. */
  restart?: boolean;
  /** First client version that knows the property. */
  since?: string;
  /** From this client version on the property is gone: what to do instead. */
  deprecated?: { since: string; note: string };
}

export const propertyMeta = z.registry<PropertyMeta>();

/** A property of a resource's inputs or outputs, registered with what the package derives from it. */
export function property<T extends z.ZodType>(schema: T, meta: PropertyMeta): T {
  propertyMeta.add(schema, meta);
  return schema;
}

/** The secret output keeping stack config's connection, so later calls reach (or ask) the recorded client. */
export const STORED_CONNECTION = "clientConnection";

/** The input a resource class adds holding its name in the program, so a failure can name it. */
export const RESOURCE_NAME = "__resourceName";

/** Inputs the engine and the resource classes add to a resource's own. */
const ENGINE_KEYS = ["__provider", "connection", RESOURCE_NAME] as const;

export interface ResourceModel<
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodObject = z.ZodObject,
  T extends string = string,
> {
  /** The Pulumi type name, `whatsapp:<type>`, and the name of the resource class. */
  type: T;
  /**
   * The API path the resource lives at (`/v1/settings/application`): its id is the client's
   * identity followed by this path (see `resource-id.ts`).
   */
  path: `/v1/${string}`;
  /** One paragraph for the generated docs. */
  description: string;
  /** What a program writes, besides `connection`; strict, so a typo is a failure. */
  inputs: I;
  /** What state holds besides the inputs; an input listed here again is read back from the client. */
  outputs: O;
  /** Keeps stack config's connection (secret) in state: the resource has a client to reach or ask later. */
  storesConnection: boolean;
  /**
   * What it did cannot be read back or undone (a backup taken, a restore made): once created it
   * never writes to its client again, so stack config removed since is no failure; a stored
   * connection only lets a later move ask the recorded client who it is.
   */
  oneShot?: true;
  /**
   * The first client version that takes a write of only the properties that changed; an older
   * client replaces the whole object with what a write sends, so it is sent the whole object.
   */
  partialWritesSince?: string;
  /** What an unknown input key is not: "a setting", "an input of SettingsBackup". */
  noun: string;
  /**
   * Its inputs are a tree of groups and fields, each registered with its wire name (and fields
   * with their versions and restart), documented by README's settings table instead of an inputs table.
   */
  settingsTree?: true;
}

export function resourceModel<I extends z.ZodObject, O extends z.ZodObject, const T extends string>(
  model: Omit<ResourceModel<I, O, T>, "noun"> & { noun?: string },
): ResourceModel<I, O, T> {
  return { noun: `an input of ${model.type}`, ...model };
}

function keysOf(object: z.ZodObject): string[] {
  return Object.keys(object.shape);
}

/** The meta registered on a schema, or on the schema it makes optional. */
export function metaOfSchema(schema: z.ZodType): PropertyMeta | undefined {
  return propertyMeta.get(schema) ?? (schema instanceof z.ZodOptional ? propertyMeta.get(schema.unwrap()) : undefined);
}

/** The meta of a property, input or output, registered on its (possibly optional) schema. */
export function metaOf(model: ResourceModel, key: string): PropertyMeta | undefined {
  const schema = (model.inputs.shape[key] ?? model.outputs.shape[key]) as z.ZodType | undefined;
  return schema && metaOfSchema(schema);
}

/** Outputs the resource adds (not inputs read back): registered as `undefined` placeholders. */
export function outputOnlyKeys(model: ResourceModel): string[] {
  const inputs = new Set(keysOf(model.inputs));
  return keysOf(model.outputs).filter((key) => !inputs.has(key));
}

/** Keys of a resource's inputs that are not its own: what `check` leaves alone. */
export function foreignKeys(model: ResourceModel): ReadonlySet<string> {
  return new Set([...ENGINE_KEYS, ...outputOnlyKeys(model), ...(model.storesConnection ? [STORED_CONNECTION] : [])]);
}

/** Outputs Pulumi keeps secret whatever the program passed: the connection and secret properties. */
export function secretOutputs(model: ResourceModel): string[] {
  const secret = (object: z.ZodObject, key: string) => {
    const schema = object.shape[key] as z.ZodType | undefined;
    return schema !== undefined && propertyMeta.get(schema)?.secret === true;
  };
  const own = [...new Set([...keysOf(model.inputs), ...keysOf(model.outputs)])].filter(
    (key) => secret(model.inputs, key) || secret(model.outputs, key),
  );
  return [...own, "connection", ...(model.storesConnection ? [STORED_CONNECTION] : [])];
}

/** Inputs a change of which replaces the resource (besides another client, which always does). */
export function replacingInputs(model: ResourceModel): string[] {
  return keysOf(model.inputs).filter((key) => metaOf(model, key)?.replaces);
}

/** What zod keeps of a schema in its internals: its kind and the parts the generators read. */
export interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  element?: z.ZodType;
  valueType?: z.ZodType;
  values?: unknown[];
  entries?: Record<string, string | number>;
  shape?: Record<string, z.ZodType>;
  defaultValue?: unknown;
}

/** The kind of a zod schema (`optional`, `default`, `string`, ...) and its parts. */
export function schemaDef(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The schema under its `.optional()`, `.default()` and `.nullable()`. */
export function unwrapOptional(schema: z.ZodType): z.ZodType {
  const def = schemaDef(schema);
  return ["optional", "default", "nullable"].includes(def.type) ? unwrapOptional(def.innerType as z.ZodType) : schema;
}

/** The value a schema takes when a program leaves it out, from its zod `.default()`. */
export function schemaDefault(schema: z.ZodType): unknown {
  const def = schemaDef(schema);
  return def.type === "default" ? def.defaultValue : undefined;
}

/** Whether a program may leave the property out (optional, or with a default). */
export function isOptional(schema: z.ZodType): boolean {
  const { type } = schemaDef(schema);
  return type === "optional" || type === "default";
}

/** The value a property takes when a program leaves it out, from its zod `.default()`. */
export function defaultOf(model: ResourceModel, key: string): unknown {
  const schema = model.inputs.shape[key] as z.ZodType | undefined;
  return schema && schemaDefault(schema);
}
