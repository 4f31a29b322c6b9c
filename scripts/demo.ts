/**
 * The product doing its job, end to end: `examples/basic` from the packed package, run through
 * Pulumi's dynamic-provider host against an embedded emulator, as preview → up → change →
 * preview → up → refresh → destroy. `npm start` prints it; the e2e suite asserts on it.
 */
import { type Change, Deployment, type Plan } from "../test/e2e/engine";
import { exampleProgram } from "../test/e2e/example-program";
import { runMockedProgram } from "../test/e2e/mocked-program";
import { ProviderHost } from "../test/e2e/provider-host";
import { type Emulator, startEmulator } from "../test/emulator/index";

export interface DemoOptions {
  log: (line: string) => void;
  color: boolean;
  /** Leave the emulator running when done (for poking with curl). */
  keep?: boolean;
}

export interface DemoResult {
  emulator: Emulator;
  deployment: Deployment;
  steps: string[];
}

const PROJECT = "whatsapp-settings-basic";
const WEBHOOK = "https://hooks.example.com/whatsapp?auth=demo-shared-secret";

function paint(enabled: boolean) {
  const wrap = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { green: wrap(32), yellow: wrap(33), red: wrap(31), bold: wrap(1), dim: wrap(2), cyan: wrap(36) };
}

function show(value: unknown, secret: boolean): string {
  return secret ? "[secret]" : JSON.stringify(value);
}

/** `pulumi preview --diff`-style lines; restart-required settings are marked. */
function diffLines(changes: Change[], restart: string[], c: ReturnType<typeof paint>): string[] {
  const restartNote = (path: string) =>
    restart.some((r) => r === path || r.startsWith(`${path}.`)) ? c.yellow("  (needs a Coreapp restart)") : "";
  return changes.map((change) => {
    if (change.kind === "+")
      return c.green(`      + ${change.path}: ${show(change.after, change.secret)}`) + restartNote(change.path);
    if (change.kind === "-") return c.red(`      - ${change.path}: ${show(change.before, change.secret)}`);
    return (
      c.yellow(
        `      ~ ${change.path}: ${show(change.before, change.secret)} => ${show(change.after, change.secret)}`,
      ) + restartNote(change.path)
    );
  });
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const c = paint(options.color);
  const log = options.log;
  const steps: string[] = [];
  const emulator = await startEmulator({ https: true });
  const dir = exampleProgram("basic");
  const stackConfig = {
    "whatsapp:baseUrl": emulator.url,
    "whatsapp:username": "admin",
    "whatsapp:password": emulator.adminPassword,
    "whatsapp:caCert": emulator.caCert as string,
  };
  const register = (config: Record<string, string>) => {
    const program = Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v]));
    const registrations = runMockedProgram(dir, "./index.js", {
      PROJECT,
      PULUMI_CONFIG: JSON.stringify({ ...program, ...stackConfig }),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify([`${PROJECT}:webhookUrl`, "whatsapp:password"]),
    });
    const [registration] = registrations;
    if (!registration) throw new Error("examples/basic registered no resource");
    return registration;
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
  let stepNumber = 0;
  const step = (title: string) => {
    stepNumber += 1;
    steps.push(title);
    log("");
    log(c.bold(`[${stepNumber}/8] ${title}`));
  };
  const planLines = (plan: Plan) => {
    const symbol = { create: c.green("+"), update: c.yellow("~"), replace: c.red("+-"), same: " " }[plan.operation];
    log(`    ${symbol} whatsapp:ApplicationSettings whatsapp-settings ${plan.operation}`);
    for (const line of diffLines(plan.changes, plan.restartRequiredFields, c)) log(line);
    if (plan.restartRequiredFields.length > 0) {
      log(c.yellow(`    restartRequiredFields: ${plan.restartRequiredFields.join(", ")}`));
    }
  };

  // Every pulumi command starts its own provider process; so does every step here.
  let host: ProviderHost | undefined;
  const fresh = async (): Promise<ProviderHost> => {
    await host?.close();
    host = await ProviderHost.start(dir);
    await host.configure(stackConfig);
    return host;
  };
  log(c.cyan(`Emulated WhatsApp Business API client ${emulator.version} at ${emulator.url}`));
  log(c.dim("Driving examples/basic from the packed package through Pulumi's dynamic-provider host over gRPC"));
  log(c.dim("(the engine's side of `pulumi preview/up/refresh/destroy`; no Pulumi CLI is needed)."));
  try {
    const first = register({ webhookUrl: WEBHOOK, maxConcurrentRequests: "6", logLevel: "warning" });
    const deployment = new Deployment(first, PROJECT);

    step("pulumi preview");
    planLines(await deployment.preview(await fresh(), first));
    for (const line of requests()) log(line);

    step("pulumi up");
    const created = await deployment.up(await fresh(), first);
    planLines(created);
    for (const line of requests()) log(line);
    log(`    client now: restartRequiredFields ${JSON.stringify(deployment.state?.outputs.restartRequiredFields)}`);
    await emulator.restart();
    log(c.dim("    (Coreapp restarted, as `docker restart` would)"));
    mark = emulator.journal.entries.length;

    step("change the program: maxConcurrentRequests 12, logLevel error; pulumi preview");
    const second = register({ webhookUrl: WEBHOOK, maxConcurrentRequests: "12", logLevel: "error" });
    planLines(await deployment.preview(await fresh(), second));
    for (const line of requests()) log(line);

    step("pulumi up");
    planLines(await deployment.up(await fresh(), second));
    for (const line of requests()) log(line);
    log(c.yellow(`    pending a Coreapp restart on the client: ${emulator.pendingRestart().join(", ")}`));
    await emulator.restart();
    log(c.dim("    (Coreapp restarted)"));
    mark = emulator.journal.entries.length;

    step("someone changes callback_backoff_delay_ms on the client by hand; pulumi refresh");
    emulator.setSetting("callback_backoff_delay_ms", 5000);
    for (const line of diffLines(await deployment.refresh(await fresh()), [], c)) log(line);
    for (const line of requests()) log(line);

    step("pulumi preview (the program puts it back)");
    planLines(await deployment.preview(await fresh(), second));
    for (const line of requests()) log(line);

    step("pulumi up");
    planLines(await deployment.up(await fresh(), second));
    for (const line of requests()) log(line);

    step("pulumi destroy (resets the client to its defaults)");
    await deployment.destroy(await fresh());
    log(`    ${c.red("-")} whatsapp:ApplicationSettings whatsapp-settings delete`);
    for (const line of requests()) log(line);
    log(
      `    client now: log_level ${JSON.stringify(emulator.getSetting("log_level"))}, ` +
        `webhooks.max_concurrent_requests ${JSON.stringify(emulator.getSetting("webhooks.max_concurrent_requests"))}, ` +
        `webhooks.url ${emulator.getSetting("webhooks.url") ? "set" : "cleared"}`,
    );
    log("");
    log(c.green(`Done: ${steps.length} steps, ${emulator.journal.count()} requests to the client.`));
    return { emulator, deployment, steps };
  } finally {
    await host?.close();
    if (!options.keep) await emulator.close();
  }
}
