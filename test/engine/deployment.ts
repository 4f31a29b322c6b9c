/**
 * The engine stand-in: `preview`, `up`, `refresh` and `destroy` of one stack. The program runs in
 * Pulumi's own program runner and registers its resources with our monitor; each registration
 * becomes check → diff → a step, performed by Pulumi's own dynamic-provider host. What the program
 * no longer declares is deleted after it finishes, in reverse dependency order. The decisions live
 * in `step-rules.ts`; this file performs them and keeps the checkpoint.
 */
import { join } from "node:path";
import { type Checkpoint, loadCheckpoint, type PendingOperation, type ResourceState } from "./checkpoint";
import { endFailedWrite, Journal, pendingOperationsWarning } from "./journal";
import {
  MonitorError,
  MonitorServer,
  type ReadRequest,
  type Registered,
  type Registration,
  type Severity,
} from "./monitor";
import { runProgram } from "./program-runner";
import { loadProject, loadStackConfig, type Project, type StackConfig } from "./project";
import { annotateSecrets, type Props, revealProps, secretOutputs } from "./property-values";
import { HostError, ProviderHost } from "./provider-host";
import {
  applyIgnoreChanges,
  decideStep,
  deleteOrder,
  dependingOn,
  inputsForDependentDiff,
  type PropertyChange,
  type ProviderDiff,
  propertyChanges,
} from "./step-rules";

export type Command = "preview" | "up" | "refresh" | "destroy";

export type StepOp = "create" | "update" | "replace" | "same" | "delete" | "refresh" | "read" | "import";

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
  /** `up --replace URN`: replace these resources whatever their diff says. */
  replace?: string[];
  /** `up --target URN`: only these resources are created, updated or deleted; the rest stay as they are. */
  target?: string[];
  /** `up --refresh`: refresh the state before the update. */
  refresh?: boolean;
  /** `refresh --clear-pending-creates`: drop the pending creates a killed run left. */
  clearPendingCreates?: boolean;
  /** `refresh --import-pending-creates URN ID`: the id each pending create made, read into state. */
  importPendingCreates?: Record<string, string>;
  /**
   * Called after each checkpoint write with the step boundary it records and the provider host's
   * pid (the kill test stops both processes there).
   */
  onCheckpoint?: (boundary: string, providerPid: number | undefined) => void;
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
  /**
   * What happened, as Pulumi's summary counts it (`pkg/engine/update.go`, `OnResourceStepPost`):
   * steps that completed, by op (a preview: the steps planned), the stack itself left out, and the
   * resources whose step failed.
   */
  counts: StepCounts;
}

export interface StepCounts {
  done: Partial<Record<StepOp, number>>;
  errored: number;
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
  readonly counts: StepCounts = { done: {}, errored: 0 };
  outputs: Props = {};
  private host: Promise<ProviderHost> | undefined;
  /** The tail of the step generator's queue (see `generate`). */
  private generating: Promise<unknown> = Promise.resolve();
  failure: string | undefined;
  monitor: MonitorServer | undefined;
  providerPid: number | undefined;

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

  /** A step begins (the CLI shows it now); `completed` counts it once it has happened. */
  step(step: StepEvent): void {
    this.steps.push(step);
    this.options.onStep?.(step);
    // Nothing runs in a preview, and a step without a provider call is done once decided.
    if (this.command === "preview" || step.op === "same" || step.retained) this.completed(step);
    // A refresh counts as what it found (Pulumi's `RefreshStep.ResultOp`).
    if (step.op === "refresh") {
      this.completed({ op: step.gone ? "delete" : step.changes.length > 0 ? "update" : "same", type: step.type });
    }
  }

