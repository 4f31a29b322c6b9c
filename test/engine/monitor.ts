/**
 * Our side of the program's gRPC connection: Pulumi's `ResourceMonitor` (what the SDK registers)
 * and `Engine` (logs, the root resource) services, on one loopback port. It decodes requests into
 * plain values and hands them to the deployment; it decides nothing itself.
 *
 * SupportsFeature answers yes to `secrets` only. Without `resourceReferences` and `outputValues`
 * the SDK sends plain values (our programs pass no resources as inputs); without `aliasSpecs` it
 * computes alias URNs itself and sends them in `aliasURNs`; `deletedWith`, transforms, hooks and
 * parameterization are refused by the SDK when a program asks for them, which is what we want.
 */
import { type Any, emptyPb, engineGrpc, enginePb, grpc, resourceGrpc, resourcePb, structPb } from "./grpc";
import { type Props, plain } from "./property-values";

export const SUPPORTED_FEATURES = new Set(["secrets"]);

export interface Registration {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  /** Inputs as the SDK sent them: secrets wrapped, unknowns as the sentinel. */
  inputs: Props;
  dependencies: string[];
  /** Per input property, the resources its value came from (what a delete-before-replace may condemn). */
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  retainOnDelete: boolean;
  /** `undefined` when the program did not set the option. */
  deleteBeforeReplace: boolean | undefined;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
  aliasUrns: string[];
  importId: string;
  /** The `provider` option as a reference (`<urn>::<id>`); empty for the package's default provider. */
  provider: string;
  /** The `version` option: the plugin version asked for (names the default provider). */
  version: string;
}

export interface Registered {
  id: string;
  outputs: Props;
}

export type Severity = "debug" | "info" | "warning" | "error";

/** `Resource.get` / a resource constructed with the `id` option: the SDK's ReadResource. */
export interface ReadRequest {
  urn: string;
  id: string;
  type: string;
  name: string;
  parent: string;
  properties: Props;
  dependencies: string[];
  additionalSecretOutputs: string[];
  provider: string;
  version: string;
}

export interface MonitorHandler {
  register(registration: Registration): Promise<Registered>;
  /** Absent: ReadResource is refused as unsupported. */
  read?(request: ReadRequest): Promise<Props>;
  registerOutputs(urn: string, outputs: Props): void;
  log(severity: Severity, message: string, urn: string): void;
}

/** A failure the engine reports to the program; the SDK stops registering and exits. */
export class MonitorError extends Error {
  readonly code = "ENGINE_MONITOR";
}

const SEVERITIES: Record<number, Severity> = { 0: "debug", 1: "info", 2: "warning", 3: "error" };

function urnType(urn: string): string {
  return urn.split("::")[2] ?? "";
}

/** Pulumi's URN: the parent's qualified type is prefixed, except for the stack's own children. */
export function makeUrn(stack: string, project: string, type: string, name: string, parent: string): string {
  const parentType = parent ? urnType(parent) : "";
  const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

function propertyDependencies(request: Any): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  request.getPropertydependenciesMap().forEach((deps: Any, key: string) => {
    result[key] = deps.getUrnsList();
  });
  return result;
}

function decode(request: Any, stack: string, project: string): Registration {
  const type: string = request.getType();
  const name: string = request.getName();
  const parent: string = request.getParent();
  return {
    urn: makeUrn(stack, project, type, name, parent),
    type,
    name,
    parent,
    custom: request.getCustom(),
    inputs: request.getObject()?.toJavaScript() ?? {},
    dependencies: request.getDependenciesList(),
    propertyDependencies: propertyDependencies(request),
    protect: request.hasProtect() ? request.getProtect() : false,
    retainOnDelete: request.hasRetainondelete() ? request.getRetainondelete() : false,
    deleteBeforeReplace: request.getDeletebeforereplacedefined() ? request.getDeletebeforereplace() : undefined,
    ignoreChanges: request.getIgnorechangesList(),
    replaceOnChanges: request.getReplaceonchangesList(),
    additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
    aliasUrns: request.getAliasurnsList(),
    importId: request.getImportid(),
    provider: request.getProvider(),
    version: request.getVersion(),
  };
}

