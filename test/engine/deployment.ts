/**
 * The engine stand-in: `preview`, `up`, `refresh` and `destroy` of one stack. The program runs in
 * Pulumi's own program runner and registers its resources with our monitor; each registration
 * becomes check → diff → a step, performed by Pulumi's own dynamic-provider host. What the program
 * no longer declares is deleted after it finishes, in reverse dependency order. The decisions live
 * in `step-rules.ts`; this file performs them and keeps the checkpoint.
 */
import { join } from "node:path";
import { type Checkpoint, loadCheckpoint, type ResourceState, saveCheckpoint } from "./checkpoint";
import { MonitorError, MonitorServer, type Registered, type Registration, type Severity } from "./monitor";
import { runProgram } from "./program-runner";
import { loadProject, loadStackConfig, type Project, type StackConfig } from "./project";
import { annotateSecrets, type Props, revealProps, secretOutputs } from "./property-values";
import { ProviderHost } from "./provider-host";
import { applyIgnoreChanges, decideStep, deleteOrder, type PropertyChange, propertyChanges } from "./step-rules";

export type Command = "preview" | "up" | "refresh" | "destroy";

export type StepOp = "create" | "update" | "replace" | "same" | "delete" | "refresh";

export interface StepEvent {
  op: StepOp;
  urn: string;
  type: string;
  name: string;
  /** Input changes for create/update/replace, output changes for refresh. */
  changes: PropertyChange[];
  /** For a replacement: the properties that force it, and whether the old one went first. */
  replaceKeys?: string[];
  deleteBeforeReplace?: boolean;
  /** A delete that only forgets the resource (`retainOnDelete`). */
  retained?: boolean;
  /** A refresh that found the resource gone. */
  gone?: boolean;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  urn: string;
}

export interface EngineOptions {
  /** The program directory (holding Pulumi.yaml). */
  dir: string;
  stack?: string;
  /** The checkpoint file; default `<dir>/.pulumi-state/<stack>.json`. */
  stateFile?: string;
  config?: Record<string, string>;
  secrets?: Record<string, string>;
  parallel?: number;
  /** Called as each step completes and each diagnostic arrives (the CLI prints them live). */
  onStep?: (step: StepEvent) => void;
  onDiagnostic?: (diagnostic: Diagnostic) => void;
}

export interface EngineResult {
  command: Command;
  ok: boolean;
  steps: StepEvent[];
  diagnostics: Diagnostic[];
  /** The stack's outputs (secrets still wrapped). */
  outputs: Props;
  checkpoint: Checkpoint;
  stateFile: string;
  durationMs: number;
}

/** Why a deployment stopped; the message is what the CLI shows after `error:`. */
export class DeploymentError extends Error {
  readonly code = "ENGINE_DEPLOYMENT";
}

const PROVIDER_PROTECTED = (urn: string, what: "replace" | "delete") =>
  `unable to ${what} resource "${urn}"\nas it is currently marked for protection. To unprotect the resource, ` +
  "remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`" +
  (what === "delete" ? `, or use the command:\n\`pulumi state unprotect '${urn}'\`` : "");

class Run {
  readonly steps: StepEvent[] = [];
  readonly diagnostics: Diagnostic[] = [];
  outputs: Props = {};
  private host: Promise<ProviderHost> | undefined;
  /** The tail of the step generator's queue (see `generate`). */
  private generating: Promise<unknown> = Promise.resolve();
  failure: string | undefined;
  monitor: MonitorServer | undefined;

  constructor(
    readonly command: Command,
    readonly project: Project,
    readonly stack: string,
    readonly config: StackConfig,
    readonly options: EngineOptions,
  ) {}

  diagnose(severity: Severity, message: string, urn = ""): void {
    // Like the CLI without --debug: debug lines (which can hold raw RPC payloads) are not kept.
    if (severity === "debug") return;
    // A dynamic provider's logs carry no URN (Pulumi does not route them through its engine, see
    // pulumi/pulumi#18253): shown without a resource, rather than guessed from what is running.
    const diagnostic = { severity, message, urn };
    this.diagnostics.push(diagnostic);
    this.options.onDiagnostic?.(diagnostic);
  }

  fail(message: string, urn = ""): never {
    if (!this.failure) {
      this.failure = message;
      this.diagnose("error", message, urn);
    }
    throw new MonitorError(message);
  }

  step(step: StepEvent): void {
    this.steps.push(step);
    this.options.onStep?.(step);
  }