  completed(step: Pick<StepEvent, "op" | "type">): void {
    if (step.type === "pulumi:pulumi:Stack") return;
    this.counts.done[step.op] = (this.counts.done[step.op] ?? 0) + 1;
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
      this.providerPid = host.process.pid;
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
      this.counts.errored += 1;
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

/** Ends a failed create or update: partial state from the host's `ErrorResourceInitFailed`, if any. */
function endFailed(
  journal: Journal,
  operation: PendingOperation,
  error: unknown,
  state: ResourceState,
  previous: ResourceState | undefined,
  original?: ResourceState,
): void {
  const failure = error instanceof HostError ? error.initFailure : undefined;
  endFailedWrite(journal, operation, failure, (error as Error).message, state, previous, original);
}

/** What one custom resource's step is performed with, once the step generator has decided it. */
interface StepWork {
  run: Run;
  journal: Journal;
  host: ProviderHost;
  reg: Registration;
  /** The resource's state apart from id, inputs and outputs. */
  base: Omit<ResourceState, "id" | "inputs" | "outputs">;
  /** The checked inputs, secrets annotated. */
  inputs: Props;
  dryRun: boolean;
}

/** A dependant a delete-before-replace deletes first, with the properties that condemn it. */
interface Condemned {
  resource: ResourceState;
  keys: string[];
}

/** What the step generator decided for one registration. */
type Plan =
  | { op: "create" | "import" }
  | { op: "same"; previous: ResourceState }
  | { op: "update"; previous: ResourceState; changes: PropertyChange[] }
  | {
      op: "replace";
      previous: ResourceState;
      changes: PropertyChange[];
      replaceKeys: string[];
      deleteBeforeReplace: boolean;
      /** Dependants to delete first, in dependency order (deleted in reverse). */
      condemned: Condemned[];
      /** Already deleted as a condemned dependant: only its create is left. */
      recreated: boolean;
    };

function stepOf(work: StepWork): Pick<StepEvent, "urn" | "type" | "name"> {
  return { urn: work.reg.urn, type: work.reg.type, name: work.reg.name };
}

/**
 * The provider's create with its pending operation: a create step, and the second half of a
 * replacement. A create-before-delete replacement's original is marked for deletion in the same
 * checkpoint write that records the new resource (`step.go`, `CreateStep.Apply`), so no
 * checkpoint holds both unmarked.
 */
async function performCreate(work: StepWork, original?: ResourceState): Promise<Registered> {
  const { journal, host, reg, base, inputs } = work;
  const state: ResourceState = { ...base, id: "", inputs, outputs: {} };
  const operation = journal.begin("creating", state);
  let created: { id: string; properties: Props };
  try {
    created = await host.create(reg.urn, revealProps(inputs));
  } catch (error) {
    endFailed(journal, operation, error, state, undefined, original);
    throw error;
  }
  const outputs = secretOutputs(created.properties, inputs, reg.additionalSecretOutputs);
  journal.end(operation, {
    add: { ...state, id: created.id, outputs },
    ...(original ? { markForDelete: original } : {}),
  });
  return { id: created.id, outputs };
}

async function createStep(work: StepWork): Promise<Registered> {
  work.run.step({ op: "create", ...stepOf(work), changes: propertyChanges({}, work.inputs) });
  if (work.dryRun) return { id: "", outputs: work.inputs };
  const registered = await performCreate(work);
  work.run.completed({ op: "create", type: work.reg.type });
  return registered;
}

function sameStep(work: StepWork, previous: ResourceState): Registered {
  work.run.step({ op: "same", ...stepOf(work), changes: [] });
  const state = { ...work.base, id: previous.id, inputs: work.inputs, outputs: previous.outputs };
  if (!work.dryRun) work.journal.end(undefined, { add: state, remove: previous });
  return { id: previous.id, outputs: previous.outputs };
}

async function updateStep(work: StepWork, previous: ResourceState, changes: PropertyChange[]): Promise<Registered> {
  const { run, journal, host, reg, inputs } = work;
  run.step({ op: "update", ...stepOf(work), changes });
  // A provider without preview support: the new inputs stand in for the outputs.
  if (work.dryRun) return { id: previous.id, outputs: { ...previous.outputs, ...inputs } };
  const state: ResourceState = { ...work.base, id: previous.id, inputs, outputs: previous.outputs };
  const operation = journal.begin("updating", state);
  let updated: { properties: Props };
  try {
    updated = await host.update(reg.urn, previous.id, revealProps(previous.outputs), revealProps(inputs));
  } catch (error) {
    endFailed(journal, operation, error, state, previous);
    throw error;
  }
  const outputs = secretOutputs(updated.properties, inputs, reg.additionalSecretOutputs);
  journal.end(operation, { add: { ...state, outputs }, remove: previous });
  run.completed({ op: "update", type: reg.type });
  return { id: previous.id, outputs };
}

/**
 * A replacement. Create-before-delete by default: the original waits in `replaced` for its delete
 * after the program. Delete-before-replace deletes the condemned dependants (reverse dependency
 * order) and then the original before the create.
 */
async function replaceStep(
  work: StepWork,
  plan: Extract<Plan, { op: "replace" }>,
  replaced: ResourceState[],
): Promise<Registered> {
  const { run, journal, reg } = work;
  run.step({
    op: "replace",
    ...stepOf(work),
    changes: plan.changes,
    replaceKeys: plan.replaceKeys,
    deleteBeforeReplace: plan.deleteBeforeReplace,
  });
  if (work.dryRun) return { id: "", outputs: work.inputs };
  if (plan.deleteBeforeReplace) {
    for (const dependant of [...plan.condemned].reverse()) await deleteOne(run, journal, dependant.resource);
    if (!plan.recreated) await deleteOne(run, journal, plan.previous);
  } else {
    replaced.push(plan.previous);
  }
  const registered = await performCreate(work, plan.deleteBeforeReplace ? undefined : plan.previous);
  run.completed({ op: "replace", type: reg.type });
  return registered;
}

/**
 * The `import` option: Read(id) with neither inputs nor state (`step.go`, `ImportStep.Apply`), in
 * preview too. A dynamic provider's host needs its code from the state (`__provider`), so it fails
 * here as under Pulumi (pulumi/pulumi#3550, #16175).
 */
async function importStep(work: StepWork, importId: string): Promise<Registered> {
  const { run, journal, host, reg, inputs } = work;
  run.step({ op: "import", ...stepOf(work), changes: [] });
  const found = await host.read(reg.urn, importId, {}, {});
  if (!found.id) throw new Error(`resource '${importId}' does not exist`);
  const outputs = secretOutputs(found.properties, inputs, reg.additionalSecretOutputs);
  const differs = await host.diff(reg.urn, found.id, found.properties, revealProps(inputs));
  if (differs.changes === "some") {
    throw new Error("inputs to import do not match the existing resource; importing this resource will fail");
  }
  if (!work.dryRun) {
    journal.end(undefined, { add: { ...work.base, id: found.id, inputs, outputs } });
    run.completed({ op: "import", type: reg.type });
  }
  return { id: found.id, outputs };
}

/**
 * The dependants a delete-before-replace of `root` must replace too (`step_generator.go`,
 * `calculateDependentReplacements`): of its dependants in the old state, each custom, non-external
 * one whose inputs took a value from a resource being replaced is diffed with those inputs
 * unknown; a diff that asks for a replacement condemns it, and resources depending on it in turn
 * are weighed against the grown set. Resources already registered in this run are no dependants.
 */
async function calculateDependentReplacements(
  host: ProviderHost,
  root: ResourceState,
  resources: readonly ResourceState[],
  registered: ReadonlySet<string>,
): Promise<Condemned[]> {
  const replaceSet = new Set([root.urn]);
  const condemned: Condemned[] = [];
  for (const dependant of dependingOn(root, resources, registered)) {
    if (!dependant.custom || dependant.external) continue;
    const news = inputsForDependentDiff(dependant.inputs, dependant.propertyDependencies ?? {}, replaceSet);
    if (!news) continue;
    const diff = await host.diff(dependant.urn, dependant.id, revealProps(dependant.outputs), revealProps(news));
    const decision = decideStep({
      diff,
      oldInputs: dependant.inputs,
      newInputs: news,
      replaceOnChanges: dependant.replaceOnChanges ?? [],
      deleteBeforeReplace: false,
    });
    if (decision.op !== "replace") continue;
    condemned.push({ resource: dependant, keys: decision.replaceKeys });
    replaceSet.add(dependant.urn);
  }
  return condemned;
}

const DEPENDANT_PROTECTED = (dependant: string, root: string) =>
  `unable to replace resource "${dependant}" as part of replacing "${root}" as it is currently marked for ` +
  "protection. To unprotect the resource, remove the `protect` flag from the resource in your Pulumi program " +
  `and run \`pulumi up\`, or use the command:\n\`pulumi state unprotect '${dependant}'\``;

/** `pulumi preview` or `pulumi up`. */
async function deploy(run: Run, journal: Journal): Promise<void> {
  const dryRun = run.command === "preview";
  const old = journal.base;
  const { replace = [], target = [] } = run.options;
  // The originals of earlier create-before-delete replacements are no registration's predecessor.
  const live = old.resources.filter((r) => !r.delete);
  const oldByUrn = new Map(live.map((r) => [r.urn, r]));
  const accounted = new Set<string>();
  /** Originals of create-before-delete replacements made in this run, deleted after the program. */
  const replaced: ResourceState[] = [];
  /** URNs (new and old) registered so far: no longer anyone's dependants (`impossibleDependents`). */
  const registered = new Set<string>();
  /** Dependants condemned by a delete-before-replace and not registered again yet, by URN. */
  const condemned = new Map<string, Condemned>();
  /** Everything condemned in this run: deleted by its chain, never again after the program. */
  const pendingDeletes = new Set<ResourceState>();
  const targeted = (urn: string) => target.length === 0 || target.includes(urn);
  /** New resources outside `--target`, not created (`skippedCreates`). */
  const skippedCreates = new Set<string>();
  /** A preview goes on past an untargeted dependency to report them all, then fails. */
  let untargetedDependency: string | undefined;

  /** The step generator's turn for one custom resource: check, diff, the decision (`step_generator.go`). */
  const plan = async (
    host: ProviderHost,
    reg: Registration,
    previous: ResourceState | undefined,
    wanted: Props,
  ): Promise<{ inputs: Props; plan: Plan }> => {
    // Case 1 of generateSteps, recreating: a dependant deleted by an earlier delete-before-replace.
    const recreating = previous ? condemned.get(previous.urn) : undefined;
    const replaceRequested = previous !== undefined && replace.includes(reg.urn);
    // Neither a re-created resource nor a targeted replacement is checked against its old inputs.
    const olds = previous && !recreating && !replaceRequested ? previous.inputs : {};
    const checked = await host.check(reg.urn, revealProps(olds), revealProps(wanted));
    if (checked.failures.length > 0) {
      const reasons = checked.failures.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason));
      return run.fail(`${reg.type} resource '${reg.name}' has a problem: ${reasons.join("; ")}`, reg.urn);
    }
    // The provider does not take secrets: what was secret going in stays secret coming back.
    const inputs = annotateSecrets(checked.inputs, wanted) as Props;
    // A step for a resource that depends on one --target left uncreated fails the update (a
    // preview reports it and goes on), before anything is sent (`validateSteps`).
    const skipped = [...reg.dependencies, ...Object.values(reg.propertyDependencies).flat()].find((urn) =>
      skippedCreates.has(urn),
    );
    if (skipped) {
      const message = `Resource '${reg.urn}' depends on '${skipped}' which was was not specified in --target list.`;
      if (!dryRun) return run.fail(message, reg.urn);
      run.diagnose("error", message, reg.urn);
      untargetedDependency ??= message;
    }
    if (!previous) return { inputs, plan: { op: reg.importId ? "import" : "create" } };
    if (recreating) {
      condemned.delete(previous.urn);
      const changes = propertyChanges(previous.inputs, inputs);
      const keys = recreating.keys;
      return {
        inputs,
        plan: {
          op: "replace",
          previous,
          changes,
          replaceKeys: keys,
          deleteBeforeReplace: true,
          condemned: [],
          recreated: true,
        },
      };
    }
    // --replace: a replace diff that blames the id, without asking the provider (isTargetedReplace).
    const diff: ProviderDiff = replaceRequested
      ? { changes: "some", replaces: ["id"], deleteBeforeReplace: false }
      : await host.diff(reg.urn, previous.id, revealProps(previous.outputs), revealProps(inputs));
    const decision = decideStep({
      diff,
      oldInputs: previous.inputs,
      newInputs: inputs,
      replaceOnChanges: reg.replaceOnChanges,
      deleteBeforeReplace: reg.deleteBeforeReplace ?? false,
      hasInitErrors: (previous.initErrors?.length ?? 0) > 0,
    });
    if (decision.op === "same") return { inputs, plan: { op: "same", previous } };
    const changes = displayChanges(previous, inputs);
    if (decision.op === "update") return { inputs, plan: { op: "update", previous, changes } };
    // Replacing entails a delete: refused only when both the old and the new registration are
    // protected, so un-protecting and replacing can happen in one run (step_generator.go).
    if (previous.protect && reg.protect) return run.fail(PROVIDER_PROTECTED(previous.urn, "replace"), reg.urn);
    const chain: Condemned[] = [];
    if (decision.deleteBeforeReplace) {
      for (const dependant of await calculateDependentReplacements(host, previous, old.resources, registered)) {
        if (pendingDeletes.has(dependant.resource)) continue;
        if (dependant.resource.protect && !dependant.resource.delete) {
          return run.fail(DEPENDANT_PROTECTED(dependant.resource.urn, reg.urn), reg.urn);
        }
        chain.push(dependant);
      }
      for (const dependant of chain) {
        pendingDeletes.add(dependant.resource);
        if (!dependant.resource.delete) condemned.set(dependant.resource.urn, dependant);
      }
    }
    return {
      inputs,
      plan: {
        op: "replace",
        previous,
        changes,
        replaceKeys: decision.replaceKeys,
        deleteBeforeReplace: decision.deleteBeforeReplace,
        condemned: chain,
        recreated: false,
      },
    };
  };

