/**
 * The resource types as the engine drives them, through either provider: Pulumi's real
 * dynamic-provider host (each call carries the `__provider` the packed package serializes; each
 * deployment is a new host process configured with that deployment's stack config), or the
 * native `pulumi-resource-whatsapp` plugin (each deployment starts one plugin process per provider
 * resource: the default provider from stack config, and one explicit provider per client a
 * resource's `connection` names, since a native resource takes its client from its provider).
 * Both are driven over gRPC, as the engine drives them, against the same emulated clients.
 */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import type { Emulator } from "../emulator/index";
import { revealProps } from "../engine/property-values";
import type { CheckResult, DiffResult, ProviderHost } from "../engine/provider-host";
import { type ResourceType, registeredProgram, startHost, urnOf } from "../support/hosted-program";
import {
  EngineLog,
  type NativeProvider,
  NativeProviders,
  nativeUrn,
  PROVIDERS,
  type ProviderKind,
} from "../support/native-plugin";

type Props = Record<string, unknown>;
export type Kind = ResourceType;
type Failures = CheckResult["failures"];
interface State {
  id: string;
  outputs: Props;
  inputs?: Props;
}

export { PROVIDERS, type ProviderKind };

/** One deployment's provider processes, as the engine calls them. */
export interface Deployment {
  readonly provider: ProviderKind;
  /** check, failing the test on check failures; returns the checked inputs. */
  check(kind: Kind, name: string, news: Props, olds?: Props): Promise<Props>;
  /** What stops the resource before any request: its provider's CheckConfig failures, else its check's. */
  checkFailures(kind: Kind, name: string, news: Props): Promise<Failures>;
  diff(kind: Kind, name: string, state: State, inputs: Props): Promise<DiffResult>;
  create(kind: Kind, name: string, inputs: Props): Promise<{ id: string; outputs: Props }>;
  /** check + create, as `pulumi up` does for a new resource. */
  up(kind: Kind, name: string, news: Props): Promise<{ id: string; outputs: Props }>;
  update(kind: Kind, name: string, state: State, inputs: Props): Promise<{ id: string; outputs: Props }>;
  read(kind: Kind, name: string, state: State): Promise<{ id: string; outputs: Props; inputs: Props }>;
  delete(kind: Kind, name: string, state: State): Promise<void>;
  /** What the provider said (warnings included); it arrives on its own pipe, so read it with `expect.poll`. */
  readonly stderr: string;
  /** What a double Ctrl-C or an OOM kill does to the provider processes. */
  kill(): Promise<void>;
}

/** Starts a deployment of `provider` configured with stack config `config` (`whatsapp:*` keys), stopped when the test ends. */
export async function startDeployment(
  provider: ProviderKind,
  config: Record<string, string> = {},
): Promise<Deployment> {
  const deployment =
    provider === "dynamic" ? new DynamicDeployment(await startHost(config)) : await NativeDeployment.start(config);
  onTestFinished(() => deployment.close());
  return deployment;
}

/** The dynamic provider's deployments, for the suites that drive it alone (test/media, test/profile). */
export const Deployment = {
  start: (config: Record<string, string> = {}) => startDeployment("dynamic", config),
};

async function killed(host: ProviderHost): Promise<void> {
  if (host.process.exitCode !== null || host.process.signalCode !== null) return;
  const exited = new Promise((resolve) => host.process.once("exit", resolve));
  host.process.kill("SIGKILL");
  await exited;
}

class DynamicDeployment implements Deployment {
  readonly provider = "dynamic";
  constructor(readonly host: ProviderHost) {}

  /** The serialized provider rides in every property bag, as the engine's do. */
  private withProvider(kind: Kind, props: Props): Props {
    return { __provider: registeredProgram().providers[kind], ...props };
  }

  /** A check's inputs as the resource's class registers them: with its name in the program. */
  private registered(kind: Kind, name: string, props: Props): Props {
    return this.withProvider(kind, { __resourceName: name, ...props });
  }

  async check(kind: Kind, name: string, news: Props, olds: Props = {}): Promise<Props> {
    const checked = await this.host.check(urnOf(kind, name), olds, this.registered(kind, name, news));
    if (checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
    return checked.inputs;
  }

  checkFailures(kind: Kind, name: string, news: Props) {
    return this.host.check(urnOf(kind, name), {}, this.registered(kind, name, news)).then((c) => c.failures);
  }

  diff(kind: Kind, name: string, state: State, inputs: Props) {
    return this.host.diff(urnOf(kind, name), state.id, state.outputs, this.withProvider(kind, inputs));
  }

  async create(kind: Kind, name: string, inputs: Props) {
    const created = await this.host.create(urnOf(kind, name), inputs);
    return { id: created.id, outputs: created.properties };
  }

  async up(kind: Kind, name: string, news: Props) {
    return this.create(kind, name, await this.check(kind, name, news));
  }

  async update(kind: Kind, name: string, state: State, inputs: Props) {
    const updated = await this.host.update(urnOf(kind, name), state.id, state.outputs, inputs);
    return { id: state.id, outputs: updated.properties };
  }

  async read(kind: Kind, name: string, state: State) {
    const read = await this.host.read(
      urnOf(kind, name),
      state.id,
      this.withProvider(kind, state.outputs),
      state.inputs ?? {},
    );
    return { id: read.id, outputs: read.properties, inputs: read.inputs };
  }

  delete(kind: Kind, name: string, state: State) {
    return this.host.delete(urnOf(kind, name), state.id, state.outputs);
  }

  get stderr(): string {
    return this.host.stderr;
  }

  kill(): Promise<void> {
    return killed(this.host);
  }

  close(): Promise<void> {
    return this.host.close();
  }
}

/**
 * The native provider. A resource given a `connection` is served by an explicit provider of that
 * client (`new native.Provider(name, connection)`), the connection taken out of its inputs; one
 * without, by the default provider, whose inputs are the stack config. Inputs go out as the test
 * gives them and secrets stay wrapped on the wire (the plugin accepts secrets); what comes back is
 * given to the test revealed, as the dynamic host gives it.
 */
class NativeDeployment implements Deployment {
  readonly provider = "native";

