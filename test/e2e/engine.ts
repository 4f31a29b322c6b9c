/**
 * What the Pulumi engine does for one dynamic resource across deployments, in miniature:
 * preview is check + diff, up adds create or update, refresh is read, destroy is delete; the
 * state (inputs, outputs, id) carries from step to step, secrets are masked in the state file.
 */
import { type Registration, secretKeys, unwrapSecrets } from "./mocked-program";
import type { ProviderHost } from "./provider-host";

type Props = Record<string, unknown>;

export interface ResourceState {
  id: string;
  inputs: Props;
  outputs: Props;
  /** Top-level properties stored as secrets: secret inputs plus `additionalSecretOutputs`. */
  secrets: string[];
}

export type Operation = "create" | "update" | "replace" | "same";

export interface Plan {
  operation: Operation;
  /** The checked inputs for this deployment. */
  inputs: Props;
  /** Per-property changes, `pulumi preview --diff` style. */
  changes: Change[];
  restartRequiredFields: string[];
}

export interface Change {
  kind: "+" | "-" | "~";
  path: string;
  before?: unknown;
  after?: unknown;
  secret: boolean;
}

const DERIVED = new Set(["__provider", "restartRequired", "restartRequiredFields", "apiVersion", "baseUrl"]);

function leaves(value: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (!prefix && DERIVED.has(key)) continue;
      for (const [path, leaf] of leaves(inner, prefix ? `${prefix}.${key}` : key)) out.set(path, leaf);
    }
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

/** Property-level changes between two sets of inputs. */
export function propertyChanges(before: Props, after: Props, secrets: string[]): Change[] {
  const was = leaves(before);
  const now = leaves(after);
  const changes: Change[] = [];
  const secret = (path: string) => secrets.includes(path.split(".")[0] as string);
  for (const [path, value] of now) {
    if (!was.has(path)) changes.push({ kind: "+", path, after: value, secret: secret(path) });
    else if (JSON.stringify(was.get(path)) !== JSON.stringify(value)) {
      changes.push({ kind: "~", path, before: was.get(path), after: value, secret: secret(path) });
    }
  }
  for (const [path, value] of was)
    if (!now.has(path)) changes.push({ kind: "-", path, before: value, secret: secret(path) });
  return changes;
}

/** What the engine stores as secret for a resource: its secret inputs and additional secret outputs. */
export function secretsOf(registration: Registration): string[] {
  return [...new Set([...secretKeys(registration.inputs), ...registration.additionalSecretOutputs])];
}

export class Deployment {
  readonly urn: string;
  state: ResourceState | undefined;

  constructor(registration: Registration, project = "program", stack = "dev") {
    this.urn = `urn:pulumi:${stack}::${project}::${registration.type}::${registration.name}`;
  }

  async preview(host: ProviderHost, registration: Registration): Promise<Plan> {
    const news = unwrapSecrets(registration.inputs) as Props;
    const checked = await host.check(this.urn, this.state?.inputs ?? {}, news);
    if (checked.failures.length > 0) {
      throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"));
    }
    const secrets = secretsOf(registration);
    const restartRequiredFields = (checked.inputs.restartRequiredFields as string[] | undefined) ?? [];
    if (!this.state) {
      return {
        operation: "create",
        inputs: checked.inputs,
        changes: propertyChanges({}, checked.inputs, secrets),
        restartRequiredFields,
      };
    }
    const diff = await host.diff(this.urn, this.state.id, this.state.outputs, checked.inputs);
    const operation: Operation = diff.replaces.length > 0 ? "replace" : diff.changes === "none" ? "same" : "update";
    return {
      operation,
      inputs: checked.inputs,
      changes: operation === "same" ? [] : propertyChanges(this.state.inputs, checked.inputs, secrets),
      restartRequiredFields: operation === "same" ? [] : restartRequiredFields,
    };
  }

  async up(host: ProviderHost, registration: Registration): Promise<Plan> {
    const plan = await this.preview(host, registration);
    const secrets = secretsOf(registration);
    if (plan.operation === "create") {
      const created = await host.create(this.urn, plan.inputs);
      this.state = { id: created.id, inputs: plan.inputs, outputs: created.properties, secrets };
    } else if (plan.operation === "update" && this.state) {
      const updated = await host.update(this.urn, this.state.id, this.state.outputs, plan.inputs);
      this.state = { ...this.state, inputs: plan.inputs, outputs: updated.properties, secrets };
    } else if (plan.operation === "replace" && this.state) {
      await host.delete(this.urn, this.state.id, this.state.outputs);
      const created = await host.create(this.urn, plan.inputs);
      this.state = { id: created.id, inputs: plan.inputs, outputs: created.properties, secrets };
    }
    return plan;
  }

  /** Refresh: the live values become the state's outputs and inputs. */
  async refresh(host: ProviderHost): Promise<Change[]> {
    if (!this.state) return [];
    const read = await host.read(this.urn, this.state.id, this.state.outputs, this.state.inputs);
    const changes = propertyChanges(this.state.outputs, read.properties, this.state.secrets);
    this.state = {
      ...this.state,
      id: read.id,
      outputs: read.properties,
      inputs: { ...this.state.inputs, ...read.inputs },
    };
    return changes;
  }

  async destroy(host: ProviderHost): Promise<void> {
    if (!this.state) return;
    await host.delete(this.urn, this.state.id, this.state.outputs);
    this.state = undefined;
  }

  /** The state as a state file would hold it: secret properties are ciphertext, here `[secret]`. */
  stateFile(): string {
    if (!this.state) return "{}";
    const mask = (props: Props) =>
      Object.fromEntries(
        Object.entries(props).map(([key, value]) => [key, this.state?.secrets.includes(key) ? "[secret]" : value]),
      );
    return JSON.stringify(
      { id: this.state.id, inputs: mask(this.state.inputs), outputs: mask(this.state.outputs) },
      null,
      2,
    );
  }
}
