/**
 * The package schema of the native `whatsapp` provider, derived from the resource registry: the
 * document `GetSchema` answers, from which `pulumi package add` generates an SDK in a program's
 * own language. Every resource is `whatsapp:index:<Type>`; its inputs and outputs, their docs and
 * which are secret come from its model, so the schema never states a fact the models do not.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { ConnectionSchema } from "../connection";
import {
  isOptional,
  propertyMeta,
  type ResourceModel,
  replacingInputs,
  schemaDef,
  schemaDefault,
  unwrapOptional,
} from "../model";
import { RESOURCES } from "../resources";

export const PACKAGE = "whatsapp";

/** The package's version, which the plugin reports and the SDK asks for. */
export function packageVersion(): string {
  for (const up of ["..", "../..", "../../.."]) {
    try {
      const manifest = JSON.parse(readFileSync(join(__dirname, up, "package.json"), "utf8"));
      if (manifest.name === "pulumi-whatsapp-settings") return manifest.version as string;
    } catch {
      // Not this level: source and built trees sit at different depths.
    }
  }
  throw new Error("the package's package.json was not found above provider/native");
}

export function resourceToken(type: string): string {
  return `${PACKAGE}:index:${type}`;
}

type Schema = z.ZodType;

const def = schemaDef;

/** The schema under its optional wrappers and, for a transformed one, what a program writes. */
function unwrap(schema: Schema): Schema {
  const inner = unwrapOptional(schema);
  const d = def(inner);
  return d.type === "pipe" ? unwrap(d.in as Schema) : inner;
}

/** The docs of a property from its metadata, with the restart a change needs said in them. */
function docsOf(schema: Schema): { description?: string; secret?: boolean } {
  const meta = propertyMeta.get(schema) ?? propertyMeta.get(unwrap(schema));
  if (!meta) return {};
  const restart = meta.restart ? " Takes effect only after a Coreapp restart." : "";
  return { description: `${meta.description}${restart}`, ...(meta.secret ? { secret: true } : {}) };
}

export interface PropertySpec {
  type?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  $ref?: string;
  oneOf?: PropertySpec[];
  description?: string;
  secret?: boolean;
  default?: unknown;
  willReplaceOnChanges?: boolean;
}

interface ObjectTypeSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

function pascal(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** Builds property specs, collecting the object types they refer to. */
class Types {
  readonly types = new Map<string, ObjectTypeSpec>();

  object(name: string, shape: Record<string, Schema>, description?: string): PropertySpec {
    const token = resourceToken(name);
    if (!this.types.has(token)) {
      this.types.set(token, { type: "object", properties: {} });
      const { properties, required } = this.properties(shape, name);
      this.types.set(token, {
        type: "object",
        ...(description ? { description } : {}),
        properties,
        ...(required.length > 0 ? { required } : {}),
      });
    }
    return { $ref: `#/types/${token}` };
  }

  properties(shape: Record<string, Schema>, owner: string) {
    const properties: Record<string, PropertySpec> = {};
    const required: string[] = [];
    for (const [key, schema] of Object.entries(shape)) {
      properties[key] = this.property(schema, `${owner}${pascal(key)}`);
      if (!isOptional(schema)) required.push(key);
    }
    return { properties, required };
  }

  property(schema: Schema, name: string): PropertySpec {
    const docs = docsOf(schema);
    const fallback = schemaDefault(schema);
    const named = (propertyMeta.get(schema) ?? propertyMeta.get(unwrap(schema)))?.named;
    return {
      ...this.type(unwrap(schema), named?.name ?? name, named?.description ?? docs.description),
      ...(docs.description ? { description: docs.description } : {}),
      ...(docs.secret ? { secret: true } : {}),
      ...(fallback !== undefined && typeof fallback !== "object" ? { default: fallback } : {}),
    };
  }

  type(schema: Schema, name: string, description?: string): PropertySpec {
    const d = def(schema);
    switch (d.type) {
      case "string":
        return { type: "string" };
      case "boolean":
        return { type: "boolean" };
      case "number":
        return { type: (schema as unknown as { isInt?: boolean }).isInt ? "integer" : "number" };
      case "enum": {
        const values = Object.values(d.entries ?? {});
        return { type: values.every((v) => typeof v === "number") ? "integer" : "string" };
      }
      case "literal": {
        const values = d.values ?? [];
        return { type: values.every((v) => typeof v === "number") ? "integer" : "string" };
      }
      case "array":
        return { type: "array", items: this.type(unwrap(d.element as Schema), `${name}Item`) };
      case "record":
        return { type: "object", additionalProperties: this.type(unwrap(d.valueType as Schema), `${name}Value`) };
      case "object":
        return this.object(name, d.shape ?? {}, description);
      case "union": {
        const options = (d.options ?? []).map(unwrap);
        const specs = options.map((option) => {
          const shape = def(option).shape;
          const first = shape ? Object.keys(shape)[0] : undefined;
          return this.type(option, first ? `${name}${pascal(first)}` : name, description);
        });
        const scalar = specs.every((spec) => spec.type !== undefined && spec.type === specs[0]?.type);
        return scalar ? (specs[0] as PropertySpec) : { oneOf: specs };
      }
      default:
        // What the API leaves open (a `triggers` value): any JSON value.
        return { $ref: "pulumi.json#/Any" };
    }
  }
}

function resourceSpec(types: Types, model: ResourceModel) {
  const inputs = types.properties(model.inputs.shape as Record<string, Schema>, model.type);
  const outputs = types.properties(model.outputs.shape as Record<string, Schema>, model.type);
  for (const key of replacingInputs(model)) {
    const spec = inputs.properties[key];
    if (spec) spec.willReplaceOnChanges = true;
  }
  const properties = { ...inputs.properties, ...outputs.properties };
  // Every output is in state after a create; an input a program may leave out may be absent.
  const required = Object.keys(outputs.properties).filter(
    (key) => !(key in inputs.properties) || inputs.required.includes(key),
  );
  return {
    description: model.description,
    properties,
    ...(required.length > 0 ? { required } : {}),
    inputProperties: inputs.properties,
    ...(inputs.required.length > 0 ? { requiredInputs: inputs.required } : {}),
  };
}

/** The connection fields as the provider's configuration, each `whatsapp:<field>`. */
function providerConfig(types: Types) {
  const { properties } = types.properties(ConnectionSchema.shape as Record<string, Schema>, "Connection");
  return properties;
}

/** The package schema, as `GetSchema` answers it. */
export function packageSchema(): Record<string, unknown> {
  const types = new Types();
  const resources = Object.fromEntries(
    RESOURCES.map(({ model }) => [resourceToken(model.type), resourceSpec(types, model)]),
  );
  const config = providerConfig(types);
  return {
    name: PACKAGE,
    displayName: "WhatsApp Business API (On-Premises) settings",
    version: packageVersion(),
    description:
      "The settings of self-hosted WhatsApp Business API clients (the On-Premises Coreapp/Webapp, HTTP API under /v1).",
    keywords: ["pulumi", "whatsapp", "category/utility", "kind/native"],
    license: "Apache-2.0",
    config: { variables: config },
    provider: {
      description: "One client: where it is and how to log in. A fleet program declares one provider per client.",
      inputProperties: config,
      requiredInputs: ["baseUrl"],
    },
    resources,
    types: Object.fromEntries(types.types),
    language: { nodejs: { packageName: "pulumi-whatsapp-settings", respectSchemaVersion: true } },
  };
}
