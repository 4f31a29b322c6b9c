/**
 * `npm run bench`: what the provider costs and how it scales, against emulators on loopback with
 * 20 ms of latency per request, side by side with what a user would otherwise do. Prints a
 * markdown table and writes bench/results.json. Absolute times depend on the machine; the
 * ratios are computed within one run.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import * as settingsProvider from "../provider/settings/provider";
import { runMockedProgram } from "../test/e2e/mocked-program";
import { ProviderHost } from "../test/e2e/provider-host";
import { type Emulator, startEmulator } from "../test/emulator/index";
import { packedProgram, ROOT } from "../test/support/packed";

const LATENCY_MS = 20;
const URN = "urn:pulumi:bench::bench::pulumi-nodejs:dynamic/whatsapp:ApplicationSettings::settings";
const PROGRAM = `
const ws = require("pulumi-whatsapp-settings");
new ws.ApplicationSettings("settings", { sentStatus: true, connection: { baseUrl: "https://x", username: "admin", password: "x" } });
`;
const WANTED = {
  sentStatus: true,
  logLevel: "warning",
  callbackBackoffDelayMs: 4000,
  webhooks: { url: "https://hooks.example.com/bench", maxConcurrentRequests: 12 },
};

type Props = Record<string, unknown>;

interface Row {
  name: string;
  value: string;
  target?: string;
  met?: boolean;
}

const rows: Row[] = [];
const results: Record<string, unknown> = {};

function record(key: string, name: string, value: number, unit: string, target?: { text: string; met: boolean }) {
  results[key] = value;
  rows.push({
    name,
    value: `${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`.trim(),
    ...(target ? { target: target.text, met: target.met } : {}),
  });
}

async function emulators(count: number): Promise<Emulator[]> {
  const list = await Promise.all(Array.from({ length: count }, () => startEmulator({ https: true })));
  for (const e of list) e.faults.setLatency({ fixedMs: LATENCY_MS });
  return list;
}

function connection(e: Emulator) {
  return { baseUrl: e.url, username: "admin", password: e.adminPassword, caCert: e.caCert };
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function limit<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** One `pulumi up` of N resources, each with its own connection, through one provider host. */
async function fleetUp(dir: string, provider: string, fleet: Emulator[], concurrency: number) {
  const host = await ProviderHost.start(dir);
  await host.configure({});
  // Load the provider first (the engine's first check does): loading is cold start, measured apart.
  await host.check(URN, {}, { __provider: provider, connection: connection(fleet[0] as Emulator), ...WANTED });
  const started = performance.now();
  await limit(fleet, concurrency, async (e) => {
    const news = { __provider: provider, connection: connection(e), ...WANTED };
    const checked = await host.check(URN, {}, news);
    await host.create(URN, checked.inputs);
  });
  const wallMs = performance.now() - started;
  const rss = peakRssMb(host.process.pid as number);
  await host.close();
  return { wallMs, rss };
}

