/**
 * The faithful path: the same sequence through Pulumi's program runner, Pulumi's dynamic-provider
 * host (or, for the native provider, a `pulumi-resource-whatsapp` plugin per provider resource)
 * and the engine stand-in (`test/engine/deployment.ts`), against a second set of emulated
 * clients, beside the fast path. After every step both must agree: the same outcome (ok or
 * failed) and the same requests on every client. Each resource of the program depends on the
 * one declared before it, so the engine runs the steps in the fast path's order (a backup taken
 * beside a settings write would otherwise hold either value); requests are still compared per
 * client as sorted lists.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { type EngineOptions, runEngine } from "../engine/deployment";
import { runInProcess } from "../engine/kill";
import type { ProviderKind } from "../support/native-plugin";
import { programOf } from "../support/program-dir";
import { generatorOptions, heldBack } from "./defects";
import { type FastOptions, TYPE_PREFIX } from "./fast-engine";
import { type Action, type Command, type Edit, edit, emptyProgram, type Program, type Resource } from "./program";
import { connectionOf, stackConfig, webhookUrl } from "./registrations";
import { actionArbitrary, engineCall, Sequence } from "./sequence";
import { ABOUT_TEXTS, BACKUP_PASSWORD, BEARERS, CLIENTS, type ClientIndex, DESCRIPTIONS, PINS, World } from "./world";

function literal(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * The native provider's program: the same resources as `whatsapp:index:*`, a resource's own
 * connection made an explicit provider of that client and spelling (declared once, named after
 * them, so editing a resource never renames one), the stack config the default provider's. An
 * explicit provider takes no stack config, so it is given the stack's retry settings itself.
 */
const NATIVE_PRELUDE = [
  'const ws = require("pulumi-whatsapp-settings").native;',
  "const providers = {};",
  "const providerOf = (name, args) => (providers[name] ??= new ws.Provider(name, args));",
];

/** The program as a Pulumi program using the packed package, through the dynamic or the native provider. */
export function programText(world: World, program: Program, provider: ProviderKind = "dynamic"): string {
  const lines = [
    ...(provider === "dynamic" ? ['const ws = require("pulumi-whatsapp-settings");'] : NATIVE_PRELUDE),
    "const backups = {};",
    "let last;",
  ];
  const retry = Object.fromEntries(
    Object.entries(stackConfig(world, program))
      .filter(([key]) => key.startsWith("whatsapp:retry"))
      .map(([key, value]) => [key.slice("whatsapp:".length), value]),
  );
  const declare = (resource: Resource) => {
    const args: string[] = [];
    if (resource.kind === "ApplicationSettings") {
      if (resource.logLevel) args.push(`logLevel: ${literal(resource.logLevel)}`);
      if (resource.sentStatus !== undefined) args.push(`sentStatus: ${literal(resource.sentStatus)}`);
      if (resource.webhook !== undefined) args.push(`webhooks: { url: ${literal(webhookUrl(resource.webhook))} }`);
    } else if (resource.kind === "SettingsBackup" || resource.kind === "SettingsRestore") {
      args.push(`password: ${literal(BACKUP_PASSWORD)}`);
      if (resource.triggers !== undefined) args.push(`triggers: [${resource.triggers}]`);
      if (resource.kind === "SettingsRestore") {
        args.push(`data: backups[${literal(resource.source)}].data`, "waitForHealthy: false");
      }
    } else if (resource.kind === "TwoStepVerification") {
      args.push(`pin: ${literal(PINS[(resource.pin ?? 0) % PINS.length])}`);
    } else if (resource.kind === "ProfilePhoto") {
      args.push(`file: ${literal(world.photoPath(resource.photo ?? 0))}`);
    } else if (resource.kind === "ProfileAbout") {
      args.push(`text: ${literal(ABOUT_TEXTS[(resource.about ?? 0) % ABOUT_TEXTS.length])}`);
    } else if (resource.kind === "BusinessProfile") {
      args.push(`description: ${literal(DESCRIPTIONS[(resource.description ?? 0) % DESCRIPTIONS.length])}`);
    } else {
      args.push(
        `name: ${literal(resource.mediaName)}`,
        'type: "www"',
        `config: { bearer: ${literal(BEARERS[(resource.bearer ?? 0) % BEARERS.length])} }`,
      );
    }
    const options: string[] = [];
    if (resource.connection && provider === "dynamic") {
      args.push(`connection: ${literal(connectionOf(world, resource.connection))}`);
    } else if (resource.connection) {
      const name = `client${resource.connection.client}-${resource.connection.spelling}`;
      const connection = { ...connectionOf(world, resource.connection), ...retry };
      options.push(`provider: providerOf(${literal(name)}, ${literal(connection)})`);
    }
    // Each resource waits for the one before: the program's steps run in the fast path's order.
    options.push(
      "dependsOn: last ? [last] : []",
      ...(resource.aliases.length > 0 ? [`aliases: ${literal(resource.aliases.map((name) => ({ name })))}`] : []),
    );
    const made = `new ws.${resource.kind}(${literal(resource.name)}, { ${args.join(", ")} }, { ${options.join(", ")} })`;
    lines.push(`last = ${made};`);
    if (resource.kind === "SettingsBackup") lines.push(`backups[${literal(resource.name)}] = last;`);
  };
  for (const resource of program.resources) if (resource.kind !== "SettingsRestore") declare(resource);
  for (const resource of program.resources) if (resource.kind === "SettingsRestore") declare(resource);
  return `${lines.join("\n")}\n`;
}

