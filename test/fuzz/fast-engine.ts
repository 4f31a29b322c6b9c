/**
 * The fast path: one deployment in this process. It mirrors `test/engine/deployment.ts` (`deploy`,
 * `deleteSteps`, `refresh`, `destroy`) step for step, with registrations handled one at a time in
 * program order, and takes every decision from `test/engine/step-rules.ts` and the value rules of
 * `test/engine/property-values.ts`; it performs them by calling the provider modules Pulumi's
 * dynamic-provider host would load (`pulumi/pulumi` `sdk/nodejs/cmd/dynamic-provider/index.ts`),
 * with what the host does around them: secrets stripped before the provider, put back after,
 * `undefined` dropped as protobuf structs drop it, a fresh provider process (module state reset
 * and `configure` with the stack's config) per deployment. What the real host prints for a failed
 * call (`${error}: ${error.stack}`) is printed here too, so invariant 6 sees it. The checkpoint is
 * kept by the stand-in's own snapshot manager (`test/engine/journal.ts`, in memory): a pending
 * operation before each provider write, partial state from a failed create or update, pending
 * creates carried; so a kill right after any provider-operation boundary leaves what the stand-in's
 * checkpoint would, and `--replace`/`--target` decide as the stand-in does.
 */
import * as twoStepProvider from "../../provider/account/provider";
import * as backupProvider from "../../provider/backup/backup-provider";
import * as restoreProvider from "../../provider/backup/restore-provider";
import * as mediaProvider from "../../provider/media/provider";
import * as businessProvider from "../../provider/profile/business/provider";
import * as photoProvider from "../../provider/profile/photo/provider";
import * as aboutProvider from "../../provider/profile/provider";
import { configure, shutdown } from "../../provider/runtime";
import * as settingsProvider from "../../provider/settings/provider";
import type { PendingOperation, ResourceState } from "../engine/checkpoint";
import {
  endFailedWrite,
  type InitFailure,
  Journal,
  OPERATION_BOUNDARY,
  pendingOperationsWarning,
} from "../engine/journal";
import { annotateSecrets, type Props, plain, revealProps, secretOutputs } from "../engine/property-values";
import { applyIgnoreChanges, decideStep, deleteOrder } from "../engine/step-rules";
import type { Kind } from "./program";

type Command = "preview" | "up" | "refresh" | "destroy";

interface DynamicProvider {
  check(olds: Props, news: Props): Promise<{ inputs?: Props; failures?: Array<{ property: string; reason: string }> }>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
  create(inputs: Props): Promise<{ id: string; outs?: Props }>;
  read(id: string, props: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs?: Props } | undefined>;
  delete(id: string, props: Props): Promise<void>;
}

const PROVIDERS: Record<Kind, DynamicProvider> = {
  ApplicationSettings: settingsProvider as unknown as DynamicProvider,
  SettingsBackup: backupProvider as unknown as DynamicProvider,
  SettingsRestore: restoreProvider as unknown as DynamicProvider,
  MediaProvider: mediaProvider as unknown as DynamicProvider,
  TwoStepVerification: twoStepProvider as unknown as DynamicProvider,
  ProfilePhoto: photoProvider as unknown as DynamicProvider,
  ProfileAbout: aboutProvider as unknown as DynamicProvider,
  BusinessProfile: businessProvider as unknown as DynamicProvider,
};

export const TYPE_PREFIX = "pulumi-nodejs:dynamic/whatsapp:";

export function urnOf(kind: Kind, name: string): string {
  return `urn:pulumi:dev::fuzz::${TYPE_PREFIX}${kind}::${name}`;
}

export function kindOf(resource: { type: string }): Kind {
  return resource.type.slice(TYPE_PREFIX.length) as Kind;
}

export interface Registration {
  kind: Kind;
  name: string;
  aliases: string[];
  /** Names of the resources it depends on, with their kinds. */
  dependencies: Array<{ kind: Kind; name: string }>;
  additionalSecretOutputs: string[];
}

/** A program as the fast path runs it: registrations in order, each built from the outputs seen so far. */
export interface FastProgram {
  registrations: Registration[];
  /** The inputs of one registration, given the outputs the deployment returned for earlier ones. */
  inputsOf(registration: Registration, outputs: Map<string, Props>, dryRun: boolean): Props;
}

export interface FastStep {
  op: "create" | "update" | "replace" | "same" | "delete" | "refresh";
  urn: string;
  gone?: boolean;
}

