/**
 * The product doing its job, end to end: `examples/basic` (the application settings and two media
 * providers) from the packed package, run through Pulumi's dynamic-provider host against an
 * embedded emulator, as the steps of `DEMO_STEPS`: preview → up → change → preview → up → refresh
 * → preview → up (the drift put back) → destroy. `npm start` prints it; the e2e suite asserts on it, step by step.
 */

import { type Emulator, startEmulator } from "../test/emulator/index";
import { type Command, type EngineResult, runEngine, type StepEvent } from "../test/engine/deployment";
import type { PropertyChange } from "../test/engine/step-rules";
import { changeLine, diagnosticLine, display } from "../test/engine/summary";
import { copyExample } from "../test/support/program-dir";

export interface DemoOptions {
  log: (line: string) => void;
  color: boolean;
  /** Leave the emulator running when done (for poking with curl). */
  keep?: boolean;
}

/** What one step printed, and the engine run behind it. */
export interface DemoStepOutput {
  title: string;
  /** The lines printed under the step's heading. */
  lines: string[];
  run: EngineResult;
}

export interface DemoResult {
  emulator: Emulator;
  /** One per entry of `DEMO_STEPS`, in order. */
  steps: DemoStepOutput[];
}

/** The program's secret stack config, as README's `pulumi config set --secret` lines set it. */
export const DEMO_SECRETS = {
  webhookUrl: "https://hooks.example.com/whatsapp?auth=demo-shared-secret",
  cdnToken: "demo-cdn-bearer-token",
  imagesPassword: "demo-images-password",
} as const;

const RESTART_KEYS = new Set(["restartRequired", "restartRequiredFields"]);

function paint(enabled: boolean) {
  const wrap = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { green: wrap(32), yellow: wrap(33), red: wrap(31), bold: wrap(1), dim: wrap(2), cyan: wrap(36) };
}

type Paint = ReturnType<typeof paint>;

/** What a step's `after` gets: the client, the run that just finished, and the demo's output. */
export interface DemoContext {
  emulator: Emulator;
  result: EngineResult;
  log: (line: string) => void;
  c: Paint;
}

export interface DemoStep {
  /** The heading after the step's number; unique, so a test finds the step by it. */
  title: string;
  /** Stack config changed before the command, as `pulumi config set` would. */
  config?: Record<string, string>;
  /** Done on the client by hand before the command (drift). */
  onClient?: (emulator: Emulator) => void;
  command: Command;
  /** What to show once the command is done, and a Coreapp restart when one is due. */
  after?: (context: DemoContext) => Promise<void> | void;
}

/** A Coreapp restart, as `docker restart` would do it, once the restart-required changes are in. */
async function restartCoreapp({ emulator, log, c }: DemoContext): Promise<void> {
  await emulator.restart();
  log(c.dim("    (Coreapp restarted, as `docker restart` would)"));
}

export const DEMO_STEPS: readonly DemoStep[] = [
  { title: "pulumi preview", command: "preview" },
  {
    title: "pulumi up",
    command: "up",
    after: async (context) => {
      const settings = context.result.checkpoint.resources.find((r) => r.name === "whatsapp-settings");
      context.log(`    client now: restartRequiredFields ${JSON.stringify(settings?.outputs.restartRequiredFields)}`);
      context.log(`    stack output mediaProviders: ${display(context.result.outputs.mediaProviders)}`);
      await restartCoreapp(context);
    },
  },
  {
    title: "change the program: maxConcurrentRequests 12, logLevel error; pulumi preview",
    config: { maxConcurrentRequests: "12", logLevel: "error" },
    command: "preview",
  },
  {
    title: "pulumi up (applies the change)",
    command: "up",
    after: async (context) => {
      const pending = context.emulator.pendingRestart().join(", ");
      context.log(context.c.yellow(`    pending a Coreapp restart on the client: ${pending}`));
      await restartCoreapp(context);
    },
  },
  {
    title: "someone changes callback_backoff_delay_ms on the client by hand; pulumi refresh",
    onClient: (emulator) => emulator.setSetting("callback_backoff_delay_ms", 5000),
    command: "refresh",
  },
  { title: "pulumi preview (the program puts it back)", command: "preview" },
  { title: "pulumi up (puts it back)", command: "up" },
  {
    title: "pulumi destroy (resets the client to its defaults, deletes both media providers)",
    command: "destroy",
    after: ({ emulator, log }) => {
      log(
        `    client now: log_level ${JSON.stringify(emulator.getSetting("log_level"))}, ` +
          `webhooks.max_concurrent_requests ${JSON.stringify(emulator.getSetting("webhooks.max_concurrent_requests"))}, ` +
          `webhooks.url ${emulator.getSetting("webhooks.url") ? "set" : "cleared"}`,
      );
    },
  },
];

