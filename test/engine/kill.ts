/**
 * The kill test: a whole example deployment (`examples/basic`, `examples/migrate-settings`)
 * against emulated clients, its engine process and provider host SIGKILLed (by PID) right after
 * one step boundary's checkpoint write; then a plain `up` and a `refresh`. What must hold, for
 * every boundary: both succeed; the refresh finds state equal to every client (no change, nothing
 * gone); no resource a client holds is missing from state; no irreversible call was repeated.
 * Used by `kill.test.ts` (a few boundaries) and `scripts/engine-kill.ts` (all of them).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../emulator/index";
import { call, login } from "../support/api";
import { ROOT } from "../support/packed";
import { copyExample } from "../support/program-dir";
import { type EngineOptions, type EngineResult, runEngine } from "./deployment";
import type { KillOrder } from "./kill-runner";

export type KillExample = "basic" | "migrate-settings";

interface Scenario {
  options: EngineOptions;
  clients: Emulator[];
  /** Irreversible requests each client received so far, by route. */
  irreversible(): Record<string, number>;
  /** Most of each irreversible call a whole deployment may make (a clean run's count). */
  allowed: Record<string, number>;
  /** What the clients hold that state must name: `<type> <name>` entries. */
  held(): Promise<string[]>;
  close(): Promise<void>;
}

const IRREVERSIBLE = [
  "DELETE /v1/settings/application",
  "POST /v1/settings/restore",
  "DELETE /v1/settings/application/media/providers",
];

function counter(clients: Emulator[]): () => Record<string, number> {
  return () => {
    const counts: Record<string, number> = {};
    clients.forEach((client, index) => {
      for (const route of IRREVERSIBLE) {
        const count = client.journal.filter().filter((e) => `${e.method} ${e.path}`.startsWith(route)).length;
        if (count > 0) counts[`client ${index}: ${route}`] = count;
      }
    });
    return counts;
  };
}

async function basic(): Promise<Scenario> {
  const a = await startEmulator({ https: true });
  const program = copyExample("basic");
  const options: EngineOptions = {
    dir: program.dir,
    config: {
      "whatsapp:baseUrl": a.url,
      "whatsapp:username": "admin",
      "whatsapp:caCert": a.caCert as string,
      logLevel: "warning",
      imagesUsername: "media",
    },
    secrets: {
      "whatsapp:password": a.adminPassword,
      webhookUrl: "https://hooks.example.com/whatsapp?auth=kill-test-secret",
      cdnToken: "Cdn-Bearer-kill-1",
      imagesPassword: "Images-Basic-kill-2",
    },
  };
  return {
    options,
    clients: [a],
    irreversible: counter([a]),
    allowed: {},
    async held() {
      const reply = await call(a, "GET", "/v1/settings/application/media/providers", { token: await login(a) });
      const names = ((reply.json as { settings?: { application?: { media?: { providers?: unknown } } } })?.settings
        ?.application?.media?.providers ?? []) as Array<{ name: string }>;
      const held = names.map((p) => `MediaProvider ${p.name}`);
      if (a.getSetting("webhooks.url")) held.push("ApplicationSettings");
      return held;
    },
    close: () => a.close(),
  };
}

async function migrate(): Promise<Scenario> {
  const old = await startEmulator({ https: true, waId: "15550001111" });
  const fresh = await startEmulator({ https: true, waId: null });
  const program = copyExample("migrate-settings");
  const options: EngineOptions = {
    dir: program.dir,
    config: {
      oldBaseUrl: old.url,
      oldCaCert: old.caCert as string,
      newBaseUrl: fresh.url,
      newCaCert: fresh.caCert as string,
      healthTimeoutMs: "5000",
    },
    secrets: {
      oldPassword: old.adminPassword,
      newPassword: fresh.adminPassword,
      backupPassword: "Backup-Passw0rd!",
      webhookUrl: "https://hooks.example.com/new?auth=kill-test-secret",
    },
  };
  return {
    options,
    clients: [old, fresh],
    irreversible: counter([old, fresh]),
    allowed: { "client 1: POST /v1/settings/restore": 1 },
    async held() {
      const held: string[] = [];
      if (fresh.journal.count("POST /v1/settings/restore") > 0) held.push("SettingsRestore");
      if (fresh.getSetting("webhooks.url")) held.push("ApplicationSettings");
      return held;
    },
    close: async () => {
      await old.close();
      await fresh.close();
    },
  };
}

const SCENARIOS: Record<KillExample, () => Promise<Scenario>> = { basic, "migrate-settings": migrate };

/** Runs one engine command in its own process; with `killAt`, it dies there. The boundaries it wrote. */
export function runInProcess(order: KillOrder): Promise<{ boundaries: string[]; killed: boolean; ok: boolean }> {
  const child = spawn(process.execPath, [join(ROOT, "dist/test/engine/kill-runner.js")], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stdin.end(JSON.stringify(order));
  return new Promise((resolve) => {
    child.once("close", (_code, signal) => {
      resolve({
        boundaries: out.split("\n").filter((l) => l && !l.startsWith("done ")),
        killed: signal === "SIGKILL",
        ok: out.includes("\ndone true\n") || out.startsWith("done true\n"),
      });
    });
  });
}

export interface KillOutcome {
  example: KillExample;
  killAt: string | number;
  killed: boolean;
  /** What went against the rules; empty when the boundary is survived. */
  problems: string[];
  up?: EngineResult;
  refresh?: EngineResult;
}

/** The boundaries a whole `up` of the example writes, from a run that is not killed. */
export async function boundariesOf(example: KillExample): Promise<string[]> {
  const scenario = await SCENARIOS[example]();
  try {
    return (await runInProcess({ command: "up", options: scenario.options })).boundaries;
  } finally {
    await scenario.close();
  }
}

/** One kill: the example's `up` killed at `killAt`, then `up` and `refresh`, checked. */
export async function killAndRecover(example: KillExample, killAt: string | number): Promise<KillOutcome> {
  const scenario = await SCENARIOS[example]();
  try {
    const { killed } = await runInProcess({ command: "up", options: scenario.options, killAt });
    const problems: string[] = [];
    if (!killed) problems.push(`the run was not killed at ${killAt}`);
    const up = await runEngine("up", scenario.options);
    if (!up.ok) problems.push(`up after the kill failed: ${up.diagnostics.map((d) => d.message).join("; ")}`);
    const refresh = await runEngine("refresh", scenario.options);
    if (!refresh.ok) problems.push(`refresh failed: ${refresh.diagnostics.map((d) => d.message).join("; ")}`);
    for (const step of refresh.steps) {
      if (step.gone) problems.push(`refresh found ${step.name} gone from its client`);
      else if (step.changes.length > 0) {
        problems.push(`refresh found ${step.name} differing from its client: ${step.changes.map((c) => c.path)}`);
      }
    }
    const inState = refresh.checkpoint.resources.map((r) => `${r.type.split(":").pop()} ${r.name}`);
    const types = refresh.checkpoint.resources.map((r) => r.type.split(":").pop());
    for (const held of await scenario.held()) {
      const [type, name] = held.split(" ");
      const found = name
        ? refresh.checkpoint.resources.some((r) => r.type.endsWith(`:${type}`) && r.outputs.name === name)
        : types.includes(type);
      if (!found) problems.push(`${held} is on a client but not in state (${inState.join(", ")})`);
    }
    for (const [route, count] of Object.entries(scenario.irreversible())) {
      if (count > (scenario.allowed[route] ?? 0)) problems.push(`${route} sent ${count} times`);
    }
    return { example, killAt, killed, problems, up, refresh };
  } finally {
    await scenario.close();
  }
}