export interface FastResult {
  command: Command;
  ok: boolean;
  steps: FastStep[];
  /** The error that stopped the run, as the CLI shows it after `error:`. */
  failure: string | undefined;
  /** Everything the provider printed (pulumi.log without an engine goes to the console). */
  printed: string[];
  resources: ResourceState[];
  /** The operations the checkpoint holds as pending (a killed run's, and pending creates carried). */
  pending: PendingOperation[];
  /** The boundary a killed run died after. */
  killedAt?: string;
}

/** What a deployment leaves: the resources of its checkpoint and the operations it left pending. */
export interface FastState {
  resources: ResourceState[];
  pending: PendingOperation[];
}

export const EMPTY_STATE: FastState = { resources: [], pending: [] };

/** `up --replace`, `up --target` (URNs), and a kill right after the n-th provider-operation boundary (0-based). */
export interface FastOptions {
  replace?: readonly string[];
  target?: readonly string[];
  killAfter?: number;
}

/** The deployment was killed at a step boundary: nothing after it runs. */
class Killed extends Error {
  readonly code = "FUZZ_KILLED";
}

class Run {
  readonly steps: FastStep[] = [];
  readonly printed: string[] = [];
  failure: string | undefined;
  killedAt: string | undefined;
  private operations = 0;

  constructor(
    readonly command: Command,
    private readonly killAfter: number | undefined,
  ) {}

  fail(error: unknown): void {
    if (error instanceof Killed) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // What the dynamic-provider host writes to its stderr for a failed call.
    if (error instanceof Error) this.printed.push(`${error}: ${error.stack ?? ""}`);
    this.failure ??= message;
  }

  /** Each checkpoint write; the kill comes right after the chosen provider-operation boundary's. */
  readonly onWrite = (boundary: string): void => {
    if (!OPERATION_BOUNDARY.test(boundary)) return;
    const index = this.operations;
    this.operations += 1;
    if (index !== this.killAfter) return;
    this.killedAt = boundary;
    throw new Killed(`killed after the checkpoint write of '${boundary}'`);
  };
}

/** Captures console output while the provider runs, as the host's stdout/stderr would carry it. */
async function capturing<T>(printed: string[], work: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  const keep = (...args: unknown[]) => {
    printed.push(args.map(String).join(" "));
  };
  console.log = keep;
  console.warn = keep;
  console.error = keep;
  console.info = keep;
  try {
    return await work();
  } finally {
    Object.assign(console, saved);
  }
}

function stateOf(registration: Registration, id: string, inputs: Props, outputs: Props): ResourceState {
  return {
    urn: urnOf(registration.kind, registration.name),
    type: `${TYPE_PREFIX}${registration.kind}`,
    name: registration.name,
    custom: true,
    parent: undefined,
    dependencies: registration.dependencies.map((d) => urnOf(d.kind, d.name)),
    protect: false,
    retainOnDelete: false,
    additionalSecretOutputs: registration.additionalSecretOutputs,
    id,
    inputs,
    outputs,
  } as unknown as ResourceState;
}

/** What the host reports for an error that carries an id (`grpcResponseFromError`): partial state. */
function initFailureOf(error: unknown): InitFailure | undefined {
  const failed = error as { id?: unknown; properties?: unknown; reasons?: unknown };
  if (!failed || typeof failed !== "object" || !failed.id) return undefined;
  return {
    id: String(failed.id),
    properties: plain(failed.properties ?? {}),
    reasons: Array.isArray(failed.reasons) ? failed.reasons.map(String) : [],
  };
}

/** A provider write with its pending operation, ended as the stand-in ends it (partial state kept). */
async function write<T>(
  journal: Journal,
  type: "creating" | "updating",
  state: ResourceState,
  previous: ResourceState | undefined,
  call: () => Promise<T>,
  original?: ResourceState,
): Promise<{ operation: PendingOperation; result: T }> {
  const operation = journal.begin(type, state);
  try {
    return { operation, result: await call() };
  } catch (error) {
    const message = (error as Error)?.message ?? "";
    endFailedWrite(journal, operation, initFailureOf(error), message, state, previous, original);
    throw error;
  }
}