export class MonitorServer {
  private readonly server: Any;
  readonly address: string;
  private rootUrn = "";

  private constructor(server: Any, address: string) {
    this.server = server;
    this.address = address;
  }

  static async start(stack: string, project: string, handler: MonitorHandler): Promise<MonitorServer> {
    const server = new grpc.Server();
    const fail = (callback: Any, error: unknown) =>
      callback({
        code: error instanceof MonitorError ? grpc.status.UNAVAILABLE : grpc.status.UNKNOWN,
        details: error instanceof Error ? error.message : String(error),
      });
    let self: MonitorServer | undefined;
    server.addService(resourceGrpc.ResourceMonitorService, {
      supportsFeature(call: Any, callback: Any) {
        const response = new resourcePb.SupportsFeatureResponse();
        response.setHassupport(SUPPORTED_FEATURES.has(call.request.getId()));
        callback(null, response);
      },
      registerResource(call: Any, callback: Any) {
        const registration = decode(call.request, stack, project);
        handler.register(registration).then(
          (done) => {
            const response = new resourcePb.RegisterResourceResponse();
            response.setUrn(registration.urn);
            response.setId(done.id);
            response.setObject(structPb.Struct.fromJavaScript(plain(done.outputs)));
            response.setResult(resourcePb.Result.SUCCESS);
            callback(null, response);
          },
          (error: unknown) => fail(callback, error),
        );
      },
      readResource(call: Any, callback: Any) {
        const r = call.request;
        if (!handler.read) {
          callback({ code: grpc.status.UNIMPLEMENTED, details: "reading resources is not supported here" });
          return;
        }
        const read: ReadRequest = {
          urn: makeUrn(stack, project, r.getType(), r.getName(), r.getParent()),
          id: r.getId(),
          type: r.getType(),
          name: r.getName(),
          parent: r.getParent(),
          properties: r.getProperties()?.toJavaScript() ?? {},
          dependencies: r.getDependenciesList(),
          additionalSecretOutputs: r.getAdditionalsecretoutputsList(),
          provider: r.getProvider(),
          version: r.getVersion(),
        };
        handler.read(read).then(
          (outputs) => {
            const response = new resourcePb.ReadResourceResponse();
            response.setUrn(read.urn);
            response.setProperties(structPb.Struct.fromJavaScript(plain(outputs)));
            callback(null, response);
          },
          (error: unknown) => fail(callback, error),
        );
      },
      registerResourceOutputs(call: Any, callback: Any) {
        handler.registerOutputs(call.request.getUrn(), call.request.getOutputs()?.toJavaScript() ?? {});
        callback(null, new emptyPb.Empty());
      },
      invoke(call: Any, callback: Any) {
        callback({ code: grpc.status.UNIMPLEMENTED, details: `unknown function ${call.request.getTok()}` });
      },
    });
    server.addService(engineGrpc.EngineService, {
      log(call: Any, callback: Any) {
        const request = call.request;
        handler.log(SEVERITIES[request.getSeverity()] ?? "info", request.getMessage(), request.getUrn());
        callback(null, new emptyPb.Empty());
      },
      getRootResource(_call: Any, callback: Any) {
        const response = new enginePb.GetRootResourceResponse();
        response.setUrn(self?.rootUrn ?? "");
        callback(null, response);
      },
      setRootResource(call: Any, callback: Any) {
        if (self) self.rootUrn = call.request.getUrn();
        callback(null, new enginePb.SetRootResourceResponse());
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error: Error | null, p: number) =>
        error ? reject(error) : resolve(p),
      ),
    );
    self = new MonitorServer(server, `127.0.0.1:${port}`);
    return self;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  forceClose(): void {
    this.server.forceShutdown();
  }
}