  /** One dynamic-provider host for the deployment, configured with the stack's config. */
  provider(): Promise<ProviderHost> {
    this.host ??= (async () => {
      const host = await ProviderHost.start(this.project.dir, {
        env: {
          PULUMI_NODEJS_ENGINE: this.monitor?.address ?? "127.0.0.1:1",
          PULUMI_NODEJS_PROJECT: this.project.name,
          PULUMI_NODEJS_STACK: this.stack,
        },
      });
      await host.configure(this.config.values);
      return host;
    })();
    return this.host;
  }

  /**
   * Pulumi's step generator handles one registration at a time, in the order they arrive (check,
   * then diff), and stops at the first error; only the steps it produced run in parallel. So a
   * resource registered after one whose check fails never reaches its provider.
   */
  generate<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.generating.then(() => {
      if (this.failure) throw new MonitorError(this.failure);
      return work();
    });
    this.generating = turn.catch(() => undefined);
    return turn;
  }

  /** Runs one resource's step; a provider error fails the run, named after the resource. */
  async around<T>(urn: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof MonitorError) throw error;
      return this.fail(error instanceof Error ? error.message : String(error), urn);
    }
  }

  async close(): Promise<void> {
    const host = await this.host?.catch(() => undefined);
    await host?.close();
    await this.monitor?.close();
  }
}

function resolveStateFile(options: EngineOptions, stack: string): string {
  return options.stateFile ?? join(options.dir, ".pulumi-state", `${stack}.json`);
}

/**
 * What to show for a change: the input diff; when inputs are equal but the provider still sees a
 * change (drift found by refresh), the live outputs against the wanted inputs.
 */
function displayChanges(previous: ResourceState, inputs: Props): PropertyChange[] {
  const byInputs = propertyChanges(previous.inputs, inputs);
  if (byInputs.length > 0) return byInputs;
  const live = Object.fromEntries(Object.keys(inputs).map((key) => [key, previous.outputs[key]]));
  return propertyChanges(live, inputs);
}

