/**
 * The project and stack files as the Pulumi CLI reads them: `Pulumi.yaml` (name, runtime and its
 * options, project config) and `Pulumi.<stack>.yaml` (the stack's config), merged with config
 * given on the command line. Validated the way the CLI validates before it runs anything.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { yaml } from "./grpc";

export class ProjectError extends Error {
  readonly code = "ENGINE_PROJECT";
}

export interface Project {
  name: string;
  dir: string;
  /** `runtime.options.typescript` (the CLI's default is true). */
  typescript: boolean;
  /** `runtime.options.tsconfig`, for `PULUMI_NODEJS_TSCONFIG_PATH`. */
  tsconfig: string | undefined;
  /** `runtime.options.nodeargs`. */
  nodeargs: string[];
  /** `main`: the program's entry point, `.` when unset. */
  main: string;
  /** Config values Pulumi.yaml gives (`default` of project keys, `value` of any key). */
  config: Record<string, string>;
  /** Project keys declared with neither a default nor a value: each stack must set them. */
  required: string[];
  /** `plugins.providers`: where a provider plugin is looked for first, its path resolved from the project. */
  pluginProviders: Array<{ name: string; path: string; version?: string }>;
}

export interface StackConfig {
  /** Full keys (`namespace:name`) to string values, as `PULUMI_CONFIG` carries them. */
  values: Record<string, string>;
  /** Full keys whose value is secret. */
  secretKeys: string[];
}

function configText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseYaml(file: string): unknown {
  try {
    return yaml.load(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ProjectError(`could not unmarshal '${file}': ${(error as Error).message.split("\n")[0]}`);
  }
}

export function fullKey(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

export function loadProject(dir: string): Project {
  const file = join(dir, "Pulumi.yaml");
  if (!existsSync(file)) throw new ProjectError(`no Pulumi.yaml project file found in ${dir}`);
  const doc = parseYaml(file);
  const fail = (message: string) => new ProjectError(`could not unmarshal '${file}': ${message}`);
  if (!isRecord(doc)) throw fail("the project file is not a YAML mapping");
  if (typeof doc.name !== "string" || doc.name === "") throw fail("project is missing a 'name' attribute");
  const runtime = doc.runtime;
  const runtimeName = isRecord(runtime) ? runtime.name : runtime;
  if (typeof runtimeName !== "string") throw fail("project is missing a 'runtime' attribute");
  if (runtimeName !== "nodejs") throw fail(`runtime '${runtimeName}' is not supported here; only nodejs is`);
  const options = isRecord(runtime) && isRecord(runtime.options) ? runtime.options : {};
  if (options.typescript !== undefined && typeof options.typescript !== "boolean") {
    throw fail("runtime option 'typescript' must be a boolean");
  }
  const name = doc.name;
  const config: Record<string, string> = {};
  const required: string[] = [];
  if (doc.config !== undefined && !isRecord(doc.config)) throw fail("'config' must be a mapping");
  for (const [key, spec] of Object.entries(doc.config ?? {})) {
    const namespaced = !key.includes(":") || key.startsWith(`${name}:`);
    const full = fullKey(name, key);
    if (!isRecord(spec)) {
      config[full] = configText(spec);
      continue;
    }
    if (namespaced) {
      if (spec.default !== undefined && spec.value !== undefined) {
        throw fail(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
      }
      const given = spec.value ?? spec.default;
      if (given !== undefined) config[full] = configText(given);
      else required.push(key);
      continue;
    }
    // The CLI's rule: a key of another namespace (a provider's) carries only a value.
    if (spec.type !== undefined) {
      throw fail(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
    }
    if (spec.default !== undefined) {
      throw fail(
        `Configuration key '${key}' is not namespaced by the project and should not define a default value. ` +
          "Did you mean to use the 'value' attribute instead of 'default'?",
      );
    }
    if (spec.value === undefined) {
      throw fail(`Configuration key '${key}' is not namespaced by the project and should set a value`);
    }
    config[full] = configText(spec.value);
  }
  return {
    name,
    dir,
    typescript: options.typescript !== false,
    tsconfig: typeof options.tsconfig === "string" ? options.tsconfig : undefined,
    nodeargs: typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [],
    main: typeof doc.main === "string" ? doc.main : ".",
    config,
    required,
    pluginProviders: pluginProviders(doc.plugins, dir, fail),
  };
}

/**
 * `plugins.providers` entries (`PluginOptions` in `sdk/go/common/workspace/project.go`): a name and
 * a directory, resolved against the project root (`resolvePluginPath`), and an optional version.
 */
function pluginProviders(
  plugins: unknown,
  dir: string,
  fail: (message: string) => Error,
): Array<{ name: string; path: string; version?: string }> {
  if (plugins === undefined) return [];
  if (!isRecord(plugins)) throw fail("'plugins' must be a mapping");
  const providers = plugins.providers ?? [];
  if (!Array.isArray(providers)) throw fail("'plugins.providers' must be a list");
  return providers.map((entry) => {
    if (!isRecord(entry) || typeof entry.name !== "string" || typeof entry.path !== "string") {
      throw fail("each entry of 'plugins.providers' needs a 'name' and a 'path'");
    }
    return {
      name: entry.name,
      path: resolve(dir, entry.path),
      ...(typeof entry.version === "string" ? { version: entry.version } : {}),
    };
  });
}

/** "value 'a'", "values 'a' and 'b'", "values 'a', 'b' and 'c'", in the CLI's words. */
function missingList(keys: string[]): string {
  const quoted = keys.map((key) => `'${key}'`);
  if (quoted.length === 1) return `value ${quoted[0]}`;
  return `values ${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
}

/**
 * The stack's config: Pulumi.yaml's values, then `Pulumi.<stack>.yaml`, then the command line's
 * `--config` and `--secret`. Encrypted (`secure:`) values need the real CLI's secrets provider.
 */
export function loadStackConfig(
  project: Project,
  stack: string,
  cli: { config?: Record<string, string>; secrets?: Record<string, string> } = {},
): StackConfig {
  const values: Record<string, string> = { ...project.config };
  const secretKeys = new Set<string>();
  const file = join(project.dir, `Pulumi.${stack}.yaml`);
  if (existsSync(file)) {
    const doc = parseYaml(file);
    const entries = isRecord(doc) && isRecord(doc.config) ? doc.config : {};
    for (const [key, value] of Object.entries(entries)) {
      const full = fullKey(project.name, key);
      if (isRecord(value) && typeof value.secure === "string") {
        throw new ProjectError(
          `${file}: '${key}' is encrypted by the Pulumi CLI's secrets provider, which this engine does not have; ` +
            `give it in a --secrets-file instead`,
        );
      }
      values[full] = configText(value);
    }
  }
  for (const [key, value] of Object.entries(cli.config ?? {})) values[fullKey(project.name, key)] = value;
  for (const [key, value] of Object.entries(cli.secrets ?? {})) {
    values[fullKey(project.name, key)] = value;
    secretKeys.add(fullKey(project.name, key));
  }
  // The CLI's rule: a project key declared without a default needs a value before anything runs.
  const missing = project.required.filter((key) => values[fullKey(project.name, key)] === undefined).sort();
  if (missing.length > 0) {
    throw new ProjectError(`Stack '${stack}' is missing configuration ${missingList(missing)}`);
  }
  return { values, secretKeys: [...secretKeys] };
}