async function loginAndPatch(e: Emulator, agent: Agent): Promise<void> {
  const basic = Buffer.from(`admin:${e.adminPassword}`).toString("base64");
  const login = await request(`${e.url}/v1/users/login`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}` },
    dispatcher: agent,
  });
  const token = ((await login.body.json()) as { users: Array<{ token: string }> }).users[0]?.token;
  const patch = await request(`${e.url}/v1/settings/application`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      sent_status: true,
      log_level: "warning",
      callback_backoff_delay_ms: 4000,
      webhooks: { url: "https://hooks.example.com/bench", max_concurrent_requests: 12 },
    }),
    dispatcher: agent,
  });
  await patch.body.text();
}

function reset(fleet: Emulator[]) {
  for (const e of fleet) {
    for (const [path, value] of [
      ["sent_status", false],
      ["log_level", "info"],
      ["callback_backoff_delay_ms", 3000],
      ["webhooks.url", ""],
      ["webhooks.max_concurrent_requests", 6],
    ] as const) {
      e.setSetting(path, value);
    }
    e.journal.clear();
    e.revokeTokens();
  }
}

async function main(): Promise<void> {
  const runStarted = performance.now();
  const dir = packedProgram({ "index.js": PROGRAM });
  const [registration] = runMockedProgram(dir);
  const provider = registration?.inputs.__provider as string;

  // 1. Requests per lifecycle step, through Pulumi's provider host.
  {
    const [e] = (await emulators(1)) as [Emulator];
    const count = () => e.journal.count();
    const host = await ProviderHost.start(dir);
    await host.configure({});
    const news = { __provider: provider, connection: connection(e), ...WANTED };
    let before = count();
    const checked = await host.check(URN, {}, news);
    record("requests.preview", "preview (check + diff): requests", count() - before, "", {
      text: "0",
      met: count() - before === 0,
    });
    before = count();
    const created = await host.create(URN, checked.inputs);
    const createRequests = count() - before;
    const logins = e.journal.count("POST /v1/users/login");
    record("requests.create", "create: requests (login, GET, PATCH, GET back)", createRequests, "", {
      text: "≤ 4",
      met: createRequests <= 4,
    });
    record("requests.login", "logins in that deployment", logins, "", { text: "1", met: logins === 1 });
    before = count();
    const again = await host.check(URN, checked.inputs, news);
    const noop = await host.diff(URN, created.id, created.properties, again.inputs);
    record("requests.noopUp", "no-op up: requests", count() - before, "", {
      text: "0",
      met: count() - before === 0 && noop.changes === "none",
    });
    before = count();
    const changed = await host.check(URN, again.inputs, { ...news, sentStatus: false });
    const updated = await host.update(URN, created.id, created.properties, changed.inputs);
    record("requests.update", "update: requests", count() - before, "", { text: "≤ 2", met: count() - before <= 2 });
    before = count();
    await host.read(URN, created.id, updated.properties, changed.inputs);
    record("requests.refresh", "refresh: requests", count() - before, "", { text: "1", met: count() - before === 1 });
    before = count();
    await host.close();
    const later = await ProviderHost.start(dir);
    await later.configure({});
    await later.delete(URN, created.id, updated.properties);
    const deleteRequests = e.journal
      .filter()
      .slice(before)
      .filter((r) => r.path !== "/v1/users/login").length;
    // GET first, so the warning can name what the reset changed and which of it needs a restart.
    record("requests.delete", "delete: requests (besides its deployment's login)", deleteRequests, "", {
      text: "2 (GET, DELETE)",
      met: deleteRequests === 2,
    });
    await later.close();
    await e.close();
    // The generic REST pattern: full body + read-back per write, a GET per resource on every plan.
    results["generic.preview"] = 1;
    results["generic.create"] = 3;
    results["generic.update"] = 3;
    rows.push({
      name: "generic REST provider, same steps",
      value: "preview 1, create 3 (login, PUT, GET), update 3 (GET at plan, PATCH, GET), refresh 1, delete 1",
    });
  }

  // 2. Fleet apply.
  const fleetMax = await emulators(200);
  const single = await fleetUp(dir, provider, fleetMax.slice(0, 1), 1);
  reset(fleetMax);
  record("fleet.1.wallMs", "one client's check + create, warm host (machine-dependent)", single.wallMs, "ms");
  record("fleet.1.rssMb", "provider process peak RSS, 1 client", single.rss, "MB");
  let rss200 = 0;
  for (const size of [10, 50, 200]) {
    const fleet = fleetMax.slice(0, size);
    const unbounded = await fleetUp(dir, provider, fleet, size);
    const requests = fleet.reduce((sum, e) => sum + e.journal.count(), 0) / size;
    const sockets = fleet.reduce((sum, e) => sum + e.journal.socketCount(), 0) / size;
    reset(fleet);
    const parallel16 = await fleetUp(dir, provider, fleet, 16);
    reset(fleet);
    let started = performance.now();
    const agent = new Agent({ connect: { ca: fleet[0]?.caCert } });
    for (const e of fleet) await loginAndPatch(e, agent);
    const sequential = performance.now() - started;
    reset(fleet);
    started = performance.now();
    await Promise.all(fleet.map((e) => loginAndPatch(e, agent)));
    const ideal = performance.now() - started;
    reset(fleet);
    await agent.close();
    record(`fleet.${size}.wallMs`, `${size} clients, unbounded: wall time`, unbounded.wallMs, "ms");
    record(
      `fleet.${size}.ratioToOne`,
      `${size} clients: wall time / one client's`,
      unbounded.wallMs / single.wallMs,
      "×",
    );
    record(`fleet.${size}.parallel16Ms`, `${size} clients, --parallel 16: wall time`, parallel16.wallMs, "ms");
    record(
      `fleet.${size}.sequentialMs`,
      `${size} clients, sequential curl-style loop (login + PATCH)`,
      sequential,
      "ms",
    );
    record(`fleet.${size}.idealMs`, `${size} clients, Promise.all of fetch (login + PATCH)`, ideal, "ms");
    const vsIdeal = unbounded.wallMs / ideal;
    const vsSequential = sequential / unbounded.wallMs;
    record(
      `fleet.${size}.vsIdeal`,
      `${size} clients: provider / parallel fetch`,
      vsIdeal,
      "×",
      size === 200 ? { text: "≤ 2", met: vsIdeal <= 2 } : undefined,
    );
    record(
      `fleet.${size}.vsSequential`,
      `${size} clients: sequential loop / provider`,
      vsSequential,
      "×",
      size === 200 ? { text: "≥ 8", met: vsSequential >= 8 } : undefined,
    );
    record(`fleet.${size}.requestsPerClient`, `${size} clients: requests per client`, requests, "");
    record(`fleet.${size}.socketsPerClient`, `${size} clients: TCP connections per client`, sockets, "");
    if (size === 200) rss200 = unbounded.rss;
  }
  record("fleet.200.rssMb", "provider process peak RSS, 200 clients", rss200, "MB");
  record("fleet.rssGrowthMb", "peak RSS growth, 1 → 200 clients", rss200 - single.rss, "MB", {
    text: "≤ 30",
    met: rss200 - single.rss <= 30,
  });
  await Promise.all(fleetMax.map((e) => e.close()));

  // 3. Provider overhead: check + diff of a full settings object, and the closure size.
  {
    const full: Props = {
      connection: { baseUrl: "https://wa.example.com:9090", username: "admin", password: "Adm1n-Passw0rd!" },
      callbackPersist: true,
      callbackBackoffDelayMs: 3000,
      maxCallbackBackoffDelayMs: 900000,
      heartbeatInterval: 5,
      unhealthyInterval: 30,
      axolotlContextStripingDisabled: false,
      notifyUserChangeNumber: false,
      showSecurityNotifications: false,
      skipReferralMediaDownload: false,
      sentStatus: false,
      garbagecollectorEnable: { messages: true, media: false },
      media: { autoDownload: ["image", "audio"] },
      webhooks: {
        url: "https://hooks.example.com/x",
        maxConcurrentRequests: 6,
        message: { sent: true, delivered: true, read: false },
      },
      verboseLogging: false,
      logLevel: "info",
    };
    const olds = (await settingsProvider.check(full, full)).inputs;
    for (let i = 0; i < 500; i++)
      await settingsProvider.diff("id", olds, (await settingsProvider.check(olds, full)).inputs);
    const calls = 10_000;
    const cpu = process.cpuUsage();
    for (let i = 0; i < calls; i++) {
      const { inputs } = await settingsProvider.check(olds, full);
      await settingsProvider.diff("id", olds, inputs);
    }
    const used = process.cpuUsage(cpu);
    const perCall = (used.user + used.system) / calls;
    record("overhead.checkDiffUs", "check + diff, full settings object: CPU per call", perCall, "µs", {
      text: "≤ 200",
      met: perCall <= 200,
    });
    record("overhead.providerBytes", "serialized __provider", Buffer.byteLength(provider), "bytes");
  }

  // 4. Cold start: host start to the first completed create.
  {
    const [e] = (await emulators(1)) as [Emulator];
    const started = performance.now();
    const host = await ProviderHost.start(dir);
    await host.configure({});
    const news = { __provider: provider, connection: connection(e), ...WANTED };
    await host.create(URN, (await host.check(URN, {}, news)).inputs);
    record("coldStart.ms", "cold start: host start → first create done", performance.now() - started, "ms");
    await host.close();
    await e.close();
  }

  const meta = {
    date: new Date().toISOString(),
    cpus: cpus().length,
    node: process.version,
    latencyMs: LATENCY_MS,
    runMs: Math.round(performance.now() - runStarted),
  };
  mkdirSync(join(ROOT, "bench"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results.json"), `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  console.log(
    `\nBenchmarks: ${meta.date}, ${meta.cpus} CPUs, Node ${meta.node}, ${LATENCY_MS} ms latency per request; times are machine-dependent.\n`,
  );
  console.log("| Measure | Value | Target | Met |");
  console.log("|---|---|---|---|");
  for (const row of rows)
    console.log(
      `| ${row.name} | ${row.value} | ${row.target ?? ""} | ${row.met === undefined ? "" : row.met ? "yes" : "**no**"} |`,
    );
  console.log(`\nWritten to bench/results.json in ${(meta.runMs / 1000).toFixed(1)} s.`);
  await settingsProvider.shutdown();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
