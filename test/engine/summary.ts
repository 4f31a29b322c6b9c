/**
 * A `pulumi`-like rendering of a run: one line per resource step with its changed properties,
 * diagnostics, outputs, and the closing count. Secrets print as `[secret]`, unknowns as
 * `[unknown]`; nothing here ever prints a secret's value.
 */
import type { Diagnostic, EngineResult, StepEvent } from "./deployment";
import { isSecret, UNKNOWN } from "./property-values";
import type { PropertyChange } from "./step-rules";

const SYMBOLS: Record<StepEvent["op"], string> = {
  create: "+",
  update: "~",
  replace: "+-",
  same: " ",
  delete: "-",
  refresh: "~",
  read: ">",
  import: "=",
};

/** A value for display: secrets masked, unknowns named. */
export function display(value: unknown): string {
  return JSON.stringify(mask(value)) ?? "undefined";
}

function mask(value: unknown): unknown {
  if (isSecret(value)) return "[secret]";
  if (value === UNKNOWN) return "[unknown]";
  if (Array.isArray(value)) return value.map(mask);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
  }
  return value;
}

/**
 * Internal properties (`__provider`, a resource class's own `__` keys) are not shown, as the CLI's
 * display skips them (`IsInternalPropertyKey` in pulumi/pulumi sdk/go/common/resource/properties.go).
 */
const isInternal = (path: string) => path.startsWith("__");

export function changeLine(change: PropertyChange): string {
  const show = (value: unknown) => (change.secret ? "[secret]" : display(value));
  if (change.kind === "+") return `+ ${change.path}: ${show(change.after)}`;
  if (change.kind === "-") return `- ${change.path}: ${show(change.before)}`;
  return `~ ${change.path}: ${show(change.before)} => ${show(change.after)}`;
}

function label(step: StepEvent): string {
  if (step.op === "delete" && step.retained) return "delete (retained: the provider is not called)";
  if (step.op === "refresh") return step.gone ? "deleted (gone)" : step.changes.length ? "update" : "same";
  if (step.op === "replace") return step.deleteBeforeReplace ? "replace (delete before replace)" : "replace";
  return step.op;
}

export function stepLines(step: StepEvent): string[] {
  const lines = [`  ${SYMBOLS[step.op].padEnd(2)} ${step.type} ${step.name} ${label(step)}`];
  if (step.replaceKeys?.length) lines.push(`       replaces because of: ${step.replaceKeys.join(", ")}`);
  for (const change of step.changes) {
    if (isInternal(change.path)) continue;
    lines.push(`       ${changeLine(change)}`);
  }
  return lines;
}

export function diagnosticLine(diagnostic: Diagnostic): string {
  const name = diagnostic.urn ? `${diagnostic.urn.split("::").pop()}: ` : "";
  const prefix = diagnostic.severity === "info" ? "" : `${diagnostic.severity}: `;
  return `  ${prefix}${name}${diagnostic.message}`;
}

/** Pulumi's order and words for the summary (`pkg/backend/display/diff.go`, `deploy.PastTense`). */
const SUMMARY_OPS = [
  ["create", "+ ", "create", "created"],
  ["update", "~ ", "update", "updated"],
  ["delete", "- ", "delete", "deleted"],
  ["replace", "+-", "replace", "replaced"],
  ["import", "= ", "import", "imported"],
] as const;

export function summaryLines(result: EngineResult): string[] {
  const lines: string[] = [];
  const outputs = Object.entries(result.outputs);
  if (outputs.length > 0 && result.command !== "destroy") {
    lines.push("Outputs:");
    for (const [key, value] of outputs) lines.push(`    ${key}: ${display(value)}`);
    lines.push("");
  }
  // What happened, not what was planned: a failed step is counted as errored, not as its op.
  lines.push("Resources:");
  const preview = result.command === "preview";
  let kinds = 0;
  let total = 0;
  for (const [op, prefix, planned, done] of SUMMARY_OPS) {
    const count = result.counts.done[op] ?? 0;
    if (count === 0) continue;
    kinds += 1;
    total += count;
    lines.push(`    ${prefix}${count} ${preview ? `to ${planned}` : done}`);
  }
  const pieces: string[] = [];
  if (kinds >= 2) pieces.push(`${total} changes`);
  const same = result.counts.done.same ?? 0;
  if (same > 0) pieces.push(`${same} unchanged`);
  if (pieces.length > 0) lines.push(`    ${pieces.join(". ")}`);
  if (result.counts.errored > 0) lines.push(`    ${result.counts.errored} errored`);
  lines.push("");
  lines.push(`Duration: ${(result.durationMs / 1000).toFixed(1)}s`);
  if (!result.ok) {
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    lines.push(`error: ${result.command} failed${errors.length ? `: ${errors[errors.length - 1]?.message}` : ""}`);
  }
  return lines;
}
