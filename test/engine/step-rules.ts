/**
 * The engine's decisions, as pure functions (after pulumi/pulumi's `pkg/resource/deploy/step_generator.go`
 * and the resource-option docs). The loop in `deployment.ts` only performs what these decide.
 */
import { isSecret, type Props, sameValue, UNKNOWN } from "./property-values";

export type StepOp = "create" | "update" | "replace" | "same";

/** One changed property, `pulumi preview --diff` style; secret values are never carried, only flagged. */
export interface PropertyChange {
  kind: "+" | "-" | "~";
  path: string;
  before?: unknown;
  after?: unknown;
  secret: boolean;
}

function isObject(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isSecret(value);
}

/**
 * Property-level changes between two property maps: nested objects are walked, arrays and
 * scalars compared whole. A path is secret when either side is secret there or above.
 */
export function propertyChanges(before: Props, after: Props, prefix = "", secretAbove = false): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  for (const key of keys) {
    const path = prefix ? `${prefix}.${key}` : key;
    const had = key in before && before[key] !== undefined;
    const has = key in after && after[key] !== undefined;
    const was = before[key];
    const now = after[key];
    const secret = secretAbove || isSecret(was) || isSecret(now);
    // A secret's value never leaves the engine in a change, at any depth; only that it changed.
    const shown = (value: unknown) => (secret ? "[secret]" : masked(value));
    if (!had && has) changes.push({ kind: "+", path, after: shown(now), secret });
    else if (had && !has) changes.push({ kind: "-", path, before: shown(was), secret });
    else if (had && has && !sameValue(was, now)) {
      // Members keep their own secret markers, so a group's one secret member hides only itself.
      const a = unwrapTop(was);
      const b = unwrapTop(now);
      if (isObject(a) && isObject(b)) changes.push(...propertyChanges(a, b, path, secret));
      else changes.push({ kind: "~", path, before: shown(was), after: shown(now), secret });
    }
  }
  return changes;
}

/** The value without the secret marker around it (the caller carries that), members' markers kept. */
function unwrapTop(value: unknown): unknown {
  return isSecret(value) ? unwrapTop(value.value) : value;
}

