/**
 * The fast path: one deployment in this process. It mirrors `test/engine/deployment.ts` (`deploy`,
 * `deleteSteps`, `refresh`, `destroy`) step for step, with registrations handled one at a time in
 * program order, and takes every decision from `test/engine/step-rules.ts` and the value rules of
 * `test/engine/property-values.ts`; it performs them by calling the provider modules Pulumi's
 * dynamic-provider host would load (`pulumi/pulumi` `sdk/nodejs/cmd/dynamic-provider/index.ts`),
 * with what the host does around them: secrets stripped before the provider, put back after,
 * `undefined` dropped as protobuf structs drop it, a fresh provider process (module state reset
 * and `configure` with the stack's config) per deployment. What the real host prints for a failed
 * call (`${error}: ${error.stack}`) is printed here too, so invariant 6 sees it.
 */
import * as backupProvider from "../../provider/backup/backup-provider";
import * as restoreProvider from "../../provider/backup/restore-provider";
import * as mediaProvider from "../../provider/media/provider";
import { configure, shutdown } from "../../provider/runtime";
import * as settingsProvider from "../../provider/settings/provider";
import type { ResourceState } from "../engine/checkpoint";
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
}

class Run {
  readonly steps: FastStep[] = [];
  readonly printed: string[] = [];
  failure: string | undefined;

  constructor(readonly command: Command) {}

  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // What the dynamic-provider host writes to its stderr for a failed call.
    if (error instanceof Error) this.printed.push(`${error}: ${error.stack ?? ""}`);
    this.failure ??= message;
  }
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

async function deploy(run: Run, program: FastProgram, old: ResourceState[]): Promise<ResourceState[]> {
  const dryRun = run.command === "preview";
  const oldByUrn = new Map(old.map((r) => [r.urn, r]));
  const news: ResourceState[] = [];
  const accounted = new Set<string>();
  const done = new Set<string>();
  const replaced: ResourceState[] = [];
  const deleted = new Set<string>();
  const outputsByName = new Map<string, Props>();

  for (const registration of program.registrations) {
    const urn = urnOf(registration.kind, registration.name);
    const previous =
      oldByUrn.get(urn) ??
      registration.aliases.map((alias) => oldByUrn.get(urnOf(registration.kind, alias))).find(Boolean);
    if (previous) accounted.add(previous.urn);
    const provider = PROVIDERS[registration.kind];
    try {
      const wanted = applyIgnoreChanges(program.inputsOf(registration, outputsByName, dryRun), previous?.inputs, []);
      const checked = await provider.check(revealProps(previous?.inputs ?? {}), revealProps(wanted));
      if ((checked.failures ?? []).length > 0) {
        const reasons = (checked.failures ?? []).map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason));
        throw new Error(
          `whatsapp:${registration.kind} resource '${registration.name}' has a problem: ${reasons.join("; ")}`,
        );
      }
      const inputs = annotateSecrets(plain(checked.inputs ?? wanted), wanted) as Props;
      const diff = previous
        ? await provider.diff(previous.id, revealProps(previous.outputs), revealProps(inputs))
        : undefined;
      const ownSecrets = registration.additionalSecretOutputs;

      if (!previous || !diff) {
        run.steps.push({ op: "create", urn });
        if (dryRun) {
          outputsByName.set(registration.name, inputs);
          continue;
        }
        const created = await provider.create(revealProps(inputs));
        const outputs = secretOutputs(plain(created.outs), inputs, ownSecrets);
        news.push(stateOf(registration, created.id, inputs, outputs));
        outputsByName.set(registration.name, outputs);
        continue;
      }
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
      });
      if (decision.op === "same") {
        run.steps.push({ op: "same", urn });
        news.push(stateOf(registration, previous.id, inputs, previous.outputs));
        done.add(previous.urn);
        outputsByName.set(registration.name, previous.outputs);
        continue;
      }
      if (decision.op === "update") {
        run.steps.push({ op: "update", urn });
        if (dryRun) {
          outputsByName.set(registration.name, { ...previous.outputs, ...inputs });
          continue;
        }
        const updated = await provider.update(previous.id, revealProps(previous.outputs), revealProps(inputs));
        const outputs = secretOutputs(plain(updated?.outs), inputs, ownSecrets);
        news.push(stateOf(registration, previous.id, inputs, outputs));
        done.add(previous.urn);
        outputsByName.set(registration.name, outputs);
        continue;
      }
      run.steps.push({ op: "replace", urn });
      if (dryRun) {
        outputsByName.set(registration.name, inputs);
        continue;
      }
      if (decision.deleteBeforeReplace) {
        await provider.delete(previous.id, revealProps(previous.outputs));
        deleted.add(previous.urn);
      } else {
        replaced.push(previous);
      }
      const created = await provider.create(revealProps(inputs));
      const outputs = secretOutputs(plain(created.outs), inputs, ownSecrets);
      news.push(stateOf(registration, created.id, inputs, outputs));
      done.add(previous.urn);
      outputsByName.set(registration.name, outputs);
    } catch (error) {
      run.fail(error);
      break;
    }
  }

  const unaccounted = old.filter((r) => !accounted.has(r.urn));
  if (run.failure) {
    const left = old.filter((r) => (!done.has(r.urn) || replaced.includes(r)) && !deleted.has(r.urn));
    return [...news, ...left];
  }
  const kept = await deleteSteps(run, deleteOrder([...unaccounted, ...replaced]), replaced, dryRun);
  return [...news, ...kept];
}

async function deleteSteps(
  run: Run,
  resources: ResourceState[],
  replaced: readonly ResourceState[],
  dryRun: boolean,
): Promise<ResourceState[]> {
  const kept: ResourceState[] = [];
  for (const resource of resources) {
    if (run.failure) {
      kept.push(resource);
      continue;
    }
    if (!replaced.includes(resource)) run.steps.push({ op: "delete", urn: resource.urn });
    if (dryRun) continue;
    try {
      await PROVIDERS[kindOf(resource)].delete(resource.id, revealProps(resource.outputs));
    } catch (error) {
      run.fail(error);
      kept.push(resource);
    }
  }
  return kept;
}

async function refresh(run: Run, old: ResourceState[]): Promise<ResourceState[]> {
  const result: ResourceState[] = [];
  for (const resource of old) {
    if (run.failure) {
      result.push(resource);
      continue;
    }
    try {
      const read = await PROVIDERS[kindOf(resource)].read(resource.id, revealProps(resource.outputs));
      if (!read.id) {
        run.steps.push({ op: "refresh", urn: resource.urn, gone: true });
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
      result.push({ ...resource, id: read.id, inputs, outputs });
    } catch (error) {
      run.fail(error);
      result.push(resource);
    }
  }
  return result;
}

/** Runs one command; never throws for a failed deployment. */
export async function runFast(
  command: Command,
  program: FastProgram,
  config: Record<string, string>,
  old: ResourceState[],
): Promise<FastResult> {
  const run = new Run(command);
  const resources = await capturing(run.printed, async () => {
    // A new provider process per deployment, configured with the stack's config.
    await shutdown();
    await configure({ config: { get: (key: string) => config[key] } });
    try {
      if (command === "refresh") return await refresh(run, old);
      if (command === "destroy") {
        const kept = await deleteSteps(run, deleteOrder(old), [], false);
        return old.filter((r) => kept.includes(r));
      }
      return await deploy(run, program, old);
    } finally {
      await shutdown();
    }
  });
  return {
    command,
    ok: !run.failure,
    steps: run.steps,
    failure: run.failure,
    printed: run.printed,
    resources: command === "preview" ? old : resources,
  };
}