  const register = async (reg: Registration): Promise<Registered> => {
    if (run.failure) throw new MonitorError(run.failure);
    if (journal.produced(reg.urn)) {
      return run.fail(`Duplicate resource URN '${reg.urn}'; try giving it a unique name`, reg.urn);
    }
    // Aliases: a registration whose alias names an old resource takes that resource over.
    const previous = oldByUrn.get(reg.urn) ?? reg.aliasUrns.map((u) => oldByUrn.get(u)).find(Boolean);
    if (previous) accounted.add(previous.urn);
    registered.add(reg.urn);
    if (previous) registered.add(previous.urn);
    const base = {
      urn: reg.urn,
      type: reg.type,
      name: reg.name,
      custom: reg.custom,
      parent: reg.parent,
      dependencies: reg.dependencies,
      ...(Object.keys(reg.propertyDependencies).length > 0 ? { propertyDependencies: reg.propertyDependencies } : {}),
      protect: reg.protect,
      retainOnDelete: reg.retainOnDelete,
      ...(reg.replaceOnChanges.length > 0 ? { replaceOnChanges: reg.replaceOnChanges } : {}),
      additionalSecretOutputs: reg.additionalSecretOutputs,
    };
    if (!reg.custom) {
      // Components and the stack have no provider: the engine only records them.
      const state: ResourceState = { ...base, id: "", inputs: reg.inputs, outputs: previous?.outputs ?? {} };
      journal.end(undefined, { add: state, ...(previous ? { remove: previous } : {}) });
      run.step({ op: previous ? "same" : "create", urn: reg.urn, type: reg.type, name: reg.name, changes: [] });
      if (!previous && !dryRun) run.completed({ op: "create", type: reg.type });
      return { id: "", outputs: {} };
    }
    if (!targeted(reg.urn)) {
      // --target: anything else is a same step that keeps its old state, without a diff; a new
      // resource outside the targets is not created (step_generator.go, isTargetedForUpdate).
      run.step({ op: "same", urn: reg.urn, type: reg.type, name: reg.name, changes: [] });
      if (!previous) {
        skippedCreates.add(reg.urn);
        return { id: "", outputs: reg.inputs };
      }
      if (!dryRun) journal.end(undefined, { add: { ...previous, urn: reg.urn }, remove: previous });
      return { id: previous.id, outputs: previous.outputs };
    }
    return run.around(reg.urn, async () => {
      const host = await run.provider();
      // ignoreChanges applies to the inputs before the provider sees them.
      const wanted = applyIgnoreChanges(reg.inputs, previous?.inputs, reg.ignoreChanges);
      const decided = await run.generate(() => plan(host, reg, previous, wanted));
      const work: StepWork = { run, journal, host, reg, base, inputs: decided.inputs, dryRun };
      const step = decided.plan;
      switch (step.op) {
        case "import":
          return importStep(work, reg.importId);
        case "create":
          return createStep(work);
        case "same":
          return sameStep(work, step.previous);
        case "update":
          return updateStep(work, step.previous, step.changes);
        case "replace":
          return replaceStep(work, step, replaced);
      }
    });
  };

