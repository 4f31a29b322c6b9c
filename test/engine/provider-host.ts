/**
 * A provider plugin driven over gRPC the way the engine drives it (`pkg/resource/plugin/provider_plugin.go`):
 * Pulumi's own dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`), started in a program
 * directory, or a resource plugin such as `pulumi-resource-whatsapp`. Properties go out as the
 * plugin's protocol asks: secrets kept as secrets when it accepts them (`acceptSecrets`), revealed
 * otherwise, as the engine marshals them.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { ROOT } from "../support/packed";
import { type Any, emptyPb, grpc, providerGrpc, providerPb, statusPb, structPb } from "./grpc";
import type { InitFailure } from "./journal";
import { revealProps } from "./property-values";

type Props = Record<string, unknown>;

/** `PropertyDiff.Kind`, by the names `provider.proto` gives them. */
export type DetailedKind = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

const KIND_NAMES: readonly DetailedKind[] = [
  "add",
  "add-replace",
  "delete",
  "delete-replace",
  "update",
  "update-replace",
];

export interface PropertyDiff {
  kind: DetailedKind;
  /** The old value is the old input, not the old output (`TranslateDetailedDiff`). */
  inputDiff: boolean;
}

export interface CheckResult {
  inputs: Props;
  failures: Array<{ property: string; reason: string }>;
}

export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** `diffs`: the top-level keys that changed. */
  diffs?: string[];
  /** Per property path, when the provider gave one (`hasDetailedDiff`). */
  detailedDiff?: Record<string, PropertyDiff>;
}

/** What a plugin said it takes and does (`ConfigureResponse`). */
export interface Protocol {
  acceptSecrets: boolean;
  supportsPreview: boolean;
}