const DYNAMIC_PROJECT = "name: fuzz\nruntime: nodejs\n";
/** The packaged plugin as a project plugin, found before PATH (`GetPluginPath`). */
const NATIVE_PROJECT = `${DYNAMIC_PROJECT}plugins:\n  providers:\n    - name: whatsapp\n      path: ./node_modules/pulumi-whatsapp-settings/bin\n`;

/** One sequence through the engine stand-in. */
export class FaithfulSequence {
  program: Program = emptyProgram({ client: 0, spelling: "plain" });
  private readonly saved = process.env.WHATSAPP_RESTORE_RECORD_DIR;

  private constructor(
    readonly world: World,
    readonly dir: string,
    readonly provider: ProviderKind,
  ) {}

  static async start(provider: ProviderKind = "dynamic"): Promise<FaithfulSequence> {
    const world = await World.start();
    const dir = programOf({ "Pulumi.yaml": provider === "dynamic" ? DYNAMIC_PROJECT : NATIVE_PROJECT }).dir;
    return new FaithfulSequence(world, dir, provider);
  }

  /** A fast-path URN (a dynamic resource's) as this program registers it: `whatsapp:index:<Kind>` for the native provider. */
  private urn(urn: string): string {
    return this.provider === "native" ? urn.replace(TYPE_PREFIX, "whatsapp:index:") : urn;
  }

  /** Runs an engine command; a kill runs it in a process of its own, SIGKILLed with its provider host. */
  async command(command: Command, options: FastOptions = {}): Promise<boolean> {
    writeFileSync(join(this.dir, "index.js"), programText(this.world, this.program, this.provider));
    const config = stackConfig(this.world, this.program);
    const { "whatsapp:password": password, ...plain } = config;
    const engineOptions: EngineOptions = {
      dir: this.dir,
      config: plain,
      secrets: { "whatsapp:password": password as string },
      stateFile: join(this.dir, "state.json"),
      ...(options.replace ? { replace: options.replace.map((urn) => this.urn(urn)) } : {}),
      ...(options.target ? { target: options.target.map((urn) => this.urn(urn)) } : {}),
    };
    process.env.WHATSAPP_RESTORE_RECORD_DIR = this.world.recordDir;
    try {
      if (options.killAfter !== undefined) {
        const killed = await runInProcess({ command, options: engineOptions, killAtOperation: options.killAfter });
        return !killed.killed && killed.ok;
      }
      return (await runEngine(command, engineOptions)).ok;
    } finally {
      if (this.saved === undefined) delete process.env.WHATSAPP_RESTORE_RECORD_DIR;
      else process.env.WHATSAPP_RESTORE_RECORD_DIR = this.saved;
    }
  }

