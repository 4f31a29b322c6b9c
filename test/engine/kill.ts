/**
 * The kill test: a whole example deployment (`examples/basic`, `examples/migrate-settings`), or
 * the second deployment of a program of the profile and account resources (`profile`: a new PIN,
 * a photo renamed without an alias, a new About text and description), against emulated clients,
 * its engine process and provider host SIGKILLed (by PID) right after one step boundary's
 * checkpoint write; then a plain `up` and a `refresh`. What must hold, for
 * every boundary: both succeed; the refresh finds state equal to every client (no change, nothing
 * gone); no resource a client holds is missing from state; no irreversible call was repeated.
 * Used by `kill.test.ts` (a few boundaries) and `scripts/engine-kill.ts` (all of them).
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../emulator/index";
import { call, login } from "../support/api";
import { ROOT } from "../support/packed";
import { copyExample, programOf } from "../support/program-dir";
import { loadCheckpoint, type ResourceState } from "./checkpoint";
import { type EngineOptions, type EngineResult, runEngine } from "./deployment";
import type { KillOrder } from "./kill-runner";
import { loadProject } from "./project";
import { reveal } from "./property-values";

export type KillExample = "basic" | "migrate-settings" | "profile";

interface Scenario {
  options: EngineOptions;
  /** A deployment made, whole, before the one that is killed. */
  before?: EngineOptions;
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
  "DELETE /v1/settings/account/two-step",
  "DELETE /v1/settings/profile/photo",
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

/** The program of `profile`: config `generation` 1 is the first deployment, 2 the one killed. */
const PROFILE_PROGRAM = `const pulumi = require("@pulumi/pulumi");
const ws = require("pulumi-whatsapp-settings");
const config = new pulumi.Config();
const second = config.require("generation") === "2";
new ws.TwoStepVerification("two-step", { pin: config.requireSecret(second ? "newPin" : "pin") });
new ws.ProfilePhoto(second ? "photo-v2" : "photo", { file: config.require(second ? "shopFile" : "logoFile") });
new ws.ProfileAbout("about", { text: second ? "Closed for the holidays" : "Open 9-17, Mon-Fri" });
new ws.BusinessProfile("business", { description: second ? "Fresh bread daily" : "Bikes and repairs" });
`;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

async function profile(): Promise<Scenario> {
  const a = await startEmulator({ https: true });
  const program = programOf({ "Pulumi.yaml": "name: profile-kill\nruntime: nodejs\n", "index.js": PROFILE_PROGRAM });
  const image = (name: string, fill: number) => {
    const path = join(program.dir, name);
    writeFileSync(path, Buffer.concat([Buffer.from(PNG), Buffer.alloc(56, fill)]));
    return path;
  };
  const config = {
    "whatsapp:baseUrl": a.url,
    "whatsapp:username": "admin",
    "whatsapp:caCert": a.caCert as string,
    logoFile: image("logo.png", 1),
    shopFile: image("shop.png", 2),
  };
  const secrets = { "whatsapp:password": a.adminPassword, pin: "730519", newPin: "264801" };
  return {
    options: { dir: program.dir, config: { ...config, generation: "2" }, secrets },
    before: { dir: program.dir, config: { ...config, generation: "1" }, secrets },
    clients: [a],
    irreversible: counter([a]),
    // The renamed photo's create comes first; the old one's delete leaves the photo to it.
    allowed: {},
    async held() {
      const held: string[] = [];
      if (a.twoStepEnabled) held.push("TwoStepVerification");
      if (a.photo !== null) held.push("ProfilePhoto");
      return held;
    },
    close: () => a.close(),
  };
}

const SCENARIOS: Record<KillExample, () => Promise<Scenario>> = {
  basic,
  "migrate-settings": migrate,
  profile,
};

/** The deployment a scenario makes before the killed one, which must succeed. */
async function prepare(scenario: Scenario): Promise<void> {
  if (!scenario.before) return;
  const result = await runEngine("up", scenario.before);
  if (!result.ok) throw new Error(`the deployment before: ${result.diagnostics.map((d) => d.message).join("; ")}`);
}

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
  /**
   * What the kill left: the checkpoint's resources and pending operations, what the clients held
   * that the checkpoint did not name, and the irreversible calls sent by then; then the
   * irreversible calls after the following up and refresh.
   */
  left: { state: string[]; pending: string[]; unrecorded: string[]; irreversible: Record<string, number> };
  irreversibleAfter: Record<string, number>;
  /** What went against the rules; empty when the boundary is survived. */
  problems: string[];
  up?: EngineResult;
  refresh?: EngineResult;
}

/** Whether a state names what a client holds (`<type>` or `<type> <provider name>`). */
function recorded(resources: readonly ResourceState[], held: string): boolean {
  const [type, name] = held.split(" ");
  return resources.some((r) => r.type.endsWith(`:${type}`) && (name === undefined || reveal(r.outputs.name) === name));
}

/** The boundaries a whole `up` of the example writes, from a run that is not killed. */
export async function boundariesOf(example: KillExample): Promise<string[]> {
  const scenario = await SCENARIOS[example]();
  try {
    await prepare(scenario);
    return (await runInProcess({ command: "up", options: scenario.options })).boundaries;
  } finally {
    await scenario.close();
  }
}

/** One kill: the example's `up` killed at `killAt`, then `up` and `refresh`, checked. */
export async function killAndRecover(example: KillExample, killAt: string | number): Promise<KillOutcome> {
  const scenario = await SCENARIOS[example]();
  try {
    await prepare(scenario);
    const { killed } = await runInProcess({ command: "up", options: scenario.options, killAt });
    const afterKill = loadCheckpoint(
      scenario.options.stateFile ?? join(scenario.options.dir, ".pulumi-state", "dev.json"),
      loadProject(scenario.options.dir).name,
      "dev",
    );
    const named = (r: { type: string; name: string }) => `${r.type.split(":").pop()} ${r.name}`;
    const left = {
      state: afterKill.resources.filter((r) => r.custom).map(named),
      pending: (afterKill.pendingOperations ?? []).map((op) => `${op.type} ${named(op.resource)}`),
      unrecorded: (await scenario.held()).filter((held) => !recorded(afterKill.resources, held)),
      irreversible: scenario.irreversible(),
    };
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
    const inState = refresh.checkpoint.resources.map(named);
    for (const held of await scenario.held()) {
      if (!recorded(refresh.checkpoint.resources, held)) {
        problems.push(`${held} is on a client but not in state (${inState.join(", ")})`);
      }
    }
    const irreversibleAfter = scenario.irreversible();
    for (const [route, count] of Object.entries(irreversibleAfter)) {
      if (count > (scenario.allowed[route] ?? 0)) problems.push(`${route} sent ${count} times`);
    }
    return { example, killAt, killed, left, irreversibleAfter, problems, up, refresh };
  } finally {
    await scenario.close();
  }
}