/** The type and name the engine sends beside a URN (`urn:pulumi:stack::project::[parent$]type::name`). */
function typeAndName(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return { type: qualified.slice(qualified.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

function withUrn(request: Any, urn: string): Any {
  const { type, name } = typeAndName(urn);
  request.setUrn(urn);
  request.setType?.(type);
  request.setName?.(name);
  return request;
}

/** A failed call: the message, and the state a partly-applied change left (if any). */
export class HostError extends Error {
  readonly grpcCode: number;
  readonly initFailure: InitFailure | undefined;
  constructor(message: string, grpcCode: number, initFailure?: InitFailure) {
    super(message);
    this.grpcCode = grpcCode;
    this.initFailure = initFailure;
  }
}

/** Reads `ErrorResourceInitFailed` from a gRPC error's `grpc-status-details-bin`, as the engine does. */
function initFailureOf(error: Any): InitFailure | undefined {
  const raw = error?.metadata?.get?.("grpc-status-details-bin")?.[0];
  if (!raw) return undefined;
  const status = statusPb.Status.deserializeBinary(new Uint8Array(raw));
  for (const detail of status.getDetailsList()) {
    if (detail.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
    const failed = providerPb.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
    return {
      id: failed.getId(),
      properties: failed.getProperties()?.toJavaScript() ?? {},
      reasons: failed.getReasonsList(),
    };
  }
  return undefined;
}

/** Drops `undefined`, which protobuf structs cannot hold (the engine never sends it either). */
function clean(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {}));
}

function struct(value: unknown) {
  return structPb.Struct.fromJavaScript(clean(value));
}

function diffOf(response: Any): DiffResult {
  const kinds = providerPb.DiffResponse.DiffChanges;
  const change = response.getChanges();
  const result: DiffResult = {
    changes: change === kinds.DIFF_SOME ? "some" : change === kinds.DIFF_NONE ? "none" : "unknown",
    replaces: response.getReplacesList(),
    deleteBeforeReplace: response.getDeletebeforereplace(),
    diffs: response.getDiffsList(),
  };
  // The detailed diff counts only when the provider says it gave one (`decodeDetailedDiff`).
  if (response.getHasdetaileddiff()) {
    const detailed: Record<string, PropertyDiff> = {};
    response.getDetaileddiffMap().forEach((diff: Any, path: string) => {
      // An unknown kind is an update, as the engine reads it.
      detailed[path] = { kind: KIND_NAMES[diff.getKind()] ?? "update", inputDiff: diff.getInputdiff() };
    });
    result.detailedDiff = detailed;
  }
  return result;
}

export class ProviderHost {
  readonly process: ChildProcess;
  private readonly client: Any;
  stderr = "";
  /** The dynamic-provider host takes no secrets and sends nothing in preview; Configure may say otherwise. */
  protocol: Protocol = { acceptSecrets: false, supportsPreview: false };

  private constructor(child: ChildProcess, client: Any) {
    this.process = child;
    this.client = client;
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.stderr += chunk;
    });
  }

  /**
   * Starts the host with the program directory as working directory, as the engine does. `env`
   * adds variables; an engine address there (`PULUMI_NODEJS_ENGINE`) receives the provider's logs.
   */
  static async start(
    programDir: string,
    options: { unref?: boolean; env?: Record<string, string> } = {},
  ): Promise<ProviderHost> {
    const entry = join(ROOT, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js");
    // The host never dials its argument, but the provider knows its deployment by it: without an
    // engine, each host is a deployment of its own, as two deployments' engines never share an address.
    const engine = options.env?.PULUMI_NODEJS_ENGINE ?? `127.0.0.1:1#${randomUUID()}`;
    return ProviderHost.launch(process.execPath, [entry, engine], { ...options, cwd: programDir });
  }

  /**
   * Starts a plugin as `ExecPlugin` does (`pkg/resource/plugin/plugin.go`): the program directory
   * as working directory, the engine's address last among the arguments; the first line of its
   * standard output is the port it serves on, on 127.0.0.1.
   */
  static async launch(
    command: string,
    args: string[],
    options: { cwd: string; unref?: boolean; env?: Record<string, string> },
  ): Promise<ProviderHost> {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout?.setEncoding("utf8");
      child.stdout?.on("data", (chunk: string) => {
        out += chunk;
        const line = out.split("\n")[0];
        if (out.includes("\n") && line) resolve(line.trim());
      });
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`provider host exited with ${code} before listening`)));
    });
    if (!/^\d+$/.test(port)) {
      child.kill();
      throw new Error(`plugin [${command}] wrote an invalid port to stdout: could not parse port`);
    }
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    if (options.unref) {
      // Let the caller's process end on its own when its work is done (the host dies with it).
      child.unref();
      for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void })?.unref?.();
    }
    return new ProviderHost(child, client);
  }

  /** Properties as the engine marshals them for this plugin: secrets kept only if it accepts them. */
  private out(props: Props) {
    return struct(this.protocol.acceptSecrets ? props : revealProps(props));
  }

  private rpc<T>(method: string, request: Any): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](request, (error: Any, response: T) => {
        if (error) reject(new HostError(String(error.details ?? error.message), error.code, initFailureOf(error)));
        else resolve(response);
      });
    });
  }

  async configure(config: Record<string, string>): Promise<void> {
    const request = new providerPb.ConfigureRequest();
    request.setArgs(struct(config));
    request.setVariablesMap?.();
    await this.rpc("configure", request);
  }

  async getPluginInfo(): Promise<{ version: string }> {
    const response: Any = await this.rpc("getPluginInfo", new emptyPb.Empty());
    return { version: response.getVersion() };
  }

  /** CheckConfig: marshalled without secrets, whatever the plugin accepts (`provider_plugin.go`). */
  async checkConfig(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const request = withUrn(new providerPb.CheckRequest(), urn);
    request.setOlds(struct(revealProps(olds)));
    request.setNews(struct(revealProps(news)));
    const response: Any = await this.rpc("checkConfig", request);
    return {
      inputs: response.getInputs()?.toJavaScript() ?? news,
      failures: response.getFailuresList().map((f: Any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** DiffConfig: old outputs, old inputs and news, without secrets (`provider_plugin.go`). */
  async diffConfig(urn: string, olds: Props, oldInputs: Props, news: Props): Promise<DiffResult> {
    const request = withUrn(new providerPb.DiffRequest(), urn);
    request.setOlds(struct(revealProps(olds)));
    request.setOldInputs(struct(revealProps(oldInputs)));
    request.setNews(struct(revealProps(news)));
    return diffOf(await this.rpc("diffConfig", request));
  }

  /**
   * Configure as the engine sends it (`Registry.Create`/`Same`/`Update`): `args` with secrets kept,
   * `acceptSecrets` and `acceptResources` true, the provider resource's URN, name, type and id;
   * the answer sets the protocol of every later call.
   */
  async configureProvider(urn: string, id: string, args: Props): Promise<Protocol> {
    const request = withUrn(new providerPb.ConfigureRequest(), urn);
    request.setId(id);
    request.setArgs(struct(args));
    request.setAcceptsecrets(true);
    request.setAcceptresources(true);
    request.setSendsOldInputs(true);
    request.setSendsOldInputsToDelete(true);
    const response: Any = await this.rpc("configure", request);
    this.protocol = { acceptSecrets: response.getAcceptsecrets(), supportsPreview: response.getSupportspreview() };
    return this.protocol;
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const request = withUrn(new providerPb.CheckRequest(), urn);
    request.setOlds(this.out(olds));
    request.setNews(this.out(news));
    const response: Any = await this.rpc("check", request);
    return {
      inputs: response.getInputs().toJavaScript(),
      failures: response.getFailuresList().map((f: Any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(urn: string, id: string, olds: Props, news: Props, oldInputs?: Props): Promise<DiffResult> {
    const request = withUrn(new providerPb.DiffRequest(), urn);
    request.setId(id);
    request.setOlds(this.out(olds));
    request.setNews(this.out(news));
    if (oldInputs) request.setOldInputs(this.out(oldInputs));
    return diffOf(await this.rpc("diff", request));
  }

  async create(urn: string, properties: Props, preview = false): Promise<{ id: string; properties: Props }> {
    const request = withUrn(new providerPb.CreateRequest(), urn);
    request.setProperties(this.out(properties));
    request.setPreview(preview);
    const response: Any = await this.rpc("create", request);
    return { id: response.getId(), properties: response.getProperties()?.toJavaScript() ?? {} };
  }

  async read(
    urn: string,
    id: string,
    properties: Props,
    inputs: Props,
  ): Promise<{ id: string; properties: Props; inputs: Props }> {
    const request = withUrn(new providerPb.ReadRequest(), urn);
    request.setId(id);
    request.setProperties(this.out(properties));
    request.setInputs(this.out(inputs));
    const response: Any = await this.rpc("read", request);
    return {
      id: response.getId(),
      properties: response.getProperties()?.toJavaScript() ?? {},
      inputs: response.getInputs()?.toJavaScript() ?? {},
    };
  }

  async update(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
    options: { preview?: boolean; oldInputs?: Props } = {},
  ): Promise<{ properties: Props }> {
    const request = withUrn(new providerPb.UpdateRequest(), urn);
    request.setId(id);
    request.setOlds(this.out(olds));
    request.setNews(this.out(news));
    request.setPreview(options.preview ?? false);
    if (options.oldInputs) request.setOldInputs(this.out(options.oldInputs));
    const response: Any = await this.rpc("update", request);
    return { properties: response.getProperties()?.toJavaScript() ?? {} };
  }

  async delete(urn: string, id: string, properties: Props, oldInputs?: Props): Promise<void> {
    const request = withUrn(new providerPb.DeleteRequest(), urn);
    request.setId(id);
    request.setProperties(this.out(properties));
    if (oldInputs) request.setOldInputs(this.out(oldInputs));
    await this.rpc("delete", request);
  }

  /** Cancel (`SignalCancellation`) before the process is stopped; unimplemented counts as done. */
  async cancel(): Promise<void> {
    await this.rpc("cancel", new emptyPb.Empty()).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once("exit", resolve));
      this.process.kill();
      await exited;
    }
  }
}
