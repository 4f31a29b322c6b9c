/**
 * Provider resources and the plugins behind them, after Pulumi's provider registry
 * (`pkg/resource/deploy/providers/registry.go`, `provider.go`), its default providers
 * (`pkg/resource/deploy/default_providers.go`) and plugin lookup (`sdk/go/common/workspace/plugins.go`).
 * A package's resource (`whatsapp:index:X`) is served by a provider resource of type
 * `pulumi:providers:whatsapp`, referred to as `<urn>::<id>`; each provider resource is one plugin
 * process. The dynamic provider (`pulumi-nodejs`) is the exception the stand-in keeps apart.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import type { Project, StackConfig } from "./project";
import { makeSecret, type Props, UNKNOWN } from "./property-values";
import { ProviderHost } from "./provider-host";

const PROVIDER_MODULE = "pulumi:providers:";

/** `IsProviderType` (`sdk/go/common/providers/reference.go`). */
export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_MODULE);
}

/** `IsDefaultProvider` (`sdk/go/common/providers/reference.go`): a provider resource named `default…`. */
export function isDefaultProvider(urn: string): boolean {
  const parts = urn.split("::");
  return isProviderType(parts[2] ?? "") && (parts[3] ?? "").startsWith("default");
}

/** The package of a resource type: `whatsapp` for `whatsapp:index:X` and for `pulumi:providers:whatsapp`. */
export function packageOf(type: string): string {
  return isProviderType(type) ? type.slice(PROVIDER_MODULE.length) : (type.split(":")[0] ?? "");
}

/** Resources the stand-in serves with one dynamic-provider host rather than a provider resource. */
export function isDynamicType(type: string): boolean {
  return packageOf(type) === "pulumi-nodejs";
}

/** The id of a provider resource not created yet, in a preview (`UnknownID`, registry.go). */
export const UNKNOWN_ID = UNKNOWN;

/** `Reference.String()`: `<urn>::<id>`. */
export function providerReference(urn: string, id: string): string {
  return `${urn}::${id}`;
}

/** `ProviderRequest.DefaultName` (`provider.go`): `default`, or `default_<major>_<minor>_<patch>[_<pre>…]`. */
export function defaultProviderName(version: string): string {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version);
  if (!match) return "default";
  const [, major, minor, patch, pre, build] = match;
  const extra = [...(pre ? pre.split(".") : []), ...(build ? build.split(".") : [])];
  return ["default", major, minor, patch, ...extra].join("_");
}

/**
 * A default provider's inputs (`newRegisterDefaultProviderEvent`): the stack config of the
 * package's namespace with the namespace stripped, as strings, secret config kept secret; the
 * requested version as `version` when one was asked for (`SetProviderVersion`).
 */
export function defaultProviderInputs(config: StackConfig, pkg: string, version: string): Props {
  const inputs: Props = {};
  const secret = new Set(config.secretKeys);
  for (const [key, value] of Object.entries(config.values)) {
    if (!key.startsWith(`${pkg}:`)) continue;
    const name = key.slice(pkg.length + 1);
    inputs[name] = secret.has(key) ? makeSecret(value) : value;
  }
  if (version) inputs.version = version.replace(/^v/, "");
  return inputs;
}

/** `PULUMI_CONFIG` for a plugin (`pkg/host/host.go`): the package's config, keys without the namespace. */
function pluginConfig(config: StackConfig, pkg: string): string {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.values)) {
    if (key.startsWith(`${pkg}:`)) values[key.slice(pkg.length + 1)] = value;
  }
  return JSON.stringify(values);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Where `pulumi-resource-<pkg>` is (`GetPluginPath`): a project plugin of that name first (its
 * directory from `plugins.providers`, the file inside it whether or not it exists), then `PATH`
 * unless `PULUMI_IGNORE_AMBIENT_PLUGINS` is set. The plugin cache (`~/.pulumi/plugins`) and
 * downloads are not modelled: without either, the plugin is missing.
 */
export function findPlugin(project: Project, pkg: string, env: NodeJS.ProcessEnv = process.env): string {
  const file = `pulumi-resource-${pkg}`;
  const local = project.pluginProviders.find((p) => p.name === pkg);
  if (local) return join(local.path, file);
  if (!env.PULUMI_IGNORE_AMBIENT_PLUGINS) {
    for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
      if (isExecutable(join(dir, file))) return join(dir, file);
    }
  }
  throw new Error(
    `no resource plugin 'pulumi-resource-${pkg}' found in the workspace or on your $PATH; ` +
      `declare its directory under plugins.providers in Pulumi.yaml`,
  );
}

/**
 * Starts the plugin of a provider resource as `ExecPlugin` does: the program directory as working
 * directory, the engine's address as the last argument, `PULUMI_PROJECT` and `PULUMI_CONFIG` in
 * its environment. This stand-in's own Node goes first on `PATH`, so a plugin run by `node` from
 * `PATH` gets the version the stand-in runs on.
 */
export async function launchPlugin(
  project: Project,
  config: StackConfig,
  pkg: string,
  engineAddress: string,
): Promise<ProviderHost> {
  const bin = findPlugin(project, pkg);
  if (!existsSync(bin)) throw new Error(`could not read plugin [${bin}]: no such file`);
  return ProviderHost.launch(bin, [engineAddress], {
    cwd: project.dir,
    env: {
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
      PULUMI_PROJECT: project.name,
      PULUMI_CONFIG: pluginConfig(config, pkg),
    },
  });
}