  /** Performs an action; for an engine command, returns whether it succeeded. */
  async step(action: Action): Promise<boolean | undefined> {
    if (action.op === "fault") {
      this.world.inject((action.client % CLIENTS.length) as ClientIndex, action.fault);
      return undefined;
    }
    if (action.op === "drift") {
      const client = (action.client % CLIENTS.length) as ClientIndex;
      if (action.field === "media") return undefined;
      const path = action.field === "logLevel" ? "log_level" : "sent_status";
      this.world
        .client(client)
        .setSetting(
          path,
          path === "log_level" ? ["info", "warning", "error"][action.value % 3] : action.value % 2 === 0,
        );
      return undefined;
    }
    const call = engineCall(this.program, action);
    if (!call) {
      this.program = edit(this.program, action as Edit);
      return undefined;
    }
    const ok = await this.command(call.command, call.options);
    this.world.clearFaults();
    return ok;
  }

  async close(): Promise<void> {
    await this.world.close();
  }
}

function requestsSince(world: World, marks: number[]): string[][] {
  return CLIENTS.map((c) =>
    world
      .client(c)
      .journal.entries.slice(marks[c])
      .map((e) => `${e.method} ${e.path}`)
      .sort(),
  );
}

/** Runs a sequence on both paths; returns where they decided differently. */
export async function compareSequence(
  actions: readonly Action[],
  provider: ProviderKind = "dynamic",
): Promise<{ steps: number; mismatches: string[]; violations: string[] }> {
  const fast = await Sequence.start();
  const faithful = await FaithfulSequence.start(provider);
  const mismatches: string[] = [];
  try {
    for (const [index, action] of actions.entries()) {
      const fastMarks = CLIENTS.map((c) => fast.world.client(c).journal.entries.length);
      const faithfulMarks = CLIENTS.map((c) => faithful.world.client(c).journal.entries.length);
      const ok = await faithful.step(action);
      const faithfulRequests = requestsSince(faithful.world, faithfulMarks);
      await fast.step(action);
      // The fast path's own check after a successful up (a preview) sends nothing, and adds nothing here.
      const fastRequests = requestsSince(fast.world, fastMarks);
      if (ok !== undefined) {
        const fastOk = fast.lastResult?.ok;
        if (fastOk !== ok) {
          mismatches.push(
            `step ${index + 1} ${action.op}: the engine ${ok ? "succeeded" : "failed"}, the fast path ${fastOk ? "succeeded" : `failed: ${fast.lastResult?.failure}`}`,
          );
        }
      }
      for (const c of CLIENTS) {
        const a = JSON.stringify(faithfulRequests[c]);
        const b = JSON.stringify(fastRequests[c]);
        if (a !== b)
          mismatches.push(
            `step ${index + 1} ${JSON.stringify(action)}: client ${c} got ${a} from the engine, ${b} from the fast path`,
          );
      }
    }
    const violations = fast.outcome.violations.map((v) => `invariant ${v.invariant} after step ${v.step}: ${v.detail}`);
    return { steps: actions.length, mismatches, violations };
  } finally {
    await fast.close();
    await faithful.close();
  }
}

/** `npm run fuzz -- --faithful`: generated sequences on both paths, compared step by step. */
export async function faithfulRuns(options: {
  runs: number;
  seed: number;
  steps: number;
  heldOut: ReadonlySet<string>;
  provider?: ProviderKind;
}): Promise<number> {
  const generator = generatorOptions(options.heldOut);
  const samples = fc.sample(fc.array(actionArbitrary(generator), { minLength: 1, maxLength: options.steps }), {
    numRuns: options.runs,
    seed: options.seed,
  });
  const started = Date.now();
  let steps = 0;
  let differing = 0;
  let violations = 0;
  for (const actions of samples) {
    if (heldBack(actions, generator)) continue;
    const compared = await compareSequence(actions, options.provider);
    steps += compared.steps;
    violations += compared.violations.length;
    for (const line of compared.violations) console.log(`  ${line} (in ${JSON.stringify(actions)})`);
    if (compared.mismatches.length > 0) {
      differing += 1;
      console.log(`the paths decided differently on ${JSON.stringify(actions)}:`);
      for (const line of compared.mismatches) console.log(`  ${line}`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `seed ${options.seed}, faithful path (${options.provider ?? "dynamic"} provider), ${seconds.toFixed(1)} s, ${(samples.length / seconds).toFixed(2)} sequences/s`,
  );
  console.log(`${differing} sequences on which the fast path and the engine decided differently`);
  console.log(`${samples.length} sequences, ${steps} steps, ${violations} invariant violations`);
  return differing + violations > 0 ? 1 : 0;
}
