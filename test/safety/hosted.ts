/**
 * The resource types behind Pulumi's real dynamic-provider host, as the engine drives them:
 * each call carries the `__provider` the packed package serializes, and each deployment is a
 * new host process configured with that deployment's stack config.
 */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { runMockedProgram } from "../e2e/mocked-program";
import { ProviderHost } from "../e2e/provider-host";
import type { Emulator } from "../emulator/index";
import { packedProgram } from "../support/packed";

type Props = Record<string, unknown>;
export type Kind = "ApplicationSettings" | "SettingsBackup" | "SettingsRestore" | "MediaProvider";

const PROGRAM = `
const ws = require("pulumi-whatsapp-settings");
new ws.ApplicationSettings("settings", {});
new ws.SettingsBackup("backup", { password: "x" });
new ws.SettingsRestore("restore", { data: "x", password: "x" });
new ws.MediaProvider("media", { name: "x", config: { bearer: "x" } });
`;

let program: { dir: string; providers: Map<string, string> } | undefined;

/** A program directory with the packed package, and the `__provider` of each type it registers. */
function packed() {
  if (!program) {
    const dir = packedProgram({ "index.js": PROGRAM });
    const providers = new Map(
      runMockedProgram(dir).map((r) => [r.type.split(":").pop() as string, String(r.inputs.__provider)]),
    );
    program = { dir, providers };
  }
  return program;
}

export function urn(kind: Kind, name: string): string {
  return `urn:pulumi:dev::program::pulumi-nodejs:dynamic/whatsapp:${kind}::${name}`;
}

/** One deployment's provider process. */
export class Deployment {
  private constructor(readonly host: ProviderHost) {}

  /** Starts a host configured with `config` (`whatsapp:*` keys), stopped when the test ends. */
  static async start(config: Record<string, string> = {}): Promise<Deployment> {
    const host = await ProviderHost.start(packed().dir);
    onTestFinished(() => host.close());
    await host.configure(config);
    return new Deployment(host);
  }

  /** The serialized provider rides in every property bag, as the engine's do. */
  private withProvider(kind: Kind, props: Props): Props {
    return { __provider: packed().providers.get(kind), ...props };
  }

  /** check, failing the test on check failures; returns the checked inputs. */
  async check(kind: Kind, name: string, news: Props, olds: Props = {}): Promise<Props> {
    const checked = await this.host.check(urn(kind, name), olds, this.withProvider(kind, news));
    if (checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
    return checked.inputs;
  }

  checkFailures(kind: Kind, name: string, news: Props) {
    return this.host.check(urn(kind, name), {}, this.withProvider(kind, news)).then((c) => c.failures);
  }

  diff(kind: Kind, name: string, state: { id: string; outputs: Props }, inputs: Props) {
    return this.host.diff(urn(kind, name), state.id, state.outputs, this.withProvider(kind, inputs));
  }

  async create(kind: Kind, name: string, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const created = await this.host.create(urn(kind, name), inputs);
    return { id: created.id, outputs: created.properties };
  }

  /** check + create, as `pulumi up` does for a new resource. */
  async up(kind: Kind, name: string, news: Props) {
    return this.create(kind, name, await this.check(kind, name, news));
  }

  async update(kind: Kind, name: string, state: { id: string; outputs: Props }, inputs: Props) {
    const updated = await this.host.update(urn(kind, name), state.id, state.outputs, inputs);
    return { id: state.id, outputs: updated.properties };
  }

  async read(kind: Kind, name: string, state: { id: string; outputs: Props; inputs?: Props }) {
    const read = await this.host.read(
      urn(kind, name),
      state.id,
      this.withProvider(kind, state.outputs),
      state.inputs ?? {},
    );
    return { id: read.id, outputs: read.properties, inputs: read.inputs };
  }

  delete(kind: Kind, name: string, state: { id: string; outputs: Props }) {
    return this.host.delete(urn(kind, name), state.id, state.outputs);
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

export function connectionOf(e: Emulator): Props {
  return { baseUrl: e.url, username: "admin", password: e.adminPassword, caCert: e.caCert };
}

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
  const dir = mkdtempSync(join(packed().dir, "records-"));
  process.env.WHATSAPP_RESTORE_RECORD_DIR = dir;
  return dir;
}

/** Requests each client received, as `METHOD /path` lines. */
export function requests(e: Emulator): string[] {
  return e.journal.entries.map((r) => `${r.method} ${r.path}`);
}
