/**
 * The native provider as the engine runs it, for the suites that run against both providers: the
 * packed package's `pulumi-resource-whatsapp`, started in a program directory with an engine
 * address, checked (`CheckConfig`) and configured (`Configure`) with a provider resource's inputs,
 * as `pkg/resource/deploy/providers/registry.go` loads a provider. What it logs through the engine
 * (`Engine.Log`, where its warnings go) is collected beside its standard error.
 */
import { join } from "node:path";
import { test } from "vitest";
import { RETRY_CONFIG_KEYS } from "../../provider/runtime";
import { MonitorError, MonitorServer } from "../engine/monitor";
import { makeSecret, type Props } from "../engine/property-values";
import { type CheckResult, ProviderHost } from "../engine/provider-host";
import { FULL_RUN } from "./full-run";

/** The two providers of this package: the dynamic one and the native `whatsapp` plugin. */
export const PROVIDERS = ["dynamic", "native"] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

/**
 * The rows of a table run through `provider`. Through the dynamic provider every row runs; through
 * the native one `both` rows run in every run, `row` rows only in `npm run test:full`. The `both`
 * rows are those whose path differs between the two (the native server's own RPCs, one plugin
 * process per provider resource) and one per irreversible call; a native deployment starts a
 * plugin process per provider resource and costs several times a dynamic one's CPU.
 */
export function rowsThrough(provider: ProviderKind): { row: typeof test.skip; both: typeof test.skip } {
  return { row: provider === "dynamic" || FULL_RUN ? test : test.skip, both: test };
}

/** `test.each(PROVIDERS)` whose native row runs only in `npm run test:full`; `%s` names the provider. */
export function rowPerProvider(name: string, body: (provider: ProviderKind) => Promise<void>, timeout?: number): void {
  for (const provider of PROVIDERS) {
    rowsThrough(provider).row(name.replace("%s", provider), () => body(provider), timeout);
  }
}

/** The provider resource's URN: `pulumi:providers:whatsapp::<name>`. */
export function providerUrn(name: string): string {
  return `urn:pulumi:dev::program::pulumi:providers:whatsapp::${name}`;
}

/** A native resource's URN (`whatsapp:index:<Type>`). */
export function nativeUrn(type: string, name = "r"): string {
  return `urn:pulumi:dev::program::whatsapp:index:${type}::${name}`;
}

/** The keys of a connection the engine keeps secret: stack config set with `--secret`, or the SDK's `Provider`. */
const SECRET_KEYS = new Set(["password", "token"]);

/**
 * A provider resource's inputs from a resource's `connection` (as `new native.Provider(name,
 * connection)` registers them) or from stack config (`whatsapp:*`, as the default provider's,
 * `default_providers.go`): the namespace stripped, the password and token secret.
 */
export function providerInputs(values: Record<string, unknown>): Props {
  const inputs: Props = {};
  for (const [key, value] of Object.entries(values)) {
    const name = key.replace(/^whatsapp:/, "");
    if (value === undefined) continue;
    inputs[name] = SECRET_KEYS.has(name) && value !== null ? makeSecret(value) : value;
  }
  return inputs;
}

/** Where a plugin's warnings go: an engine service that only records them. */
export class EngineLog {
  lines: string[] = [];
  private constructor(private readonly server: MonitorServer) {}

  static async start(): Promise<EngineLog> {
    let log: EngineLog | undefined;
    const server = await MonitorServer.start("dev", "program", {
      register: () => Promise.reject(new MonitorError("a provider registers no resources")),
      registerOutputs: () => undefined,
      log: (severity, message) => log?.lines.push(`${severity}: ${message}`),
    });
    log = new EngineLog(server);
    return log;
  }

  get address(): string {
    return this.server.address;
  }

