/**
 * The product doing its job, end to end: `examples/basic` from the packed package, run through
 * Pulumi's dynamic-provider host against an embedded emulator, as preview → up → change →
 * preview → up → refresh → destroy. `npm start` prints it; the e2e suite asserts on it.
 */

import { type Emulator, startEmulator } from "../test/emulator/index";
import { type EngineResult, runEngine, type StepEvent } from "../test/engine/deployment";
import type { PropertyChange } from "../test/engine/step-rules";
import { changeLine, diagnosticLine } from "../test/engine/summary";
import { copyExample } from "../test/support/program-dir";

export interface DemoOptions {
  log: (line: string) => void;
  color: boolean;
  /** Leave the emulator running when done (for poking with curl). */
  keep?: boolean;
}

export interface DemoResult {
  emulator: Emulator;
  steps: string[];
  /** Each engine run, in order. */
  runs: EngineResult[];
}

const WEBHOOK = "https://hooks.example.com/whatsapp?auth=demo-shared-secret";
const RESTART_KEYS = new Set(["restartRequired", "restartRequiredFields"]);

function paint(enabled: boolean) {
  const wrap = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { green: wrap(32), yellow: wrap(33), red: wrap(31), bold: wrap(1), dim: wrap(2), cyan: wrap(36) };
}

/** The restart-required fields a step's checked inputs name. */
function restartFields(step: StepEvent): string[] {
  const change = step.changes.find((c) => c.path === "restartRequiredFields");
  return Array.isArray(change?.after) ? (change.after as string[]) : [];
}

/** `pulumi preview --diff`-style lines; restart-required settings are marked. */
function diffLines(changes: PropertyChange[], restart: string[], c: ReturnType<typeof paint>): string[] {
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

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const c = paint(options.color);
  const log = options.log;
  const steps: string[] = [];
  const runs: EngineResult[] = [];
  const emulator = await startEmulator({ https: true });
  const program = copyExample("basic");
  // The client's connection lives in the provider's namespace: stack config, as README's `pulumi config set` lines.
  const clientConfig = {
    "whatsapp:baseUrl": emulator.url,
    "whatsapp:username": "admin",
    "whatsapp:caCert": emulator.caCert as string,
  };
  const secrets = { "whatsapp:password": emulator.adminPassword, webhookUrl: WEBHOOK };
  let config: Record<string, string> = { ...clientConfig, maxConcurrentRequests: "6", logLevel: "warning" };

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
  let stepNumber = 0;
  const step = (title: string) => {
    stepNumber += 1;
    steps.push(title);
    log("");
    log(c.bold(`[${stepNumber}/8] ${title}`));
  };
  const symbols = { create: c.green("+"), update: c.yellow("~"), replace: c.red("+-"), same: " ", delete: c.red("-") };
  const engine = async (command: "preview" | "up" | "refresh" | "destroy") => {
    const result = await runEngine(command, { dir: program.dir, config, secrets });
    runs.push(result);
    for (const s of result.steps) {
      if (s.type === "pulumi:pulumi:Stack") continue;
      if (s.op === "refresh") {
        for (const line of diffLines(s.changes, [], c)) log(line);
        continue;
      }
      const restart = restartFields(s);
      log(`    ${symbols[s.op]} ${s.type} ${s.name} ${s.op}`);
      for (const line of diffLines(s.changes, restart, c)) log(line);
      if (restart.length > 0) log(c.yellow(`    restartRequiredFields: ${restart.join(", ")}`));
    }
    for (const d of result.diagnostics) if (d.severity === "warning" || d.severity === "error") log(diagnosticLine(d));
    if (!result.ok) throw new Error(`${command} failed: ${result.diagnostics.map((d) => d.message).join("; ")}`);
    for (const line of requests()) log(line);
    return result;
  };

  log(c.cyan(`Emulated WhatsApp Business API client ${emulator.version} at ${emulator.url}`));
  log(c.dim("Running examples/basic with Pulumi's program runner and dynamic-provider host, and this"));
  log(c.dim("repository's engine stand-in between them (`npm run engine`; no Pulumi CLI is needed)."));
  try {
    step("pulumi preview");
    await engine("preview");

    step("pulumi up");
    const created = await engine("up");
    const settings = created.checkpoint.resources.find((r) => r.name === "whatsapp-settings");
    log(`    client now: restartRequiredFields ${JSON.stringify(settings?.outputs.restartRequiredFields)}`);
    await emulator.restart();
    log(c.dim("    (Coreapp restarted, as `docker restart` would)"));
    mark = emulator.journal.entries.length;

    step("change the program: maxConcurrentRequests 12, logLevel error; pulumi preview");
    config = { ...config, maxConcurrentRequests: "12", logLevel: "error" };
    await engine("preview");

    step("pulumi up");
    await engine("up");
    log(c.yellow(`    pending a Coreapp restart on the client: ${emulator.pendingRestart().join(", ")}`));
    await emulator.restart();
    log(c.dim("    (Coreapp restarted)"));
    mark = emulator.journal.entries.length;

    step("someone changes callback_backoff_delay_ms on the client by hand; pulumi refresh");
    emulator.setSetting("callback_backoff_delay_ms", 5000);
    await engine("refresh");

    step("pulumi preview (the program puts it back)");
    await engine("preview");

    step("pulumi up");
    await engine("up");

    step("pulumi destroy (resets the client to its defaults)");
    await engine("destroy");
    log(
      `    client now: log_level ${JSON.stringify(emulator.getSetting("log_level"))}, ` +
        `webhooks.max_concurrent_requests ${JSON.stringify(emulator.getSetting("webhooks.max_concurrent_requests"))}, ` +
        `webhooks.url ${emulator.getSetting("webhooks.url") ? "set" : "cleared"}`,
    );
    log("");
    log(c.green(`Done: ${steps.length} steps, ${emulator.journal.count()} requests to the client.`));
    return { emulator, steps, runs };
  } finally {
    if (!options.keep) await emulator.close();
  }
}
