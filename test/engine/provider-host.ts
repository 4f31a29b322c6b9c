/**
 * Pulumi's own dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`), started in a
 * program directory and driven over gRPC the way the engine drives it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../support/packed";
import { type Any, grpc, providerGrpc, providerPb, statusPb, structPb } from "./grpc";
import type { InitFailure } from "./journal";

type Props = Record<string, unknown>;

export interface CheckResult {
  inputs: Props;
  failures: Array<{ property: string; reason: string }>;
}

export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
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

export class ProviderHost {
  readonly process: ChildProcess;
  private readonly client: Any;
  stderr = "";

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
    const engine = options.env?.PULUMI_NODEJS_ENGINE ?? "127.0.0.1:1";
    const child = spawn(process.execPath, [entry, engine], {
      cwd: programDir,
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
      child.once("exit", (code) => reject(new Error(`provider host exited with ${code} before listening`)));
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    if (options.unref) {
      // Let the caller's process end on its own when its work is done (the host dies with it).
      child.unref();
      for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void })?.unref?.();
    }
    return new ProviderHost(child, client);
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

  async check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const request = new providerPb.CheckRequest();
    request.setUrn(urn);
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    const response: Any = await this.rpc("check", request);
    return {
      inputs: response.getInputs().toJavaScript(),
      failures: response.getFailuresList().map((f: Any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(urn: string, id: string, olds: Props, news: Props): Promise<DiffResult> {
    const request = new providerPb.DiffRequest();
    request.setUrn(urn);
    request.setId(id);
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    const response: Any = await this.rpc("diff", request);
    const kinds = providerPb.DiffResponse.DiffChanges;
    const change = response.getChanges();
    return {
      changes: change === kinds.DIFF_SOME ? "some" : change === kinds.DIFF_NONE ? "none" : "unknown",
      replaces: response.getReplacesList(),
      deleteBeforeReplace: response.getDeletebeforereplace(),
    };
  }

  async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
    const request = new providerPb.CreateRequest();
    request.setUrn(urn);
    request.setProperties(struct(properties));
    const response: Any = await this.rpc("create", request);
    return { id: response.getId(), properties: response.getProperties().toJavaScript() };
  }

  async read(
    urn: string,
    id: string,
    properties: Props,
    inputs: Props,
  ): Promise<{ id: string; properties: Props; inputs: Props }> {
    const request = new providerPb.ReadRequest();
    request.setUrn(urn);
    request.setId(id);
    request.setProperties(struct(properties));
    request.setInputs(struct(inputs));
    const response: Any = await this.rpc("read", request);
    return {
      id: response.getId(),
      properties: response.getProperties().toJavaScript(),
      inputs: response.getInputs()?.toJavaScript() ?? {},
    };
  }

  async update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
    const request = new providerPb.UpdateRequest();
    request.setUrn(urn);
    request.setId(id);
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    const response: Any = await this.rpc("update", request);
    return { properties: response.getProperties().toJavaScript() };
  }

  async delete(urn: string, id: string, properties: Props): Promise<void> {
    const request = new providerPb.DeleteRequest();
    request.setUrn(urn);
    request.setId(id);
    request.setProperties(struct(properties));
    await this.rpc("delete", request);
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