/** The restart-required fields a step's checked inputs name. */
function restartFields(step: StepEvent): string[] {
  const change = step.changes.find((c) => c.path === "restartRequiredFields");
  return Array.isArray(change?.after) ? (change.after as string[]) : [];
}

/** `pulumi preview --diff`-style lines; restart-required settings are marked. */
function diffLines(changes: PropertyChange[], restart: string[], c: Paint): string[] {
  const restartNote = (path: string) =>
    restart.some((r) => r === path || r.startsWith(`${path}.`)) ? c.yellow("  (needs a Coreapp restart)") : "";
  return changes
    .filter((change) => !RESTART_KEYS.has(change.path) && change.path !== "__provider")
    .map((change) => {
      const line = `      ${changeLine(change)}`;
      const color = change.kind === "+" ? c.green : change.kind === "-" ? c.red : c.yellow;
      return color(line) + (change.kind === "-" ? "" : restartNote(change.path));
    });
}

const SYMBOLS = { create: "+", update: "~", replace: "+-", delete: "-" } as const;

/** A run as `pulumi` prints it: changed resources only (unchanged ones are not shown), then warnings. */
function runLines(result: EngineResult, c: Paint): string[] {
  const color = { create: c.green, update: c.yellow, replace: c.red, delete: c.red } as const;
  const lines: string[] = [];
  for (const s of result.steps) {
    if (s.type === "pulumi:pulumi:Stack" || s.op === "same" || s.op === "read" || s.op === "import") continue;
    if (s.op === "refresh") {
      lines.push(...diffLines(s.changes, [], c));
      continue;
    }
    const restart = restartFields(s);
    lines.push(`    ${color[s.op](SYMBOLS[s.op])} ${s.type} ${s.name} ${s.op}`);
    lines.push(...diffLines(s.changes, restart, c));
    if (restart.length > 0) lines.push(c.yellow(`    restartRequiredFields: ${restart.join(", ")}`));
  }
  for (const d of result.diagnostics)
    if (d.severity === "warning" || d.severity === "error") lines.push(diagnosticLine(d));
  return lines;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const c = paint(options.color);
  const steps: DemoStepOutput[] = [];
  let current: string[] | undefined;
  const log = (line: string) => {
    current?.push(line);
    options.log(line);
  };
  const emulator = await startEmulator({ https: true });
  const program = copyExample("basic");
  // The client's connection lives in the provider's namespace: stack config, as README's `pulumi config set` lines.
  const clientConfig = {
    "whatsapp:baseUrl": emulator.url,
    "whatsapp:username": "admin",
    "whatsapp:caCert": emulator.caCert as string,
  };
  const secrets = { "whatsapp:password": emulator.adminPassword, ...DEMO_SECRETS };
  let config: Record<string, string> = {
    ...clientConfig,
    maxConcurrentRequests: "6",
    logLevel: "warning",
    imagesUsername: "media",
  };

  let mark = 0;
  const requests = () => {
    const sent = emulator.journal.entries.slice(mark);
    mark = emulator.journal.entries.length;
    if (sent.length === 0) return [c.dim("    requests sent: none")];
    return [
      c.dim(`    requests sent: ${sent.length}`),
      ...sent.map((r) =>
        c.dim(`      ${r.method} ${r.path} → ${r.status}${r.body === undefined ? "" : ` ${JSON.stringify(r.body)}`}`),
      ),
    ];
  };

  log(c.cyan(`Emulated WhatsApp Business API client ${emulator.version} at ${emulator.url}`));
  log(c.dim("Running examples/basic with Pulumi's program runner and dynamic-provider host, and this"));
  log(c.dim("repository's engine stand-in between them (`npm run engine`; no Pulumi CLI is needed)."));
  try {
    for (const [index, step] of DEMO_STEPS.entries()) {
      log("");
      log(c.bold(`[${index + 1}/${DEMO_STEPS.length}] ${step.title}`));
      current = [];
      if (step.config) config = { ...config, ...step.config };
      step.onClient?.(emulator);
      const result = await runEngine(step.command, { dir: program.dir, config, secrets });
      for (const line of runLines(result, c)) log(line);
      if (!result.ok) {
        throw new Error(`${step.command} failed: ${result.diagnostics.map((d) => d.message).join("; ")}`);
      }
      for (const line of requests()) log(line);
      await step.after?.({ emulator, result, log, c });
      // What `after` did on the client is not the next step's.
      mark = emulator.journal.entries.length;
      steps.push({ title: step.title, lines: current, run: result });
      current = undefined;
    }
    log("");
    log(c.green(`Done: ${steps.length} steps, ${emulator.journal.count()} requests to the client.`));
    return { emulator, steps };
  } finally {
    if (!options.keep) await emulator.close();
  }
}