  /**
   * `Resource.get`: a read step, `Read(id, inputs, state)` with the properties the program gave as
   * both (`pkg/resource/deploy/step.go`, `ReadStep.Apply`), in preview too; the resource is kept in
   * state as external, never deleted by the stack.
   */
  const read = (request: ReadRequest): Promise<Props> => {
    if (run.failure) return Promise.reject(new MonitorError(run.failure));
    const previous = oldByUrn.get(request.urn);
    if (previous) accounted.add(previous.urn);
    return run.around(request.urn, async () => {
      const host = await run.provider();
      run.step({ op: "read", urn: request.urn, type: request.type, name: request.name, changes: [] });
      const props = revealProps(request.properties);
      const found = await host.read(request.urn, request.id, props, props);
      if (!found.id) throw new Error(`resource '${request.id}' does not exist`);
      const outputs = secretOutputs(found.properties, request.properties, request.additionalSecretOutputs);
      const state: ResourceState = {
        urn: request.urn,
        type: request.type,
        name: request.name,
        custom: true,
        id: found.id,
        parent: request.parent,
        inputs: request.properties,
        outputs,
        dependencies: request.dependencies,
        protect: false,
        retainOnDelete: false,
        additionalSecretOutputs: request.additionalSecretOutputs,
        external: true,
      };
      if (!dryRun) journal.end(undefined, { add: state, ...(previous ? { remove: previous } : {}) });
      return outputs;
    });
  };

