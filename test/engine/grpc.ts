/**
 * Pulumi's generated gRPC and protobuf modules, loaded from the repository's `@pulumi/pulumi`, so
 * both sides of every call speak exactly the protocol the SDK was built against.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT } from "../support/packed";

const load = createRequire(join(ROOT, "package.json"));
// biome-ignore lint/suspicious/noExplicitAny: generated protobuf modules carry no types
export type Any = any;

export const grpc: Any = load("@grpc/grpc-js");
export const resourceGrpc: Any = load("@pulumi/pulumi/proto/resource_grpc_pb");
export const resourcePb: Any = load("@pulumi/pulumi/proto/resource_pb");
export const engineGrpc: Any = load("@pulumi/pulumi/proto/engine_grpc_pb");
export const enginePb: Any = load("@pulumi/pulumi/proto/engine_pb");
export const providerGrpc: Any = load("@pulumi/pulumi/proto/provider_grpc_pb");
export const providerPb: Any = load("@pulumi/pulumi/proto/provider_pb");
export const statusPb: Any = load("@pulumi/pulumi/proto/status_pb");
export const structPb: Any = load("google-protobuf/google/protobuf/struct_pb");
export const emptyPb: Any = load("google-protobuf/google/protobuf/empty_pb");
/** Pulumi's own YAML reader (a dependency of `@pulumi/pulumi`), for Pulumi.yaml and stack files. */
export const yaml: { load(text: string): unknown } = load("js-yaml");