async function deploy(run: Run, program: FastProgram, journal: Journal, options: FastOptions): Promise<void> {
  const dryRun = run.command === "preview";
  const { replace = [], target = [] } = options;
  const old = journal.base.resources;
  // The originals of earlier create-before-delete replacements are no registration's predecessor.
  const oldByUrn = new Map(old.filter((r) => !r.delete).map((r) => [r.urn, r]));
  const accounted = new Set<string>();
  const replaced: ResourceState[] = [];
  const outputsByName = new Map<string, Props>();
  const targeted = (urn: string) => target.length === 0 || target.includes(urn);
  const skippedCreates = new Set<string>();
  let untargetedDependency: string | undefined;

  for (const registration of program.registrations) {
    const urn = urnOf(registration.kind, registration.name);
    const previous =
      oldByUrn.get(urn) ??
      registration.aliases.map((alias) => oldByUrn.get(urnOf(registration.kind, alias))).find(Boolean);
    if (previous) accounted.add(previous.urn);
    const provider = PROVIDERS[registration.kind];
    if (!targeted(urn)) {
      // --target: a same step that keeps the old state; a new resource outside the targets is not created.
      run.steps.push({ op: "same", urn });
      if (!previous) {
        skippedCreates.add(urn);
        outputsByName.set(registration.name, program.inputsOf(registration, outputsByName, dryRun));
        continue;
      }
      if (!dryRun) journal.end(undefined, { add: { ...previous, urn }, remove: previous });
      outputsByName.set(registration.name, previous.outputs);
      continue;
    }
    try {
      const replaceRequested = previous !== undefined && replace.includes(urn);
      const wanted = applyIgnoreChanges(program.inputsOf(registration, outputsByName, dryRun), previous?.inputs, []);
      // A targeted replacement is checked without its old inputs (step_generator.go).
      const olds = previous && !replaceRequested ? previous.inputs : {};
      const checked = await provider.check(revealProps(olds), revealProps(wanted));
      if ((checked.failures ?? []).length > 0) {
        const reasons = (checked.failures ?? []).map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason));
        throw new Error(
          `whatsapp:${registration.kind} resource '${registration.name}' has a problem: ${reasons.join("; ")}`,
        );
      }
      const inputs = annotateSecrets(plain(checked.inputs ?? wanted), wanted) as Props;
      const skipped = registration.dependencies.map((d) => urnOf(d.kind, d.name)).find((u) => skippedCreates.has(u));
      if (skipped) {
        const message = `Resource '${urn}' depends on '${skipped}' which was was not specified in --target list.`;
        if (!dryRun) throw new Error(message);
        untargetedDependency ??= message;
      }
      const ownSecrets = registration.additionalSecretOutputs;
      // A create-before-delete replacement marks its original for deletion in the create's own write.
      const create = async (original?: ResourceState): Promise<Props> => {
        const state = stateOf(registration, "", inputs, {});
        const { operation, result } = await write(
          journal,
          "creating",
          state,
          undefined,
          () => provider.create(revealProps(inputs)),
          original,
        );
        const outputs = secretOutputs(plain(result.outs), inputs, ownSecrets);
        journal.end(operation, {
          add: { ...state, id: result.id, outputs },
          ...(original ? { markForDelete: original } : {}),
        });
        return outputs;
      };

      if (!previous) {
        run.steps.push({ op: "create", urn });
        outputsByName.set(registration.name, dryRun ? inputs : await create());
        continue;
      }
      const diff = replaceRequested
        ? { changes: true, replaces: ["id"], deleteBeforeReplace: false }
        : await provider.diff(previous.id, revealProps(previous.outputs), revealProps(inputs));
      const decision = decideStep({
        diff: {
          changes: diff.changes === true ? "some" : diff.changes === false ? "none" : "unknown",
          replaces: diff.replaces ?? [],
          deleteBeforeReplace: diff.deleteBeforeReplace ?? false,
        },
        oldInputs: previous.inputs,
        newInputs: inputs,
        replaceOnChanges: [],
        deleteBeforeReplace: false,
        hasInitErrors: (previous.initErrors?.length ?? 0) > 0,
      });
      if (decision.op === "same") {
        run.steps.push({ op: "same", urn });
        if (!dryRun) {
          journal.end(undefined, {
            add: stateOf(registration, previous.id, inputs, previous.outputs),
            remove: previous,
          });
        }
        outputsByName.set(registration.name, previous.outputs);
        continue;
      }
      if (decision.op === "update") {
        run.steps.push({ op: "update", urn });
        if (dryRun) {
          outputsByName.set(registration.name, { ...previous.outputs, ...inputs });
          continue;
        }
        const state = stateOf(registration, previous.id, inputs, previous.outputs);
        const { operation, result } = await write(journal, "updating", state, previous, () =>
          provider.update(previous.id, revealProps(previous.outputs), revealProps(inputs)),
        );
        const outputs = secretOutputs(plain(result?.outs), inputs, ownSecrets);
        journal.end(operation, { add: { ...state, outputs }, remove: previous });
        outputsByName.set(registration.name, outputs);
        continue;
      }
      run.steps.push({ op: "replace", urn });
      if (dryRun) {
        outputsByName.set(registration.name, inputs);
        continue;
      }
      if (decision.deleteBeforeReplace) await deleteOne(journal, previous);
      else replaced.push(previous);
      outputsByName.set(registration.name, await create(decision.deleteBeforeReplace ? undefined : previous));
    } catch (error) {
      run.fail(error);
      break;
    }
  }
  run.failure ??= untargetedDependency;
  // A failed run deletes nothing: what was not reached stays in state, originals marked for deletion.
  if (run.failure) return;
  // An original marked for deletion goes whether or not its URN registered again (`GenerateDeletes`).
  const unaccounted = old.filter((r) => r.delete || (!accounted.has(r.urn) && targeted(r.urn)));
  await deleteSteps(run, journal, deleteOrder([...unaccounted, ...replaced]), replaced, dryRun);
}