  get text(): string {
    return this.lines.join("\n");
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** One provider resource's plugin process, and what its `CheckConfig` refused. */
export interface NativeProvider {
  host: ProviderHost;
  /** CheckConfig failures: the engine stops at the provider, before any of its resources. */
  configFailures: CheckResult["failures"];
}

/** Starts `pulumi-resource-whatsapp` of the program in `dir` and loads it as provider `name` with `inputs`. */
export async function startNativeProvider(
  dir: string,
  engine: EngineLog,
  name: string,
  inputs: Props,
): Promise<NativeProvider> {
  const bin = join(dir, "node_modules/pulumi-whatsapp-settings/bin/pulumi-resource-whatsapp");
  const host = await ProviderHost.launch(bin, [engine.address], { cwd: dir });
  const urn = providerUrn(name);
  const checked = await host.checkConfig(urn, {}, inputs);
  if (checked.failures.length === 0) await host.configureProvider(urn, `${name}-id`, inputs);
  return { host, configFailures: checked.failures };
}

/**
 * A program's `Pulumi.yaml` and the line that loads the package, for either provider: the native
 * program finds the packaged plugin as a project plugin (`plugins.providers`, before PATH) and
 * uses the native SDK, whose resources take their client from stack config (the default provider).
 */
export function programFiles(provider: ProviderKind, project: string, body: string): Record<string, string> {
  const plugins =
    provider === "native"
      ? "plugins:\n  providers:\n    - name: whatsapp\n      path: ./node_modules/pulumi-whatsapp-settings/bin\n"
      : "";
  const load =
    provider === "native" ? 'require("pulumi-whatsapp-settings").native' : 'require("pulumi-whatsapp-settings")';
  return {
    "Pulumi.yaml": `name: ${project}\nruntime: nodejs\n${plugins}`,
    "index.js": `const ws = ${load};\n${body}`,
  };
}

/**
 * The files of a TypeScript program that uses the native provider, found as a project plugin
 * (`plugins.providers`) in the packed package, as README's native section writes it.
 */
export function nativeTypeScriptProgram(project: string, index: string): Record<string, string> {
  return {
    "Pulumi.yaml":
      `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nplugins:\n  providers:\n` +
      "    - name: whatsapp\n      path: ./node_modules/pulumi-whatsapp-settings/bin\n",
    "tsconfig.json": JSON.stringify({
      compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node" },
      files: ["index.ts"],
    }),
    "index.ts": index,
  };
}

/**
 * The plugin processes of one native deployment, as the engine starts them: a resource given a
 * `connection` belongs to an explicit provider of that client (the connection taken out of its
 * inputs), one without to the default provider, configured from the stack config. Explicit
 * providers also get the test's `whatsapp:retry*` keys, so a test's short retry delays hold for
 * every provider (a program would pass them as the provider's arguments). The default provider and an explicit one
 * are two provider resources, two processes, whatever their inputs.
 */
export class NativeProviders {
  private readonly started = new Map<string, Promise<NativeProvider>>();

  constructor(
    private readonly dir: string,
    readonly engine: EngineLog,
    private readonly config: Record<string, string>,
  ) {}

  /** The provider of a resource with inputs `news`, the inputs left to it, and the connection that chose it. */
  of(news: Props): { provider: Promise<NativeProvider>; props: Props; connection?: Props } {
    const { connection, ...own } = news;
    const explicit = typeof connection === "object" && connection !== null && Object.keys(connection).length > 0;
    const advanced = Object.fromEntries(
      Object.entries(this.config).filter(([key]) => RETRY_CONFIG_KEYS.some((k) => key === `whatsapp:${k}`)),
    );
    const inputs = providerInputs(explicit ? { ...advanced, ...(connection as Props) } : this.config);
    const key = `${explicit ? "explicit" : "default"} ${JSON.stringify(inputs)}`;
    let provider = this.started.get(key);
    if (!provider) {
      const name = explicit ? `client-${this.started.size}` : "default";
      provider = startNativeProvider(this.dir, this.engine, name, inputs);
      this.started.set(key, provider);
    }
    return explicit ? { provider, props: own, connection: connection as Props } : { provider, props: news };
  }

  /** Every plugin process started so far. */
  async all(): Promise<NativeProvider[]> {
    return Promise.all(this.started.values());
  }

  async close(): Promise<void> {
    for (const provider of await this.all()) await provider.host.close();
    await this.engine.close();
  }
}
