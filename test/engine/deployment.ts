/**
 * The engine stand-in: `preview`, `up`, `refresh` and `destroy` of one stack. The program runs in
 * Pulumi's own program runner and registers its resources with our monitor; each registration
 * becomes check → diff → a step, performed by Pulumi's own dynamic-provider host. What the program
 * no longer declares is deleted after it finishes, in reverse dependency order. The decisions live
 * in `step-rules.ts`; this file performs them and keeps the checkpoint.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { type Checkpoint, loadCheckpoint, type PendingOperation, type ResourceState } from "./checkpoint";
import { endFailedWrite, Journal, pendingOperationsWarning } from "./journal";
import {
  MonitorError,
  MonitorServer,
  makeUrn,
  type ReadRequest,
  type Registered,
  type Registration,
  type Severity,
} from "./monitor";
import {
  defaultProviderInputs,
  defaultProviderName,
  isDefaultProvider,
  isDynamicType,
  isProviderType,
  launchPlugin,
  packageOf,
  providerReference,
  UNKNOWN_ID,
} from "./plugins";
import { runProgram } from "./program-runner";
import { loadProject, loadStackConfig, type Project, type StackConfig } from "./project";
import { annotateSecrets, containsUnknown, type Props, secretOutputs } from "./property-values";
import { HostError, ProviderHost } from "./provider-host";
import {
  applyIgnoreChanges,
  decideStep,
  deleteOrder,
  dependingOn,
  detailedChanges,
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
  /** The plugin of each provider resource loaded in this run, by reference (`<urn>::<id>`), as the registry keeps them. */
  readonly plugins = new Map<string, Promise<ProviderHost>>();
  /** Provider resources of the old state, by reference: loaded when a resource of theirs needs them. */
  readonly stateProviders = new Map<string, ResourceState>();
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

  /** The plugin for a provider resource, started and asked for its version (`host.Provider`, `pkg/host/host.go`). */
  async launchPlugin(pkg: string): Promise<ProviderHost> {
    const host = await launchPlugin(this.project, this.config, pkg, this.monitor?.address ?? "127.0.0.1:1");
    this.launched.push(host);
    await host.getPluginInfo();
    return host;
  }

  readonly launched: ProviderHost[] = [];

  /**
   * The provider serving a resource: the dynamic-provider host for `pulumi-nodejs` types; else the
   * provider resource its reference names, loaded in this run or else from the old state and
   * configured with its stored inputs (`Registry.Same`, reached through `EnsureProvider`).
   */
  hostFor(type: string, reference: string | undefined): Promise<ProviderHost> {
    if (isDynamicType(type) || !reference) return this.provider();
    const loaded = this.plugins.get(reference);
    if (loaded) return loaded;
    const state = this.stateProviders.get(reference);
    if (!state) return Promise.reject(new Error(`unknown provider '${reference}'`));
    const loading = (async () => {
      const host = await this.launchPlugin(packageOf(state.type));
      await host.configureProvider(state.urn, state.id, state.inputs);
      return host;
    })();
    this.plugins.set(reference, loading);
    return loading;
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
    // Cancel, then the process stopped (`SignalCancellation`, then the plugin's close).
    for (const plugin of this.launched) {
      await plugin.cancel();
      await plugin.close();
    }
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

type ReplacePlan = Extract<Plan, { op: "replace" }>;

/** A replacement of `previous`, whether a dependant re-created or the provider's diff decided it. */
function replacing(
  previous: ResourceState,
  changes: PropertyChange[],
  how: Omit<ReplacePlan, "op" | "previous" | "changes">,
): ReplacePlan {
  return { op: "replace", previous, changes, ...how };
}

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
    created = await host.create(reg.urn, inputs);
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

/**
 * What a preview gets for a create: the provider's own preview answer when it supports previews
 * (`Create` with `preview: true`), else the checked inputs (`step.go`, `CreateStep.Apply`).
 */
async function previewCreate(work: StepWork): Promise<Registered> {
  const { host, reg, inputs } = work;
  if (!host.protocol.supportsPreview) return { id: "", outputs: inputs };
  const created = await host.create(reg.urn, inputs, true);
  return { id: "", outputs: secretOutputs(created.properties, inputs, reg.additionalSecretOutputs) };
}

async function createStep(work: StepWork): Promise<Registered> {
  work.run.step({ op: "create", ...stepOf(work), changes: propertyChanges({}, work.inputs) });
  if (work.dryRun) return previewCreate(work);
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
  if (work.dryRun) {
    // A provider without preview support: the new inputs stand in for the outputs.
    if (!host.protocol.supportsPreview) return { id: previous.id, outputs: { ...previous.outputs, ...inputs } };
    const previewed = await host.update(reg.urn, previous.id, previous.outputs, inputs, {
      preview: true,
      oldInputs: previous.inputs,
    });
    return { id: previous.id, outputs: secretOutputs(previewed.properties, inputs, reg.additionalSecretOutputs) };
  }
  const state: ResourceState = { ...work.base, id: previous.id, inputs, outputs: previous.outputs };
  const operation = journal.begin("updating", state);
  let updated: { properties: Props };
  try {
    updated = await host.update(reg.urn, previous.id, previous.outputs, inputs, { oldInputs: previous.inputs });
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
  if (work.dryRun) return previewCreate(work);
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

/** The step a registration's diff decides, with the options the program gave it. */
function decideFor(reg: Registration, diff: ProviderDiff, oldInputs: Props, newInputs: Props, hasInitErrors = false) {
  return decideStep({
    diff,
    oldInputs,
    newInputs,
    replaceOnChanges: reg.replaceOnChanges,
    deleteBeforeReplace: reg.deleteBeforeReplace ?? false,
    hasInitErrors,
  });
}

/**
 * The `import` option (`step_generator.go`: an `ImportStep`, then `continueStepsFromImport`):
 * `Read(id)` with neither inputs nor state (`step.go`, `ImportStep.Apply`), in preview too; the
 * resource enters state with the inputs and outputs read. Then the program's inputs go through
 * the usual check (against the inputs read) and diff: no diff leaves it as imported, a diff is an
 * update. A dynamic provider's host needs its code from the state (`__provider`), so its read
 * fails here as under Pulumi (pulumi/pulumi#3550, #16175).
 */
async function importStep(work: StepWork, importId: string): Promise<Registered> {
  const { run, journal, host, reg, inputs: wanted } = work;
  run.step({ op: "import", ...stepOf(work), changes: [] });
  const found = await host.read(reg.urn, importId, {}, {});
  if (!found.id) throw new Error(`resource '${importId}' does not exist`);
  if (Object.keys(found.inputs).length === 0) {
    throw new Error(
      `provider does not support importing resources; please try updating the '${packageOf(reg.type)}' plugin`,
    );
  }
  const imported: ResourceState = {
    ...work.base,
    id: found.id,
    inputs: found.inputs,
    outputs: secretOutputs(found.properties, found.inputs, reg.additionalSecretOutputs),
  };
  if (!work.dryRun) run.completed({ op: "import", type: reg.type });
  const checked = await host.check(reg.urn, imported.inputs, wanted);
  if (checked.failures.length > 0) {
    const reasons = checked.failures.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason));
    throw new Error(`${reg.type} resource '${reg.name}' has a problem: ${reasons.join("; ")}`);
  }
  const inputs = annotateSecrets(checked.inputs, wanted) as Props;
  const diff = await host.diff(reg.urn, imported.id, imported.outputs, inputs, imported.inputs);
  const decision = decideFor(reg, diff, imported.inputs, inputs);
  if (decision.op === "replace") {
    throw new Error(
      `replacing the imported resource '${reg.urn}' (${decision.replaceKeys.join(", ")}) is not modelled`,
    );
  }
  const continued = { ...work, inputs };
  // The state written once: as imported with the checked inputs, or by the update that follows.
  if (decision.op === "same") {
    if (!work.dryRun) journal.end(undefined, { add: { ...imported, inputs } });
    return { id: imported.id, outputs: imported.outputs };
  }
  const changes = diff.detailedDiff
    ? detailedChanges(diff.detailedDiff, imported, inputs)
    : propertyChanges(imported.inputs, inputs);
  return updateStep(continued, imported, changes);
}

/**
 * The dependants a delete-before-replace of `root` must replace too (`step_generator.go`,
 * `calculateDependentReplacements`): of its dependants in the old state, each custom, non-external
 * one whose inputs took a value from a resource being replaced is diffed with those inputs
 * unknown; a diff that asks for a replacement condemns it, and resources depending on it in turn
 * are weighed against the grown set. Resources already registered in this run are no dependants.
 */
async function calculateDependentReplacements(
  run: Run,
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
    const host = await run.hostFor(dependant.type, dependant.provider);
    const diff = await host.diff(dependant.urn, dependant.id, dependant.outputs, news, dependant.inputs);
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
  // Providers are always targeted (`isImplicitlyTargetedResource`, step_generator.go).
  const targeted = (urn: string) =>
    target.length === 0 || target.includes(urn) || isProviderType(urn.split("::")[2] ?? "");
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
    if (!previous && reg.importId) return { inputs: wanted, plan: { op: "import" } };
    const checked = await host.check(reg.urn, olds, wanted);
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
    if (!previous) return { inputs, plan: { op: "create" } };
    if (recreating) {
      condemned.delete(previous.urn);
      const replacement = { replaceKeys: recreating.keys, deleteBeforeReplace: true, condemned: [], recreated: true };
      return { inputs, plan: replacing(previous, propertyChanges(previous.inputs, inputs), replacement) };
    }
    // --replace: a replace diff that blames the id, without asking the provider (isTargetedReplace).
    const diff: ProviderDiff = replaceRequested
      ? { changes: "some", replaces: ["id"], deleteBeforeReplace: false }
      : await host.diff(reg.urn, previous.id, previous.outputs, inputs, previous.inputs);
    const decision = decideFor(reg, diff, previous.inputs, inputs, (previous.initErrors?.length ?? 0) > 0);
    if (decision.op === "same") return { inputs, plan: { op: "same", previous } };
    // The provider's detailed diff when it gave one, as the CLI renders it; else the engine's own.
    const changes = diff.detailedDiff
      ? detailedChanges(diff.detailedDiff, previous, inputs)
      : displayChanges(previous, inputs);
    if (decision.op === "update") return { inputs, plan: { op: "update", previous, changes } };
    // Replacing entails a delete: refused only when both the old and the new registration are
    // protected, so un-protecting and replacing can happen in one run (step_generator.go).
    if (previous.protect && reg.protect) return run.fail(PROVIDER_PROTECTED(previous.urn, "replace"), reg.urn);
    const chain: Condemned[] = [];
    if (decision.deleteBeforeReplace) {
      for (const dependant of await calculateDependentReplacements(run, previous, old.resources, registered)) {
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
    const { replaceKeys, deleteBeforeReplace } = decision;
    return {
      inputs,
      plan: replacing(previous, changes, { replaceKeys, deleteBeforeReplace, condemned: chain, recreated: false }),
    };
  };

  /**
   * A provider resource (`pulumi:providers:<pkg>`, explicit or default), each with a plugin process
   * of its own: CheckConfig, DiffConfig when it is in state, then Configure with its id, a new
   * one's a fresh UUID (`UnknownID` in a preview) and an existing one's kept; its outputs are its
   * inputs (`registry.go`: `Check`, `Diff`, `Create`, `Same`, `Update`). Default providers are kept
   * in state and not shown, as the CLI hides them.
   */
  const providerStep = (
    reg: Registration,
    previous: ResourceState | undefined,
    base: Omit<ResourceState, "id" | "inputs" | "outputs">,
    shown: boolean,
  ): Promise<Registered> =>
    run.around(reg.urn, () =>
      run.generate(async () => {
        const host = await run.launchPlugin(packageOf(reg.type));
        const checked = await host.checkConfig(reg.urn, previous?.inputs ?? {}, reg.inputs);
        if (checked.failures.length > 0) {
          const reasons = checked.failures.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason));
          return run.fail(`${reg.type} resource '${reg.name}' has a problem: ${reasons.join("; ")}`, reg.urn);
        }
        // CheckConfig sees no secrets: what was secret going in stays secret (`annotateSecrets`).
        const inputs = annotateSecrets(checked.inputs, reg.inputs) as Props;
        let op: "create" | "same" | "update" = "create";
        let changes = propertyChanges({}, inputs);
        if (previous) {
          const diff = await host.diffConfig(reg.urn, previous.outputs, previous.inputs, inputs);
          const decision = decideStep({
            diff,
            oldInputs: previous.inputs,
            newInputs: inputs,
            replaceOnChanges: [],
            deleteBeforeReplace: false,
          });
          if (decision.op === "replace") {
            return run.fail(`replacing the provider '${reg.urn}' is not modelled here`, reg.urn);
          }
          op = decision.op;
          changes = op === "same" ? [] : propertyChanges(previous.inputs, inputs);
        }
        const id = previous?.id ?? (dryRun ? UNKNOWN_ID : randomUUID());
        // Config not known yet (a preview of a computed address): the engine does not configure.
        if (!containsUnknown(inputs)) await host.configureProvider(reg.urn, id, inputs);
        run.plugins.set(providerReference(reg.urn, id), Promise.resolve(host));
        if (shown) {
          run.step({ op, urn: reg.urn, type: reg.type, name: reg.name, changes });
          if (op !== "same" && !dryRun) run.completed({ op, type: reg.type });
        }
        if (!dryRun)
          journal.end(undefined, {
            add: { ...base, id, inputs, outputs: inputs },
            ...(previous ? { remove: previous } : {}),
          });
        return { id, outputs: inputs };
      }),
    );

  /** Default providers of this run, by URN: registered once, at the first resource that needs one. */
  const defaults = new Map<string, Promise<string>>();
  /**
   * The default provider of a package (`default_providers.go`): `pulumi:providers:<pkg>::default`
   * (or `default_<version>`), no parent, configured from the stack's `<pkg>:*` config.
   */
  const defaultProvider = (pkg: string, version: string): Promise<string> => {
    const type = `pulumi:providers:${pkg}`;
    const name = defaultProviderName(version);
    const urn = makeUrn(run.stack, run.project.name, type, name, "");
    let reference = defaults.get(urn);
    if (!reference) {
      reference = register({
        urn,
        type,
        name,
        parent: "",
        custom: true,
        inputs: defaultProviderInputs(run.config, pkg, version),
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: undefined,
        ignoreChanges: [],
        replaceOnChanges: [],
        additionalSecretOutputs: [],
        aliasUrns: [],
        importId: "",
        provider: "",
        version: "",
      }).then((done) => providerReference(urn, done.id));
      defaults.set(urn, reference);
    }
    return reference;
  };

  /** The reference of the provider serving a package resource; none for dynamic ones. */
  const providerOf = async (type: string, provider: string, version: string): Promise<string | undefined> =>
    isDynamicType(type) ? undefined : provider || defaultProvider(packageOf(type), version);

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
    if (isProviderType(reg.type)) return providerStep(reg, previous, base, !isDefaultProvider(reg.urn));
    if (!reg.custom) {
      // Components and the stack have no provider: the engine only records them.
      const state: ResourceState = { ...base, id: "", inputs: reg.inputs, outputs: previous?.outputs ?? {} };
      journal.end(undefined, { add: state, ...(previous ? { remove: previous } : {}) });
      run.step({ op: previous ? "same" : "create", urn: reg.urn, type: reg.type, name: reg.name, changes: [] });
      if (!previous && !dryRun) run.completed({ op: "create", type: reg.type });
      return { id: "", outputs: {} };
    }
    const reference = reg.custom ? await providerOf(reg.type, reg.provider, reg.version) : undefined;
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
      const host = await run.hostFor(reg.type, reference);
      // ignoreChanges applies to the inputs before the provider sees them.
      const wanted = applyIgnoreChanges(reg.inputs, previous?.inputs, reg.ignoreChanges);
      const decided = await run.generate(() => plan(host, reg, previous, wanted));
      const withProvider = reference ? { ...base, provider: reference } : base;
      const work: StepWork = { run, journal, host, reg, base: withProvider, inputs: decided.inputs, dryRun };
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
      const reference = await providerOf(request.type, request.provider, request.version);
      const host = await run.hostFor(request.type, reference);
      run.step({ op: "read", urn: request.urn, type: request.type, name: request.name, changes: [] });
      const props = request.properties;
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
        ...(reference ? { provider: reference } : {}),
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
  // Not for a program that brings a provider plugin of its own while state holds no dynamic
  // resource: it may register none, and the host would be a second of CPU for nothing (Pulumi
  // too loads the dynamic provider at the first resource that needs it).
  const mayUseDynamic = run.project.pluginProviders.length === 0 || live.some((r) => isDynamicType(r.type));
  if (mayUseDynamic) run.provider().catch(() => undefined);
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
  if (isProviderType(resource.type)) {
    // Deleting a provider resource unloads its plugin and calls nothing (`Registry.Delete`).
    journal.end(undefined, { remove: resource });
    return;
  }
  await run.around(resource.urn, async () => {
    const host = await run.hostFor(resource.type, resource.provider);
    await journal.deleting(resource, () => host.delete(resource.urn, resource.id, resource.outputs, resource.inputs));
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
    const hidden = resource.external || isDefaultProvider(resource.urn);
    if (!replacement && !hidden) {
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
      if (!replacement && !resource.retainOnDelete && !hidden) {
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
    // Provider resources have nothing to read: kept as they are.
    if (!resource.custom || run.failure || isProviderType(resource.type)) {
      if (imported) continue;
      journal.end(undefined, { add: resource, remove: resource });
      continue;
    }
    try {
      await run.around(resource.urn, async () => {
        const host = await run.hostFor(resource.type, resource.provider);
        const read = await host.read(resource.urn, resource.id, resource.outputs, resource.inputs);
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
  for (const resource of old.resources) {
    if (isProviderType(resource.type)) run.stateProviders.set(providerReference(resource.urn, resource.id), resource);
  }
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