/** `pulumi preview` or `pulumi up`. */
async function deploy(run: Run, old: Checkpoint): Promise<ResourceState[]> {
  const dryRun = run.command === "preview";
  const oldByUrn = new Map(old.resources.map((r) => [r.urn, r]));
  const news: ResourceState[] = [];
  const accounted = new Set<string>();
  /** Old resources whose successor is in `news`. */
  const done = new Set<string>();
  const replaced: ResourceState[] = [];
  const deleted = new Set<string>();

  const register = async (reg: Registration): Promise<Registered> => {
    if (run.failure) throw new MonitorError(run.failure);
    if (news.some((r) => r.urn === reg.urn)) {
      return run.fail(`Duplicate resource URN '${reg.urn}'; try giving it a unique name`, reg.urn);
    }
    // Aliases: a registration whose alias names an old resource takes that resource over.
    const previous = oldByUrn.get(reg.urn) ?? reg.aliasUrns.map((u) => oldByUrn.get(u)).find(Boolean);
    if (previous) accounted.add(previous.urn);
    const base = {
      urn: reg.urn,
      type: reg.type,
      name: reg.name,
      custom: reg.custom,
      parent: reg.parent,
      dependencies: reg.dependencies,
      protect: reg.protect,
      retainOnDelete: reg.retainOnDelete,
      additionalSecretOutputs: reg.additionalSecretOutputs,
    };
    if (!reg.custom) {
      // Components and the stack have no provider: the engine only records them.
      const state: ResourceState = { ...base, id: "", inputs: reg.inputs, outputs: previous?.outputs ?? {} };
      news.push(state);
      if (previous) done.add(previous.urn);
      run.step({ op: previous ? "same" : "create", urn: reg.urn, type: reg.type, name: reg.name, changes: [] });
      return { id: "", outputs: {} };
    }
    return run.around(reg.urn, async () => {
      const host = await run.provider();
      // ignoreChanges applies to the inputs before the provider sees them.
      const wanted = applyIgnoreChanges(reg.inputs, previous?.inputs, reg.ignoreChanges);
      const { inputs, diff } = await run.generate(async () => {
        const checked = await host.check(reg.urn, revealProps(previous?.inputs ?? {}), revealProps(wanted));
        if (checked.failures.length > 0) {
          const reasons = checked.failures.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason));
          return run.fail(`${reg.type} resource '${reg.name}' has a problem: ${reasons.join("; ")}`, reg.urn);
        }
        // The provider does not take secrets: what was secret going in stays secret coming back.
        const inputs = annotateSecrets(checked.inputs, wanted) as Props;
        const diff = previous
          ? await host.diff(reg.urn, previous.id, revealProps(previous.outputs), revealProps(inputs))
          : undefined;
        return { inputs, diff };
      });
      const step = { urn: reg.urn, type: reg.type, name: reg.name };

      if (!previous || !diff) {
        run.step({ op: "create", ...step, changes: propertyChanges({}, inputs) });
        if (dryRun) return { id: "", outputs: inputs };
        const created = await host.create(reg.urn, revealProps(inputs));
        const outputs = secretOutputs(created.properties, inputs, reg.additionalSecretOutputs);
        news.push({ ...base, id: created.id, inputs, outputs });
        return { id: created.id, outputs };
      }

      const decision = decideStep({
        diff,
        oldInputs: previous.inputs,
        newInputs: inputs,
        replaceOnChanges: reg.replaceOnChanges,
        deleteBeforeReplace: reg.deleteBeforeReplace ?? false,
      });
      const changes = decision.op === "same" ? [] : displayChanges(previous, inputs);
      if (decision.op === "same") {
        run.step({ op: "same", ...step, changes });
        news.push({ ...base, id: previous.id, inputs, outputs: previous.outputs });
        done.add(previous.urn);
        return { id: previous.id, outputs: previous.outputs };
      }
      if (decision.op === "update") {
        run.step({ op: "update", ...step, changes });
        // A provider without preview support: the new inputs stand in for the outputs.
        if (dryRun) return { id: previous.id, outputs: { ...previous.outputs, ...inputs } };
        const updated = await host.update(reg.urn, previous.id, revealProps(previous.outputs), revealProps(inputs));
        const outputs = secretOutputs(updated.properties, inputs, reg.additionalSecretOutputs);
        news.push({ ...base, id: previous.id, inputs, outputs });
        done.add(previous.urn);
        return { id: previous.id, outputs };
      }
      if (previous.protect) return run.fail(PROVIDER_PROTECTED(previous.urn, "replace"), reg.urn);
      run.step({
        op: "replace",
        ...step,
        changes,
        replaceKeys: decision.replaceKeys,
        deleteBeforeReplace: decision.deleteBeforeReplace,
      });
      if (dryRun) return { id: "", outputs: inputs };
      if (decision.deleteBeforeReplace) {
        if (!previous.retainOnDelete) await host.delete(previous.urn, previous.id, revealProps(previous.outputs));
        deleted.add(previous.urn);
      } else {
        replaced.push(previous);
      }
      const created = await host.create(reg.urn, revealProps(inputs));
      const outputs = secretOutputs(created.properties, inputs, reg.additionalSecretOutputs);
      news.push({ ...base, id: created.id, inputs, outputs });
      done.add(previous.urn);
      return { id: created.id, outputs };
    });
  };

  const monitor = await MonitorServer.start(run.stack, run.project.name, {
    register,
    registerOutputs: (urn, outputs) => {
      const stack = news.find((r) => r.urn === urn);
      if (stack) stack.outputs = outputs;
      if (stack?.type === "pulumi:pulumi:Stack") run.outputs = outputs;
    },
    log: (severity, message, urn) => run.diagnose(severity, message, urn),
  });
  run.monitor = monitor;
  // Started beside the program rather than at its first registration: both take a second to load.
  run.provider().catch(() => undefined);
  const exitCode = await runProgram({
    project: run.project,
    stack: run.stack,
    config: run.config,
    monitor: monitor.address,
    engine: monitor.address,
    dryRun,
    parallel: run.options.parallel ?? 16,
    onOutput: (line) => run.diagnose("info", line, ""),
  });
  if (!run.failure && exitCode !== 0) {
    // 32: the program already reported its error through the engine's Log.
    run.failure = exitCode === 32 ? "the program failed" : `Program exited with non-zero exit code: ${exitCode}`;
    if (exitCode !== 32) run.diagnose("error", run.failure);
  }

  const unaccounted = old.resources.filter((r) => !accounted.has(r.urn));
  if (run.failure) {
    // A failed run deletes nothing it was not asked to; what was not reached stays in state.
    // Originals of replacements stay until their delete runs.
    const left = old.resources.filter((r) => (!done.has(r.urn) || replaced.includes(r)) && !deleted.has(r.urn));
    return [...news, ...left];
  }
  // What the program no longer declares, and the originals of create-before-delete replacements.
  const kept = await deleteSteps(run, deleteOrder([...unaccounted, ...replaced]), { replaced, dryRun });
  return [...news, ...kept];
}

/**
 * Deletes `resources` in the order given and returns those that stay in state: everything after a
 * failure, a protected resource (which fails the run) and a resource whose delete failed. A
 * retained resource leaves state without a provider delete. The originals in `replaced` were
 * shown with their replacement: they get no step of their own and are not refused as protected.
 */
