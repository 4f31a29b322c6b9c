/**
 * Pulumi's own rules for a `Pulumi.yaml`, as the CLI applies them before it runs anything: the
 * project JSON schema (`sdk/go/common/workspace/project.json` in pulumi/pulumi) for the fields we
 * use, and the config checks of `Project.Validate` (`sdk/go/common/workspace/project.go`).
 */
import { createRequire } from "node:module";

// The YAML parser @pulumi/pulumi itself reads project files with (a dependency of it, not of ours).
const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as { load(text: string): unknown };

const NULLABLE_STRINGS = ["description", "author", "website", "license", "main", "stackConfigDir"] as const;
const SIMPLE_CONFIG_TYPES = ["string", "integer", "boolean", "array"];
const DECLARATION_KEYS = new Set(["type", "items", "description", "secret", "default", "value"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkRuntime(runtime: unknown): string[] {
  if (typeof runtime === "string") return runtime.length > 0 ? [] : ["schema: runtime must not be empty"];
  if (!isObject(runtime)) return ["schema: runtime must be a string or an object {name, options}"];
  const problems: string[] = [];
  if (typeof runtime.name !== "string" || runtime.name.length === 0)
    problems.push("schema: runtime.name must be a non-empty string");
  if (runtime.options !== undefined && !isObject(runtime.options))
    problems.push("schema: runtime.options must be an object");
  for (const key of Object.keys(runtime))
    if (key !== "name" && key !== "options") problems.push(`schema: runtime.${key} is not allowed`);
  return problems;
}

function checkConfig(project: string, config: unknown): string[] {
  if (config === undefined || config === null) return [];
  if (!isObject(config)) return ["schema: config must be an object"];
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(config)) {
    if (typeof spec === "string" || typeof spec === "boolean" || Number.isInteger(spec)) continue;
    if (!isObject(spec)) {
      problems.push(`schema: config '${key}' must be a string, an integer, a boolean or a declaration`);
      continue;
    }
    for (const attribute of Object.keys(spec))
      if (!DECLARATION_KEYS.has(attribute))
        problems.push(`schema: config '${key}' has unknown attribute '${attribute}'`);
    if (spec.type !== undefined && !SIMPLE_CONFIG_TYPES.includes(spec.type as string))
      problems.push(`schema: config '${key}' type must be one of ${SIMPLE_CONFIG_TYPES.join(", ")}`);
    const colon = key.indexOf(":");
    const namespaced = colon < 0 || key.slice(0, colon) === project;
    if (namespaced) {
      if (spec.default !== undefined && spec.value !== undefined)
        problems.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
      if (spec.type === "array" && spec.items === undefined)
        problems.push(`The configuration key '${key}' declares an array but does not specify the underlying type`);
      continue;
    }
    // The namespacing rule: a key of another namespace (a provider's, `whatsapp:baseUrl`) has no
    // type schema in this project, so it may only set a value.
    if (spec.type !== undefined)
      problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
    if (spec.default !== undefined)
      problems.push(
        `Configuration key '${key}' is not namespaced by the project and should not define a default value`,
      );
    if (spec.value === undefined)
      problems.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
  }
  return problems;
}

/** What the Pulumi CLI would refuse in this project file; empty when it loads. */
export function projectProblems(text: string): string[] {
  const project = yaml.load(text);
  if (!isObject(project)) return ["schema: a project file is a mapping"];
  const problems: string[] = [];
  if (typeof project.name !== "string" || project.name.length === 0)
    problems.push("schema: name is required and must be a non-empty string");
  if (project.runtime === undefined) problems.push("schema: runtime is required");
  else problems.push(...checkRuntime(project.runtime));
  for (const key of NULLABLE_STRINGS) {
    const value = project[key];
    if (value !== undefined && value !== null && typeof value !== "string")
      problems.push(`schema: ${key} must be a string`);
  }
  problems.push(...checkConfig(typeof project.name === "string" ? project.name : "", project.config));
  return problems;
}

/** Project config keys the CLI requires a value for: declared with a type and no default. */
export function requiredConfig(text: string): string[] {
  const project = yaml.load(text);
  const config = isObject(project) && isObject(project.config) ? project.config : {};
  return Object.entries(config)
    .filter(([, spec]) => isObject(spec) && spec.type !== undefined && spec.default === undefined)
    .map(([key]) => key);
}