  const monitor = await MonitorServer.start(run.stack, run.project.name, {
    register,
    read,
    registerOutputs: (urn, outputs) => {
      const state = journal.setOutputs(urn, outputs);
      if (state?.type === "pulumi:pulumi:Stack") run.outputs = outputs;
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
  if (!run.failure && untargetedDependency) run.failure = untargetedDependency;
  // A failed run deletes nothing it was not asked to; what was not reached stays in state, and
  // the originals of replacements stay (marked for deletion) until their delete runs.
  if (run.failure) return;
  // What the program no longer declares (outside --target: kept), the originals of earlier
  // replacements left marked for deletion, and those of this run's replacements.
  // An original marked for deletion goes whether or not its URN registered again (`GenerateDeletes`).
  const unaccounted = old.resources.filter(
    (r) => !pendingDeletes.has(r) && (r.delete || (!accounted.has(r.urn) && targeted(r.urn))),
  );
  await deleteSteps(run, journal, deleteOrder([...unaccounted, ...replaced]), { replaced, dryRun });
}

/** One provider delete with its pending operation; a retained resource only leaves state. */
async function deleteOne(run: Run, journal: Journal, resource: ResourceState): Promise<void> {
  if (!resource.custom || resource.retainOnDelete || resource.external) {
    journal.end(undefined, { remove: resource });
    return;
  }
  await run.around(resource.urn, async () => {
    const host = await run.provider();
    const operation = journal.begin("deleting", resource);
    try {
      await host.delete(resource.urn, resource.id, revealProps(resource.outputs));
    } catch (error) {
      journal.end(operation);
      throw error;
    }
    journal.end(operation, { remove: resource });
  });
}

/**
 * Deletes `resources` in the order given; what stays in state: everything after a failure, a
 * protected resource (which fails the run) and a resource whose delete failed. A retained
 * resource leaves state without a provider delete. The originals in `replaced` (and those marked
 * for deletion by an earlier run) were shown with their replacement: they get no step of their
 * own and are not refused as protected.
 */
async function deleteSteps(
  run: Run,
  journal: Journal,
  resources: ResourceState[],
  options: { replaced?: readonly ResourceState[]; dryRun?: boolean } = {},
): Promise<void> {
  for (const resource of resources) {
    if (run.failure) return;
    const replacement = (options.replaced?.includes(resource) ?? false) || resource.delete === true;
    if (resource.protect && !replacement) {
      run.failure = PROVIDER_PROTECTED(resource.urn, "delete");
      run.diagnose("error", run.failure, resource.urn);
      return;
    }
    if (!replacement && !resource.external) {
      run.step({
        op: "delete",
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        changes: [],
        ...(resource.retainOnDelete ? { retained: true } : {}),
      });
    }
    if (options.dryRun) continue;
    try {
      await deleteOne(run, journal, resource);
      if (!replacement && !resource.retainOnDelete && !resource.external) {
        run.completed({ op: "delete", type: resource.type });
      }
    } catch {
      // The failure is recorded; the rest stays in state.
    }
  }
}

/**
 * `pulumi refresh`: each resource read with its stored inputs and outputs. Pending operations
 * other than creates are cleared (the refreshed state answers them); pending creates stay unless
 * `--clear-pending-creates` drops them or `--import-pending-creates URN ID` names the id the
 * create made, which is then read like any resource (`pkg/cmd/pulumi/operations/refresh.go`).
 */
async function refresh(run: Run, journal: Journal, imports: ResourceState[]): Promise<void> {
  run.monitor = await MonitorServer.start(run.stack, run.project.name, {
    register: () => Promise.reject(new MonitorError("no program runs during refresh")),
    registerOutputs: () => undefined,
    log: (severity, message, urn) => run.diagnose(severity, message, urn),
  });
  for (const resource of [...journal.base.resources, ...imports]) {
    const imported = imports.includes(resource);
    if (!resource.custom || run.failure) {
      if (imported) continue;
      journal.end(undefined, { add: resource, remove: resource });
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
          if (!imported) journal.end(undefined, { remove: resource });
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
        // A refresh answers an init error: what the provider reads is what the resource is.
        const { initErrors: _, ...rest } = resource;
        journal.end(undefined, {
          add: { ...rest, id: read.id, inputs, outputs },
          ...(imported ? {} : { remove: resource }),
        });
      });
    } catch {
      if (!imported) journal.end(undefined, { add: resource, remove: resource });
    }
  }
}

async function destroy(run: Run, journal: Journal): Promise<void> {
  run.monitor = await MonitorServer.start(run.stack, run.project.name, {
    register: () => Promise.reject(new MonitorError("no program runs during destroy")),
    registerOutputs: () => undefined,
    log: (severity, message, urn) => run.diagnose(severity, message, urn),
  });
  await deleteSteps(run, journal, deleteOrder(journal.base.resources));
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
      counts: { done: {}, errored: 0 },
    };
  }
  if (command === "up" && options.refresh) {
    // `up --refresh`: a refresh first, then the update from its state, shown as one run.
    const refreshed = await runEngine("refresh", { ...options, refresh: false });
    if (!refreshed.ok) return { ...refreshed, command };
    const updated = await runEngine("up", { ...options, refresh: false });
    return {
      ...updated,
      steps: [...refreshed.steps, ...updated.steps],
      diagnostics: [...refreshed.diagnostics, ...updated.diagnostics],
      durationMs: Date.now() - started,
      counts: {
        done: Object.fromEntries(
          [...new Set([...Object.keys(refreshed.counts.done), ...Object.keys(updated.counts.done)])].map((op) => [
            op,
            (refreshed.counts.done[op as StepOp] ?? 0) + (updated.counts.done[op as StepOp] ?? 0),
          ]),
        ),
        errored: refreshed.counts.errored + updated.counts.errored,
      },
    };
  }
  const run = new Run(command, project, stack, config, options);
  const basePending = old.pendingOperations ?? [];
  const imports: ResourceState[] = [];
  let carried = basePending.filter((op) => op.type === "creating");
  if (command === "refresh") {
    const ids = options.importPendingCreates ?? {};
    for (const op of carried) {
      const id = ids[op.resource.urn];
      if (id !== undefined) imports.push({ ...op.resource, id });
    }
    for (const urn of Object.keys(ids).filter((u) => !carried.some((op) => op.resource.urn === u))) {
      run.diagnose("warning", `"${urn}" did not correspond to a pending create`);
    }
    carried = options.clearPendingCreates ? [] : carried.filter((op) => ids[op.resource.urn] === undefined);
  }
  // Pulumi warns before an update or a destroy (not a preview, not a refresh, not an update that
  // refreshes first: that one went through the refresh branch above).
  if ((command === "up" || command === "destroy") && basePending.length > 0) {
    run.diagnose("warning", pendingOperationsWarning(basePending));
  }
  const journal = new Journal(old, command === "preview" ? undefined : stateFile, carried, (boundary) =>
    options.onCheckpoint?.(boundary, run.providerPid),
  );
  try {
    if (command === "refresh") await refresh(run, journal, imports);
    else if (command === "destroy") await destroy(run, journal);
    else await deploy(run, journal);
  } finally {
    await run.close();
  }
  const checkpoint = journal.snapshot();
  journal.save();
  const resources = checkpoint.resources;
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
    counts: run.counts,
  };
}