/** One provider delete with its pending operation. */
function deleteOne(journal: Journal, resource: ResourceState): Promise<void> {
  return journal.deleting(resource, () =>
    PROVIDERS[kindOf(resource)].delete(resource.id, revealProps(resource.outputs)),
  );
}

/** Deletes in the order given; after a failure the rest stays. Replaced originals get no step of their own. */
async function deleteSteps(
  run: Run,
  journal: Journal,
  resources: ResourceState[],
  replaced: readonly ResourceState[],
  dryRun: boolean,
): Promise<void> {
  for (const resource of resources) {
    if (run.failure) return;
    if (!replaced.includes(resource) && !resource.delete) run.steps.push({ op: "delete", urn: resource.urn });
    if (dryRun) continue;
    try {
      await deleteOne(journal, resource);
    } catch (error) {
      run.fail(error);
    }
  }
}

async function refresh(run: Run, journal: Journal): Promise<void> {
  for (const resource of journal.base.resources) {
    if (run.failure) {
      journal.end(undefined, { add: resource, remove: resource });
      continue;
    }
    try {
      const read = await PROVIDERS[kindOf(resource)].read(resource.id, revealProps(resource.outputs));
      if (!read.id) {
        run.steps.push({ op: "refresh", urn: resource.urn, gone: true });
        journal.end(undefined, { remove: resource });
        continue;
      }
      const readInputs = plain(read.inputs);
      const inputs =
        Object.keys(readInputs).length > 0 ? (annotateSecrets(readInputs, resource.inputs) as Props) : resource.inputs;
      const outputs = annotateSecrets(
        secretOutputs(plain(read.props), inputs, resource.additionalSecretOutputs),
        resource.outputs,
      ) as Props;
      run.steps.push({ op: "refresh", urn: resource.urn });
      // A refresh answers an init error: what the provider reads is what the resource is.
      const { initErrors: _, ...rest } = resource;
      journal.end(undefined, { add: { ...rest, id: read.id, inputs, outputs }, remove: resource });
    } catch (error) {
      run.fail(error);
      journal.end(undefined, { add: resource, remove: resource });
    }
  }
}

/** Runs one command; never throws for a failed or killed deployment. */
export async function runFast(
  command: Command,
  program: FastProgram,
  config: Record<string, string>,
  old: FastState,
  options: FastOptions = {},
): Promise<FastResult> {
  const run = new Run(command, options.killAfter);
  const base = { version: 1 as const, project: "fuzz", stack: "dev", resources: old.resources };
  // Pending creates stay until a refresh resolves them; the others are dropped (snapshot.go).
  const carried = old.pending.filter((op) => op.type === "creating");
  const journal =
    command === "preview" ? new Journal(base, undefined, carried) : Journal.inMemory(base, carried, run.onWrite);
  if ((command === "up" || command === "destroy") && old.pending.length > 0) {
    run.printed.push(pendingOperationsWarning(old.pending));
  }
  await capturing(run.printed, async () => {
    // A new provider process per deployment, configured with the stack's config.
    await shutdown();
    await configure({ config: { get: (key: string) => config[key] } });
    try {
      if (command === "refresh") await refresh(run, journal);
      else if (command === "destroy") await deleteSteps(run, journal, deleteOrder(old.resources), [], false);
      else await deploy(run, program, journal, options);
    } catch (error) {
      if (!(error instanceof Killed)) throw error;
    } finally {
      await shutdown();
    }
  });
  const snapshot = journal.snapshot();
  const failure = run.killedAt
    ? `the deployment was killed after the checkpoint write of '${run.killedAt}'`
    : run.failure;
  return {
    command,
    ok: failure === undefined,
    steps: run.steps,
    failure,
    ...(run.killedAt ? { killedAt: run.killedAt } : {}),
    printed: run.printed,
    resources: command === "preview" ? old.resources : snapshot.resources,
    pending: command === "preview" ? old.pending : (snapshot.pendingOperations ?? []),
  };
}