async function deleteSteps(
  run: Run,
  resources: ResourceState[],
  options: { replaced?: readonly ResourceState[]; dryRun?: boolean } = {},
): Promise<ResourceState[]> {
  const kept: ResourceState[] = [];
  for (const resource of resources) {
    if (run.failure) {
      kept.push(resource);
      continue;
    }
    const replacement = options.replaced?.includes(resource) ?? false;
    if (resource.protect && !replacement) {
      run.failure = PROVIDER_PROTECTED(resource.urn, "delete");
      run.diagnose("error", run.failure, resource.urn);
      kept.push(resource);
      continue;
    }
    if (!replacement) {
      run.step({
        op: "delete",
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        changes: [],
        ...(resource.retainOnDelete ? { retained: true } : {}),
      });
    }
    if (options.dryRun || !resource.custom || resource.retainOnDelete) continue;
    try {
      await run.around(resource.urn, async () => {
        const host = await run.provider();
        await host.delete(resource.urn, resource.id, revealProps(resource.outputs));
      });
    } catch {
      kept.push(resource);
    }
  }
  return kept;
}

async function refresh(run: Run, old: Checkpoint): Promise<ResourceState[]> {
  run.monitor = await MonitorServer.start(run.stack, run.project.name, {
    register: () => Promise.reject(new MonitorError("no program runs during refresh")),
    registerOutputs: () => undefined,
    log: (severity, message, urn) => run.diagnose(severity, message, urn),
  });
  const result: ResourceState[] = [];
  for (const resource of old.resources) {
    if (!resource.custom || run.failure) {
      result.push(resource);
      continue;
    }
    try {
      await run.around(resource.urn, async () => {
        const host = await run.provider();
        const read = await host.read(
          resource.urn,
          resource.id,
          revealProps(resource.outputs),
          revealProps(resource.inputs),
        );
        const step = { urn: resource.urn, type: resource.type, name: resource.name };
        if (!read.id) {
          run.step({ op: "refresh", ...step, changes: [], gone: true });
          return;
        }
        const inputs =
          Object.keys(read.inputs).length > 0
            ? (annotateSecrets(read.inputs, resource.inputs) as Props)
            : resource.inputs;
        const outputs = annotateSecrets(
          secretOutputs(read.properties, inputs, resource.additionalSecretOutputs),
          resource.outputs,
        ) as Props;
        run.step({ op: "refresh", ...step, changes: propertyChanges(resource.outputs, outputs) });
        result.push({ ...resource, id: read.id, inputs, outputs });
      });
    } catch {
      result.push(resource);
    }
  }
  return result;
}

async function destroy(run: Run, old: Checkpoint): Promise<ResourceState[]> {
  run.monitor = await MonitorServer.start(run.stack, run.project.name, {
    register: () => Promise.reject(new MonitorError("no program runs during destroy")),
    registerOutputs: () => undefined,
    log: (severity, message, urn) => run.diagnose(severity, message, urn),
  });
  const kept = await deleteSteps(run, deleteOrder(old.resources));
  // Kept in their original order, so the next run sees a topologically ordered state.
  return old.resources.filter((r) => kept.includes(r));
}

/** Runs one command on a stack; never throws for a failed deployment, `ok` says how it went. */
export async function runEngine(command: Command, options: EngineOptions): Promise<EngineResult> {
  const started = Date.now();
  const stack = options.stack ?? "dev";
  const stateFile = resolveStateFile(options, stack);
  let project: Project;
  let config: StackConfig;
  let old: Checkpoint;
  try {
    project = loadProject(options.dir);
    config = loadStackConfig(project, stack, {
      ...(options.config ? { config: options.config } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    old = loadCheckpoint(stateFile, project.name, stack);
  } catch (error) {
    const message = (error as Error).message;
    options.onDiagnostic?.({ severity: "error", message, urn: "" });
    return {
      command,
      ok: false,
      steps: [],
      diagnostics: [{ severity: "error", message, urn: "" }],
      outputs: {},
      checkpoint: { version: 1, project: "", stack, resources: [] },
      stateFile,
      durationMs: Date.now() - started,
    };
  }
  const run = new Run(command, project, stack, config, options);
  let resources: ResourceState[];
  try {
    if (command === "refresh") resources = await refresh(run, old);
    else if (command === "destroy") resources = await destroy(run, old);
    else resources = await deploy(run, old);
  } finally {
    await run.close();
  }
  const checkpoint: Checkpoint = { ...old, resources };
  if (command !== "preview") saveCheckpoint(stateFile, checkpoint);
  if (command === "destroy" || command === "refresh") {
    const stackState = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    run.outputs = stackState?.outputs ?? {};
  }
  return {
    command,
    ok: !run.failure,
    steps: run.steps,
    diagnostics: run.diagnostics,
    outputs: run.outputs,
    checkpoint: command === "preview" ? old : checkpoint,
    stateFile,
    durationMs: Date.now() - started,
  };
}