/** The value for display: every secret inside it, at any depth, as `[secret]`. */
function masked(value: unknown): unknown {
  if (isSecret(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(masked);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
  return value;
}

function splitPath(path: string): string[] {
  return path
    .replace(/\[(\d+|"[^"]*")\]/g, (_, part: string) => `.${part.replace(/"/g, "")}`)
    .split(".")
    .filter(Boolean);
}

function getPath(props: Props, parts: string[]): { found: boolean; value: unknown } {
  let current: unknown = props;
  for (const part of parts) {
    const node = isSecret(current) ? current.value : current;
    if (typeof node !== "object" || node === null || !(part in node)) return { found: false, value: undefined };
    current = (node as Props)[part];
  }
  return { found: true, value: current };
}

function setPath(props: Props, parts: string[], value: unknown, remove: boolean): Props {
  const [head, ...rest] = parts;
  if (head === undefined) return props;
  const copy: Props = { ...props };
  if (rest.length === 0) {
    if (remove) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const inner = copy[head];
  const secret = isSecret(inner);
  const node = secret ? inner.value : inner;
  const next = setPath(isObject(node) ? node : {}, rest, value, remove);
  copy[head] = secret ? { ...inner, value: next } : next;
  return copy;
}

/**
 * `ignoreChanges`: before check, each ignored path takes its old input value (or stays absent
 * when it had none). On create there are no old inputs, so nothing is ignored.
 */
export function applyIgnoreChanges(news: Props, olds: Props | undefined, ignoreChanges: readonly string[]): Props {
  if (!olds) return news;
  let result = news;
  for (const path of ignoreChanges) {
    const parts = splitPath(path);
    if (parts.length === 0) continue;
    if (parts[0] === "*") return { ...olds };
    const old = getPath(olds, parts);
    result = setPath(result, parts, old.value, !old.found);
  }
  return result;
}

/** `replaceOnChanges`: does a changed path fall under one of the option's paths (`*` = any)? */
export function matchesReplaceOnChanges(
  changedPaths: readonly string[],
  replaceOnChanges: readonly string[],
): string[] {
  return changedPaths.filter((changed) =>
    replaceOnChanges.some((option) => {
      const want = splitPath(option);
      const have = splitPath(changed);
      if (want[0] === "*") return true;
      // A change below or above the option's path touches it.
      const length = Math.min(want.length, have.length);
      return want.slice(0, length).every((part, index) => part === "*" || part === have[index]);
    }),
  );
}

export interface ProviderDiff {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Per property path, the kind of change (`PropertyDiff.Kind`) and whether the old value is an input. */
  detailedDiff?: Record<string, { kind: string; inputDiff: boolean }>;
}

export interface StepDecision {
  op: StepOp;
  /** The properties that force the replacement (provider's plus `replaceOnChanges`). */
  replaceKeys: string[];
  deleteBeforeReplace: boolean;
}

/** The key Pulumi's diff carries for a resource's init errors (`step_generator.go`, `initErrorSpecialKey`). */
export const INIT_ERROR_KEY = "#initerror";

/**
 * From a diff to a step. `changes: unknown` (a provider without diff) falls back to comparing
 * old and new inputs. A replacement is create-before-delete unless the provider or the
 * `deleteBeforeReplace` option asks otherwise. A resource whose last create or update failed
 * with init errors gets an update even without a diff, or a replacement when `replaceOnChanges`
 * covers `#initerror` (`step_generator.go`, `hasInitErrors` and `applyReplaceOnChanges`).
 */
export function decideStep(options: {
  diff: ProviderDiff;
  oldInputs: Props;
  newInputs: Props;
  replaceOnChanges: readonly string[];
  deleteBeforeReplace: boolean;
  hasInitErrors?: boolean;
}): StepDecision {
  const changedPaths = propertyChanges(options.oldInputs, options.newInputs).map((c) => c.path);
  const changed =
    options.diff.changes === "some" ||
    options.diff.replaces.length > 0 ||
    (options.diff.changes === "unknown" && changedPaths.length > 0);
  const initErrors = options.hasInitErrors ?? false;
  if (!changed && !initErrors) return { op: "same", replaceKeys: [], deleteBeforeReplace: false };
  // A replacement when the provider lists keys or a detailed kind is a `*-replace` (`DiffResult.Replace()`).
  const detailedReplaces = Object.entries(options.diff.detailedDiff ?? {})
    .filter(([, diff]) => diff.kind.endsWith("-replace"))
    .map(([path]) => topLevelKey(path));
  const replaceKeys = [
    ...new Set([
      ...options.diff.replaces,
      ...detailedReplaces,
      ...matchesReplaceOnChanges(changedPaths, options.replaceOnChanges),
      ...(initErrors ? matchesReplaceOnChanges([INIT_ERROR_KEY], options.replaceOnChanges) : []),
    ]),
  ];
  if (replaceKeys.length === 0) return { op: "update", replaceKeys: [], deleteBeforeReplace: false };
  return {
    op: "replace",
    replaceKeys,
    deleteBeforeReplace: options.deleteBeforeReplace || options.diff.deleteBeforeReplace,
  };
}

export interface Node {
  urn: string;
  dependencies: readonly string[];
  /** The provider resource serving it (`<urn>::<id>`): deleted after it, as a dependency is. */
  provider?: string | undefined;
}

/**
 * Delete order: dependants before what they depend on (the reverse of a topological order of the
 * state), ties in reverse registration order, as Pulumi deletes.
 */
export function deleteOrder<T extends Node>(resources: readonly T[]): T[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const ordered: T[] = [];
  const seen = new Set<string>();
  const visit = (resource: T) => {
    if (seen.has(resource.urn)) return;
    seen.add(resource.urn);
    const provider = resource.provider ? resource.provider.slice(0, resource.provider.lastIndexOf("::")) : undefined;
    for (const dependency of provider ? [...resource.dependencies, provider] : resource.dependencies) {
      const target = byUrn.get(dependency);
      if (target) visit(target);
    }
    ordered.push(resource);
  };
  for (const resource of resources) visit(resource);
  return ordered.reverse();
}

/** A resource in state as the dependency graph sees it: its dependencies and, per input, where its value came from. */
export interface GraphNode extends Node {
  propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Everything that depends on `root`, directly or through others, by a dependency or a property
 * dependency (children are not dependants here), in state order; state is in dependency order, so
 * only resources after `root` are looked at. `ignore`: URNs that cannot be dependants any more.
 * After pulumi/pulumi's `pkg/resource/graph/dependency_graph.go`, `DependingOn(root, ignore, false)`.
 */
export function dependingOn<T extends GraphNode>(root: T, resources: readonly T[], ignore: ReadonlySet<string>): T[] {
  const start = resources.indexOf(root);
  if (start < 0) return [];
  const dependants: T[] = [];
  const found = new Set([root.urn]);
  for (const candidate of resources.slice(start + 1)) {
    if (ignore.has(candidate.urn)) continue;
    const edges = [...candidate.dependencies, ...Object.values(candidate.propertyDependencies ?? {}).flat()];
    if (edges.some((urn) => found.has(urn))) {
      dependants.push(candidate);
      found.add(candidate.urn);
    }
  }
  return dependants;
}

/**
 * The inputs a dependant is diffed with while resources it took values from are being replaced:
 * each such property unknown, the rest as they are; `undefined` when no property took a value from
 * them, so nothing of the dependant can change (`calculateDependentReplacements`, `requiresReplacement`).
 */
export function inputsForDependentDiff(
  inputs: Props,
  propertyDependencies: Readonly<Record<string, readonly string[]>>,
  replaceSet: ReadonlySet<string>,
): Props | undefined {
  let affected = false;
  const news: Props = {};
  for (const [key, value] of Object.entries(inputs)) {
    const fromReplaced = (propertyDependencies[key] ?? []).some((urn) => replaceSet.has(urn));
    affected ||= fromReplaced;
    news[key] = fromReplaced ? UNKNOWN : value;
  }
  return affected ? news : undefined;
}

/** What a preview shows for an output no step produced yet. */
export function unknownOutputs(inputs: Props): Props {
  return { ...inputs, id: UNKNOWN };
}

/** The top-level property of a property path (`webhooks` of `webhooks.url`, `groups` of `groups[0]`). */
export function topLevelKey(path: string): string {
  return String(parsePropertyPath(path)[0] ?? path);
}

/**
 * A property path as `resource.ParsePropertyPath` reads it (`sdk/go/common/resource/properties_path.go`):
 * `a.b`, `a[0]`, `a["key.with.dots"]`; a path that does not parse is one top-level name.
 */
export function parsePropertyPath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  let rest = path;
  while (rest.length > 0) {
    if (rest.startsWith(".")) rest = rest.slice(1);
    const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
    const index = /^\[(\d+)\]/.exec(rest);
    const name = /^[^.[]+/.exec(rest);
    if (quoted) {
      parts.push((quoted[1] as string).replace(/\\(.)/g, "$1"));
      rest = rest.slice(quoted[0].length);
    } else if (index) {
      parts.push(Number(index[1]));
      rest = rest.slice(index[0].length);
    } else if (name) {
      parts.push(name[0]);
      rest = rest.slice(name[0].length);
    } else {
      return [path];
    }
  }
  return parts;
}

/** The value at a path and whether a secret holds it or anything above it. */
function valueAt(props: Props, path: ReadonlyArray<string | number>): { value: unknown; secret: boolean } {
  let value: unknown = props;
  let secret = false;
  for (const part of path) {
    if (isSecret(value)) {
      secret = true;
      value = value.value;
    }
    if (value === null || typeof value !== "object") return { value: undefined, secret };
    value = (value as Record<string | number, unknown>)[part];
  }
  return { value, secret: secret || isSecret(value) || containsSecretValue(value) };
}

function containsSecretValue(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecretValue);
  if (isObject(value)) return Object.values(value).some(containsSecretValue);
  return false;
}

/**
 * The changes a provider's `detailedDiff` describes, as `pulumi preview --diff` shows them
 * (`engine.TranslateDetailedDiff`, `pkg/engine/detailedDiff.go`): one line per path the provider
 * named, the old value from the old outputs (the old inputs when `inputDiff`), the new one from
 * the new inputs; a secret anywhere on the path shows as `[secret]`.
 */
export function detailedChanges(
  detailedDiff: Readonly<Record<string, { kind: string; inputDiff: boolean }>>,
  old: { inputs: Props; outputs: Props },
  newInputs: Props,
): PropertyChange[] {
  return Object.keys(detailedDiff)
    .sort()
    .map((path) => {
      const diff = detailedDiff[path] as { kind: string; inputDiff: boolean };
      const parts = parsePropertyPath(path);
      const before = valueAt(diff.inputDiff ? old.inputs : old.outputs, parts);
      const after = valueAt(newInputs, parts);
      const secret = before.secret || after.secret;
      const shown = (value: unknown) => (secret ? "[secret]" : value === undefined ? UNKNOWN : masked(value));
      if (diff.kind.startsWith("add")) return { kind: "+", path, after: shown(after.value), secret };
      if (diff.kind.startsWith("delete")) return { kind: "-", path, before: shown(before.value), secret };
      return { kind: "~", path, before: shown(before.value), after: shown(after.value), secret };
    });
}
