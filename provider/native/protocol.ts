/**
 * Pulumi's provider protocol as this package speaks it: the gRPC service and messages generated
 * into `@pulumi/pulumi/proto` (so both ends use the protocol the SDK was built against), and the
 * property values they carry. Secrets travel wrapped in an object keyed by Pulumi's signature,
 * unknowns as one sentinel string; the lifecycle modules see neither wrapper.
 */
import { createRequire } from "node:module";
import { UNKNOWN } from "../check";
import type { Props } from "../props";

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

function isSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/**
 * The plain value, with every secret unwrapped, and where the secrets were: dotted paths
 * (`webhooks.url`; `webhooks` for a group given as one secret), so they go back where they were.
 */
export function unwrapSecrets(props: Props): { plain: Props; secretKeys: Set<string> } {
  const secretKeys = new Set<string>();
  const reveal = (value: unknown, path: string): unknown => {
    if (isSecret(value)) {
      secretKeys.add(path);
      return reveal(value.value, path);
    }
    if (Array.isArray(value)) return value.map((item, index) => reveal(item, `${path}.${index}`));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v, `${path}.${k}`)]));
    }
    return value;
  };
  const plain = Object.fromEntries(Object.entries(props).map(([key, value]) => [key, reveal(value, key)]));
  return { plain, secretKeys };
}

/** `value` wrapped as a secret, unless it is one already or holds nothing. */
function secretOf(value: unknown): unknown {
  if (value === undefined || value === null || value === UNKNOWN || isSecret(value)) return value;
  return { [SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/** `props` with the values at `paths` (dotted, as `unwrapSecrets` gives them) wrapped as secrets. */
export function wrapSecrets(props: Props, paths: Iterable<string>): Props {
  const wrapAt = (value: unknown, path: string[]): unknown => {
    const [head, ...rest] = path;
    if (head === undefined) return secretOf(value);
    if (typeof value !== "object" || value === null || isSecret(value) || !(head in value)) return value;
    const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
    copy[head] = wrapAt(copy[head], rest);
    return copy;
  };
  // Deepest first, so a group given as one secret wraps what its members were.
  const sorted = [...paths].sort((a, b) => b.split(".").length - a.split(".").length);
  return sorted.reduce<Props>((acc, path) => wrapAt(acc, path.split(".")) as Props, { ...props });
}

/** A protobuf Struct as a plain object (an absent Struct is `{}`). */
export function fromStruct(struct: Any | undefined): Props {
  return struct ? (struct.toJavaScript() as Props) : {};
}

/** A plain object as a protobuf Struct; `undefined` members are left out, as Pulumi does. */
export function toStruct(props: Props): Any {
  return structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Props);
}
