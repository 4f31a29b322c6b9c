/**
 * Property values as they cross the engine: plain JSON, with Pulumi's two special encodings.
 * A secret is `{ "4dabf1…": "1b4706…", value }` (the signature key and the secret signature of
 * `@pulumi/pulumi/runtime/rpc`); an unknown (a value only known after `up`) is the sentinel
 * string `04da6b54-…`. These are the same encodings the SDK and the dynamic-provider host use.
 */

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

export interface SecretValue {
  [SIG_KEY]: typeof SECRET_SIG;
  value: unknown;
}

function isObject(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSecret(value: unknown): value is SecretValue {
  return isObject(value) && value[SIG_KEY] === SECRET_SIG && "value" in value;
}

export function makeSecret(value: unknown): unknown {
  return isSecret(value) ? value : { [SIG_KEY]: SECRET_SIG, value };
}

/** The value with every secret marker removed: what a provider that does not accept secrets gets. */
export function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

export function revealProps(props: Props): Props {
  return reveal(props) as Props;
}

export function containsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (isObject(value)) return Object.values(value).some(containsSecret);
  return false;
}

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (isSecret(value)) return containsUnknown(value.value);
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * Pulumi's rule for outputs of a provider that does not accept secrets: an output whose input of
 * the same name was secret is secret; objects and equal-length arrays are matched member by member.
 */
export function annotateSecrets(outputs: unknown, inputs: unknown): unknown {
  if (isSecret(inputs)) return makeSecret(reveal(outputs));
  if (isObject(outputs) && isObject(inputs)) {
    return Object.fromEntries(
      Object.entries(outputs).map(([key, value]) => [key, key in inputs ? annotateSecrets(value, inputs[key]) : value]),
    );
  }
  if (Array.isArray(outputs) && Array.isArray(inputs) && outputs.length === inputs.length) {
    return outputs.map((value, index) => annotateSecrets(value, inputs[index]));
  }
  return outputs;
}

/** Outputs as the engine stores them: secrets put back from the inputs, plus `additionalSecretOutputs`. */
export function secretOutputs(outputs: Props, inputs: Props, additionalSecretOutputs: readonly string[]): Props {
  const annotated = annotateSecrets(outputs, inputs) as Props;
  for (const key of additionalSecretOutputs) {
    if (key in annotated) annotated[key] = makeSecret(reveal(annotated[key]));
  }
  return annotated;
}

/** Deep equality of two values, secret markers ignored. */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(reveal(a))) === JSON.stringify(sortKeys(reveal(b)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

/** Drops `undefined` (protobuf structs cannot hold it; the engine never sends it). */
export function plain(value: unknown): Props {
  return JSON.parse(JSON.stringify(value ?? {})) as Props;
}
