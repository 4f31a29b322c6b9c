/**
 * The resource types behind Pulumi's real dynamic-provider host, as the engine drives them:
 * each call carries the `__provider` the packed package serializes, and each deployment is a
 * new host process configured with that deployment's stack config.
 */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import type { Emulator } from "../emulator/index";
import type { ProviderHost } from "../engine/provider-host";
import { type ResourceType, registeredProgram, startHost, urnOf } from "../support/hosted-program";

type Props = Record<string, unknown>;
export type Kind = ResourceType;

/** One deployment's provider process. */
export class Deployment {
  private constructor(readonly host: ProviderHost) {}

  /** Starts a host configured with `config` (`whatsapp:*` keys), stopped when the test ends. */
  static async start(config: Record<string, string> = {}): Promise<Deployment> {
    const host = await startHost(config);
    onTestFinished(() => host.close());
    return new Deployment(host);
  }

  /** The serialized provider rides in every property bag, as the engine's do. */
  private withProvider(kind: Kind, props: Props): Props {
    return { __provider: registeredProgram().providers[kind], ...props };
  }

  /** check, failing the test on check failures; returns the checked inputs. */
  async check(kind: Kind, name: string, news: Props, olds: Props = {}): Promise<Props> {
    const checked = await this.host.check(urnOf(kind, name), olds, this.withProvider(kind, news));
    if (checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
    return checked.inputs;
  }

  checkFailures(kind: Kind, name: string, news: Props) {
    return this.host.check(urnOf(kind, name), {}, this.withProvider(kind, news)).then((c) => c.failures);
  }

  diff(kind: Kind, name: string, state: { id: string; outputs: Props }, inputs: Props) {
    return this.host.diff(urnOf(kind, name), state.id, state.outputs, this.withProvider(kind, inputs));
  }

  async create(kind: Kind, name: string, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const created = await this.host.create(urnOf(kind, name), inputs);
    return { id: created.id, outputs: created.properties };
  }

  /** check + create, as `pulumi up` does for a new resource. */
  async up(kind: Kind, name: string, news: Props) {
    return this.create(kind, name, await this.check(kind, name, news));
  }

  async update(kind: Kind, name: string, state: { id: string; outputs: Props }, inputs: Props) {
    const updated = await this.host.update(urnOf(kind, name), state.id, state.outputs, inputs);
    return { id: state.id, outputs: updated.properties };
  }

  async read(kind: Kind, name: string, state: { id: string; outputs: Props; inputs?: Props }) {
    const read = await this.host.read(
      urnOf(kind, name),
      state.id,
      this.withProvider(kind, state.outputs),
      state.inputs ?? {},
    );
    return { id: read.id, outputs: read.properties, inputs: read.inputs };
  }

  delete(kind: Kind, name: string, state: { id: string; outputs: Props }) {
    return this.host.delete(urnOf(kind, name), state.id, state.outputs);
  }

  /** What the host printed so far; it arrives on its own pipe, so read it with `expect.poll`. */
  get stderr(): string {
    return this.host.stderr;
  }

  /** What a double Ctrl-C or an OOM kill does to the provider process. */
  async kill(): Promise<void> {
    const exited = new Promise((resolve) => this.host.process.once("exit", resolve));
    this.host.process.kill("SIGKILL");
    await exited;
  }
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

/** A fresh directory for restore records, handed to provider hosts through the environment. */
export function isolateRestoreRecords(): string {
  const dir = mkdtempSync(join(registeredProgram().dir, "records-"));
  process.env.WHATSAPP_RESTORE_RECORD_DIR = dir;
  return dir;
}

/** Requests each client received, as `METHOD /path` lines. */
export function requests(e: Emulator): string[] {
  return e.journal.entries.map((r) => `${r.method} ${r.path}`);
}
