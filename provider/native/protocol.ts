/**
 * Pulumi's provider protocol as this package speaks it: the gRPC service and messages generated
 * into `@pulumi/pulumi/proto` (so both ends use the protocol the SDK was built against), and the
 * property values they carry. Secrets travel wrapped in an object keyed by Pulumi's signature,
 * unknowns as one sentinel string; the lifecycle modules see neither wrapper.
 */
import { createRequire } from "node:module";
import { UNKNOWN } from "../check";

const load = createRequire(require.resolve("@pulumi/pulumi"));
// biome-ignore lint/suspicious/noExplicitAny: generated protobuf modules carry no types
type Any = any;

export const grpc: Any = load("@grpc/grpc-js");
export const providerGrpc: Any = load("@pulumi/pulumi/proto/provider_grpc_pb");
export const providerPb: Any = load("@pulumi/pulumi/proto/provider_pb");
export const pluginPb: Any = load("@pulumi/pulumi/proto/plugin_pb");
export const statusPb: Any = load("@pulumi/pulumi/proto/status_pb");
export const structPb: Any = load("google-protobuf/google/protobuf/struct_pb");
export const anyPb: Any = load("google-protobuf/google/protobuf/any_pb");
export const emptyPb: Any = load("google-protobuf/google/protobuf/empty_pb");

/** `sig.Key` and `sig.Secret` of Pulumi's property encoding. */
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

export { UNKNOWN };

type Props = Record<string, unknown>;

function isSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/** The plain value, with every secret unwrapped, and the top-level keys that were secret. */
export function unwrapSecrets(props: Props): { plain: Props; secretKeys: Set<string> } {
  const secretKeys = new Set<string>();
  const plain: Props = {};
  for (const [key, value] of Object.entries(props)) {
    if (containsSecret(value)) secretKeys.add(key);
    plain[key] = reveal(value);
  }
  return { plain, secretKeys };
}

function containsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecret);
  return false;
}

function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

/** `props` with the values of `secretKeys` wrapped as secrets (a key holding `undefined` stays out). */
export function wrapSecrets(props: Props, secretKeys: Iterable<string>): Props {
  const wrapped: Props = { ...props };
  for (const key of secretKeys) {
    const value = wrapped[key];
    if (value === undefined || value === null || value === UNKNOWN) continue;
    wrapped[key] = { [SIGNATURE_KEY]: SECRET_SIGNATURE, value };
  }
  return wrapped;
}

/** A protobuf Struct as a plain object (an absent Struct is `{}`). */
export function fromStruct(struct: Any | undefined): Props {
  return struct ? (struct.toJavaScript() as Props) : {};
}

/** A plain object as a protobuf Struct; `undefined` members are left out, as Pulumi does. */
export function toStruct(props: Props): Any {
  return structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Props);
}
