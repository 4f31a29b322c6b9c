/**
 * `provider/args.generated.ts`, generated from the zod schemas: the `...Args` interfaces users
 * write, the plain value shapes of the outputs, and the enum types and value lists. The public
 * declarations then mention only `@pulumi/pulumi` and our own types, so they compile under any
 * tsconfig without zod's declarations. `npm run docs` rewrites the file; a test fails when it is
 * stale.
 */
import { writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { z } from "zod";
import { ConnectionSchema } from "../provider/connection";
import {
  isOptional,
  type PropertyMeta,
  propertyMeta,
  type ResourceModel,
  schemaDef,
  schemaDefault,
  unwrapOptional,
} from "../provider/model";
import { RESOURCES } from "../provider/resources";
import * as settingsSchema from "../provider/settings/schema";

export const GENERATED_FILE = "provider/args.generated.ts";
// The repository root, from scripts/ when run from source and from dist/scripts/ when built.
const ROOT = join(__dirname, basename(dirname(__dirname)) === "dist" ? "../.." : "..");

type Schema = z.ZodType;

const def = schemaDef;
const unwrap = unwrapOptional;

function pascal(name: string): string {
  return name
    .toLowerCase()
    .split(/[_.]/)
    .map((word) => (word[0]?.toUpperCase() ?? "") + word.slice(1))
    .join("");
}

function camelToPascal(name: string): string {
  return (name[0]?.toUpperCase() ?? "") + name.slice(1);
}

/** A value list exported by the settings schema (`LOG_LEVELS`) and the type named after it. */
interface NamedList {
  list: string;
  type: string;
  values: readonly (string | number)[];
}

const VALUE_LISTS: Array<{ list: string; values: readonly (string | number)[] }> = Object.entries(settingsSchema)
  .filter(([, value]) => Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number"))
  .map(([list, values]) => ({ list, values: values as readonly (string | number)[] }));

function literalValues(schema: Schema): readonly (string | number)[] | undefined {
  const d = def(schema);
  if (d.type === "enum") return Object.values(d.entries ?? {});
  if (d.type === "literal") return d.values as (string | number)[];
  return undefined;
}

class Context {
  readonly named = new Map<string, NamedList>();
  /** Named object types (`MediaProviderConfigArgs`), emitted once each. */
  readonly types = new Map<string, string>();

  /** The named type for an enum or literal set (registering it), else `undefined`. */
  nameFor(values: readonly (string | number)[], scalarName: string | undefined): string | undefined {
    const match = VALUE_LISTS.find(
      (candidate) => JSON.stringify(candidate.values) === JSON.stringify(values) && values.length > 1,
    );
    if (!match) return undefined;
    // A setting holding one value names the type after itself (`logLevel` → `LogLevel`); a list
    // of them after the value list, singular (`MEDIA_TYPES` → `MediaType`).
    const type = scalarName ? camelToPascal(scalarName) : pascal(match.list.replace(/S$/, ""));
    this.named.set(match.list, { list: match.list, type, values: match.values });
    return type;
  }

  output(schema: Schema, name?: string): string {
    const inner = unwrap(schema);
    const d = def(inner);
    const values = literalValues(inner);
    if (values) return this.nameFor(values, name) ?? values.map((v) => JSON.stringify(v)).join(" | ");
    switch (d.type) {
      case "string":
        return "string";
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "unknown":
        return "unknown";
      case "pipe":
        return this.output(d.out as Schema, name);
      case "union":
        return [...new Set((d.options ?? []).map((option) => this.output(option, name)))].join(" | ");
      case "array": {
        const element = this.output(d.element as Schema);
        return element.includes(" ") ? `Array<${element}>` : `${element}[]`;
      }
      default:
        throw new Error(`no TypeScript type for a zod ${d.type}`);
    }
  }

  /** What a program may write: the output type, plus its numeric strings where the schema takes them. */
  input(schema: Schema, name: string, sample: unknown): string {
    const inner = unwrap(schema);
    const d = def(inner);
    if (d.type === "array") {
      const element = this.output(d.element as Schema);
      return `pulumi.Input<${element}>[]`;
    }
    const output = this.output(inner, name);
    // A numeric field (plain, or a list of numbers under its own name) whose schema parses the string form.
    const numeric = d.type !== "unknown" && typeof sample === "number" && inner.safeParse(sample).success;
    if (numeric && inner.safeParse(String(sample)).success) {
      return `${output} | \`\${${output}}\``;
    }
    return output;
  }
}

function comment(lines: string[], indent: string): string {
  const body = lines.map((line) => (line ? `${indent} * ${line.replace(/\*\//g, "*\\/")}` : `${indent} *`));
  return [`${indent}/**`, ...body, `${indent} */`].join("\n");
}

/** A sample value of a numeric field, to ask the schema whether it takes the string form too. */
function sampleOf(schema: Schema, fallback: unknown): unknown {
  if (typeof fallback === "number") return fallback;
  const inner = unwrap(schema);
  const values = literalValues(inner);
  if (values) return values[0];
  const min = (inner as unknown as { minValue?: number | null }).minValue;
  return typeof min === "number" && Number.isFinite(min) ? min : 1;
}

function numericRange(schema: Schema): string | undefined {
  const inner = unwrap(schema) as unknown as { minValue?: number | null; maxValue?: number | null; isInt?: boolean };
  if (def(unwrap(schema)).type !== "number") return undefined;
  const whole = inner.isInt ? "a whole number" : "a number";
  const min = Number.isFinite(inner.minValue) ? inner.minValue : undefined;
  const max = Number.isFinite(inner.maxValue) ? inner.maxValue : undefined;
  if (min !== undefined && max !== undefined) return `${whole} from ${min} to ${max}`;
  if (min !== undefined) return `${whole}, ${min} or more`;
  return undefined;
}

// ---- application settings: docs from the metadata registry ----------------------------------

function settingDoc(meta: settingsSchema.SettingMeta, wirePath: string): string[] {
  const lines = [meta.description, "", `Allowed: ${meta.allowed}.`];
  if (meta.restart) lines.push("Takes effect only after a Coreapp restart.");
  if (meta.since) lines.push(`Needs client v${meta.since} or later.`);
  if (meta.secret) lines.push("A secret in its query string keeps the whole group secret in state.");
  lines.push(`Wire name: \`${wirePath}\`.`);
  lines.push("", `@default ${JSON.stringify(meta.default)}`);
  if (meta.deprecated) lines.push(`@deprecated Since client v${meta.deprecated.since}: ${meta.deprecated.note}.`);
  return lines;
}

interface Emitted {
  args: string[];
  values: string[];
}

function settingsGroup(
  ctx: Context,
  shape: z.ZodRawShape,
  name: string,
  description: string[],
  wirePath: string,
  out: Emitted,
): void {
  const argsMembers: string[] = [];
  const valueMembers: string[] = [];
  for (const [key, value] of Object.entries(shape)) {
    const schema = value as Schema;
    const inner = unwrap(schema);
    const meta = propertyMeta.get(inner);
    if (!meta) throw new Error(`${wirePath}${key} has no property(...) metadata`);
    if (def(inner).type !== "object") {
      const doc = comment(settingDoc(meta as settingsSchema.SettingMeta, wirePath + (meta.wire ?? key)), "  ");
      const input = ctx.input(inner, key, sampleOf(inner, meta.default));
      argsMembers.push(`${doc}\n  ${key}?: pulumi.Input<${input}> | undefined;`);
      valueMembers.push(`${doc}\n  ${key}?: ${ctx.output(inner, key)} | undefined;`);
      continue;
    }
    const group = meta;
    const child = `${name}${camelToPascal(key)}`;
    const doc = comment(
      [group.description, "", "Sent whole: the fields left out are sent as the client has them."],
      "  ",
    );
    settingsGroup(
      ctx,
      (inner as unknown as z.ZodObject).shape,
      child,
      [group.description],
      `${wirePath}${group.wire ?? key}.`,
      out,
    );
    argsMembers.push(`${doc}\n  ${key}?: pulumi.Input<${child}Args> | undefined;`);
    valueMembers.push(`${doc}\n  ${key}?: ${child}Values | undefined;`);
  }
  const argsExtra =
    wirePath === ""
      ? [
          `${comment(
            [
              "The client to manage; stored secret. Without it: the `provider` option's connection, else",
              "stack config `whatsapp:*`, else the `WHATSAPP_*` environment variables.",
            ],
            "  ",
          )}\n  connection?: pulumi.Input<ConnectionArgs> | undefined;`,
        ]
      : [];
  out.args.push(
    `${comment([...description, "", "Every field is optional: only the fields set here are managed."], "")}\nexport interface ${name}Args {\n${[...argsMembers, ...argsExtra].join("\n")}\n}`,
  );
  out.values.push(
    `${comment([...description, "", "The values as applied and read back from the client."], "")}\nexport interface ${name}Values {\n${valueMembers.join("\n")}\n}`,
  );
}

// ---- everything else: docs from the resource models' property metadata ---------------------

function propertyDoc(schema: Schema, meta: PropertyMeta): string[] {
  const allowed = meta.allowed ?? numericRange(schema);
  const fallback = schemaDefault(schema);
  return [
    meta.description,
    ...(allowed ? ["", `Allowed: ${allowed}.`] : []),
    ...(meta.secret ? ["", "Stored secret in state."] : []),
    ...(meta.replaces ? ["", "A change replaces the resource."] : []),
    ...(fallback === undefined ? [] : ["", `@default ${JSON.stringify(fallback)}`]),
  ];
}

/** A zod object as TypeScript members, each with its docs; inputs take `pulumi.Input` at every level. */
function members(ctx: Context, object: z.ZodObject, mode: "args" | "values", indent: string): string[] {
  return Object.entries(object.shape).map(([key, value]) => {
    const schema = value as Schema;
    const meta = propertyMeta.get(schema);
    if (!meta) throw new Error(`${key} has no property(...) metadata`);
    const optional = isOptional(schema) ? "?" : "";
    const orUndefined = optional ? " | undefined" : "";
    const type = typeOf(ctx, schema, key, meta, mode, indent);
    const declared = mode === "args" ? `pulumi.Input<${type}>` : type;
    return `${comment(propertyDoc(schema, meta), indent)}\n${indent}${key}${optional}: ${declared}${orUndefined};`;
  });
}

/** A property's type: an object or union of objects inline (or by its `typeName`), else a scalar. */
function typeOf(
  ctx: Context,
  schema: Schema,
  key: string,
  meta: PropertyMeta,
  mode: "args" | "values",
  indent: string,
) {
  const inner = unwrap(schema);
  const objects = objectsOf(inner);
  if (!objects) {
    return mode === "args" ? ctx.input(inner, key, sampleOf(inner, undefined)) : ctx.output(inner, key);
  }
  const name = meta.named && `${meta.named.name}${mode === "args" ? "Args" : ""}`;
  const literal = (nested: string) =>
    objects.map((object) => `{\n${members(ctx, object, mode, `${nested}  `).join("\n")}\n${nested}}`).join(" | ");
  if (!name || !meta.named) return literal(indent);
  const forms = objects.map((object) => `  | {\n${members(ctx, object, mode, "      ").join("\n")}\n    }`);
  ctx.types.set(name, `${comment([meta.named.description], "")}\nexport type ${name} =\n${forms.join("\n")};`);
  return name;
}

/** The object, or the objects of a union of objects, or `undefined` for anything else. */
function objectsOf(schema: Schema): z.ZodObject[] | undefined {
  const d = def(schema);
  if (d.type === "object") return [schema as unknown as z.ZodObject];
  if (d.type === "union" && (d.options ?? []).every((option) => def(option).type === "object")) {
    return d.options as unknown as z.ZodObject[];
  }
  return undefined;
}

const CONNECTION_MEMBER = `${comment(
  [
    "The client to talk to; stored secret. Without it: the `provider` option's connection, else",
    "stack config `whatsapp:*`, else the `WHATSAPP_*` environment variables.",
  ],
  "  ",
)}\n  connection?: pulumi.Input<ConnectionArgs> | undefined;`;

/** `<Type>Args` (what a program writes) and `<Type>Outputs` (what the resource reports) of a model. */
function modelInterfaces(ctx: Context, model: ResourceModel, out: Emitted, args: boolean): void {
  if (args) {
    out.args.push(
      `${comment([`Inputs of a \`${model.type}\`: ${lowerFirst(model.description)}`], "")}\nexport interface ${model.type}Args {\n${[...members(ctx, model.inputs, "args", "  "), CONNECTION_MEMBER].join("\n")}\n}`,
    );
  }
  out.values.push(
    `${comment([`Outputs of a \`${model.type}\`, besides its inputs.`], "")}\nexport interface ${model.type}Outputs {\n${members(ctx, model.outputs, "values", "  ").join("\n")}\n}`,
  );
}

function lowerFirst(text: string): string {
  return (text[0]?.toLowerCase() ?? "") + text.slice(1);
}

export function argsTypes(): string {
  const ctx = new Context();
  const settings: Emitted = { args: [], values: [] };
  for (const { model } of RESOURCES) {
    if (model.settingsTree) settingsGroup(ctx, model.inputs.shape, model.type, [model.description], "", settings);
  }
  const others: Emitted = { args: [], values: [] };
  const connectionDoc = ["Where a client is and how to log in to it. Give a username and password, or a token."];
  others.values.push(
    `${comment([...connectionDoc, "", "The connection as the provider resolved it."], "")}\nexport interface Connection {\n${members(ctx, ConnectionSchema, "values", "  ").join("\n")}\n}`,
  );
  others.args.push(
    `${comment(connectionDoc, "")}\nexport interface ConnectionArgs {\n${members(ctx, ConnectionSchema, "args", "  ").join("\n")}\n}`,
  );
  for (const { model } of RESOURCES) modelInterfaces(ctx, model, others, !model.settingsTree);
  const enums = [...ctx.named.values()].map(({ list, type, values }) =>
    [
      comment([`Every \`${type}\`, in the order the client documents them.`], ""),
      `export const ${list} = [${values.map((v) => JSON.stringify(v)).join(", ")}] as const;`,
      comment([`One of {@link ${list}}.`], ""),
      `export type ${type} = (typeof ${list})[number];`,
    ].join("\n"),
  );
  return `${[
    "// Generated by `npm run docs` (scripts/args-types.ts) from the zod schemas: do not edit.",
    "// The public declarations mention only these plain types and @pulumi/pulumi's.",
    'import type * as pulumi from "@pulumi/pulumi";',
    "",
    enums.join("\n\n"),
    "",
    settings.args.reverse().join("\n\n"),
    "",
    settings.values.reverse().join("\n\n"),
    "",
    [...others.values, ...others.args, ...ctx.types.values()].join("\n\n"),
  ].join("\n")}\n`;
}

if (require.main === module) {
  writeFileSync(join(ROOT, GENERATED_FILE), argsTypes());
  console.log(`${GENERATED_FILE}: regenerated from the schemas`);
}