  private constructor(private readonly providers: NativeProviders) {}

  static async start(config: Record<string, string>): Promise<NativeDeployment> {
    return new NativeDeployment(new NativeProviders(registeredProgram().dir, await EngineLog.start(), config));
  }

  /** The provider serving `props` and the resource's own inputs (its connection is its provider's). */
  private async route(props: Props): Promise<{ provider: NativeProvider; props: Props; connection?: Props }> {
    const { provider, ...rest } = this.providers.of(props);
    return { provider: await provider, ...rest };
  }

  /** The provider of `props`, refusing as the engine does when its CheckConfig failed. */
  private async served(props: Props): Promise<{ host: ProviderHost; props: Props; connection?: Props }> {
    const { provider, ...rest } = await this.route(props);
    if (provider.configFailures.length > 0) throw new Error(JSON.stringify(provider.configFailures));
    return { host: provider.host, ...rest };
  }

  /** The provider state names for a resource: the explicit one it was made with, else the default. */
  private servedState(state: State) {
    const connection = PROVIDER_OF.get(state.outputs);
    return this.served(connection ? { connection } : {});
  }

  /** The checked inputs, with the connection that chose the provider kept beside them for the calls that follow. */
  async check(kind: Kind, name: string, news: Props, olds: Props = {}): Promise<Props> {
    const { host, props, connection } = await this.served(news);
    const checked = await host.check(nativeUrn(kind, name), stripConnection(olds), props);
    if (checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
    return { ...revealProps(checked.inputs), ...(connection ? { connection } : {}) };
  }

  async checkFailures(kind: Kind, name: string, news: Props): Promise<Failures> {
    const { provider, props } = await this.route(news);
    if (provider.configFailures.length > 0) return provider.configFailures;
    return (await provider.host.check(nativeUrn(kind, name), {}, props)).failures;
  }

  async diff(kind: Kind, name: string, state: State, inputs: Props) {
    const { host, props } = await this.served(inputs);
    const oldInputs = state.inputs ? stripConnection(state.inputs) : undefined;
    return host.diff(nativeUrn(kind, name), state.id, state.outputs, props, oldInputs);
  }

  async create(kind: Kind, name: string, inputs: Props) {
    const { host, props, connection } = await this.served(inputs);
    const created = await host.create(nativeUrn(kind, name), props);
    return { id: created.id, outputs: remember(revealProps(created.properties), connection) };
  }

  async up(kind: Kind, name: string, news: Props) {
    const { host, props, connection } = await this.served(news);
    const checked = await host.check(nativeUrn(kind, name), {}, props);
    if (checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
    const created = await host.create(nativeUrn(kind, name), checked.inputs);
    return { id: created.id, outputs: remember(revealProps(created.properties), connection) };
  }

  async update(kind: Kind, name: string, state: State, inputs: Props) {
    const { host, props, connection } = await this.served(inputs);
    const oldInputs = state.inputs ? stripConnection(state.inputs) : undefined;
    const updated = await host.update(nativeUrn(kind, name), state.id, state.outputs, props, {
      ...(oldInputs ? { oldInputs } : {}),
    });
    return { id: state.id, outputs: remember(revealProps(updated.properties), connection) };
  }

  async read(kind: Kind, name: string, state: State) {
    const { host, connection } = await this.servedState(state);
    const read = await host.read(nativeUrn(kind, name), state.id, state.outputs, state.inputs ?? {});
    const outputs = remember(revealProps(read.properties), connection);
    return { id: read.id, outputs, inputs: revealProps(read.inputs) };
  }

  async delete(kind: Kind, name: string, state: State) {
    const { host } = await this.servedState(state);
    await host.delete(nativeUrn(kind, name), state.id, state.outputs);
  }

  get stderr(): string {
    return this.providers.engine.text;
  }

  async kill(): Promise<void> {
    for (const provider of await this.providers.all()) await killed(provider.host);
  }

  close(): Promise<void> {
    return this.providers.close();
  }
}

/**
 * The explicit provider (by its connection) each native resource's state names, as the engine
 * keeps a provider reference with every resource: a later deployment's refresh and delete go to
 * that provider. Outputs not made here (state a test builds) name the default provider.
 */
const PROVIDER_OF = new WeakMap<Props, Props>();

function remember(outputs: Props, connection: Props | undefined): Props {
  if (connection) PROVIDER_OF.set(outputs, connection);
  return outputs;
}

/** A native resource has no `connection` input: its client is its provider's. */
function stripConnection(props: Props): Props {
  const { connection: _own, ...rest } = props;
  return rest;
}

export { connectionOf } from "../support/emulator";

export function configOf(e: Emulator): Record<string, string> {
  return {
    "whatsapp:baseUrl": e.url,
    "whatsapp:username": "admin",
    "whatsapp:password": e.adminPassword,
    "whatsapp:caCert": e.caCert as string,
  };
}

/** A fresh directory for restore records, handed to provider processes through the environment. */
export function isolateRestoreRecords(): string {
  const dir = mkdtempSync(join(registeredProgram().dir, "records-"));
  process.env.WHATSAPP_RESTORE_RECORD_DIR = dir;
  return dir;
}

/** Requests each client received, as `METHOD /path` lines. */
export function requests(e: Emulator): string[] {
  return e.journal.entries.map((r) => `${r.method} ${r.path}`);
}
