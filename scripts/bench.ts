/**
 * `npm run bench`: what the provider costs and how it scales, against emulators on loopback with
 * 20 ms of latency per request, side by side with what a user would otherwise do, and the native
 * provider beside the dynamic one, step by step, on the same fleet. Prints a markdown table and
 * writes bench/results.json. Absolute times depend on the machine; the ratios are computed within
 * one run.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { flatten, unflatten } from "../provider/settings/mapping";
import * as settingsProvider from "../provider/settings/provider";
import { type ApplicationSettingsInput, FIELDS } from "../provider/settings/schema";
import type { Emulator, JournalEntry } from "../test/emulator/index";
import { ProviderHost } from "../test/engine/provider-host";
import { ROOT } from "../test/support/packed";
import { LATENCY_MS, resetClients, startClient, startClients } from "./bench/clients";
import { type Deployment, inputsFor, packDeployment, WANTED } from "./bench/deployment";
import { timeDirectCalls } from "./bench/direct-calls";
import { type FleetUp, fleetUp } from "./bench/fleet-up";
import { measureNativeBesideDynamic } from "./bench/native-fleet";
import { combine, figure, type Report } from "./bench/report";

const FLEET_SIZES = [10, 50, 200];
const FLEET_MAX = Math.max(...FLEET_SIZES);

/** The generic REST pattern: full body + read-back per write, a GET per resource on every plan. */
const GENERIC_REST: Report = {
  rows: [
    {
      name: "generic REST provider, same steps",
      value: "preview 1, create 3 (login, PUT, GET), update 3 (GET at plan, PATCH, GET), refresh 1, delete 1",
    },
  ],
  results: { "generic.preview": 1, "generic.create": 3, "generic.update": 3 },
};

/** Where the full settings object leaves the defaults, as a program typically does: a webhook and fewer media types. */
const CHOSEN = {
  media: { autoDownload: ["image", "audio"] },
  webhooks: { url: "https://hooks.example.com/x" },
} satisfies ApplicationSettingsInput;

/** Starts counting a client's requests: the function returned gives those answered since. */
function since(client: Emulator): () => JournalEntry[] {
  const before = client.journal.count();
  return () => client.journal.filter().slice(before);
}

/** Requests per lifecycle step, through Pulumi's provider host. */
async function measureLifecycleRequests(deployment: Deployment): Promise<Report> {
  const { dir, urn } = deployment;
  const client = await startClient();
  const host = await ProviderHost.start(dir);
  await host.configure({});
  const news = inputsFor(deployment, client);

  const sincePreview = since(client);
  const checked = await host.check(urn, {}, news);
  const preview = sincePreview().length;

  const sinceCreate = since(client);
  const created = await host.create(urn, checked.inputs);
  const create = sinceCreate().length;
  const logins = client.journal.count("POST /v1/users/login");

  const sinceNoopUp = since(client);
  const again = await host.check(urn, checked.inputs, news);
  const noop = await host.diff(urn, created.id, created.properties, again.inputs);
  const noopUp = sinceNoopUp().length;

  const sinceUpdate = since(client);
  const changed = await host.check(urn, again.inputs, { ...news, sentStatus: !WANTED.sentStatus });
  const updated = await host.update(urn, created.id, created.properties, changed.inputs);
  const update = sinceUpdate().length;

  const sinceRefresh = since(client);
  await host.read(urn, created.id, updated.properties, changed.inputs);
  const refresh = sinceRefresh().length;

  // Delete runs in a later deployment, so in a host of its own, which logs in again.
  const sinceDelete = since(client);
  await host.close();
  const later = await ProviderHost.start(dir);
  await later.configure({});
  await later.delete(urn, created.id, updated.properties);
  const deletes = sinceDelete().filter((r) => r.path !== "/v1/users/login").length;
  await later.close();
  await client.close();

  return combine([
    figure("requests.preview", "preview (check + diff): requests", preview, "", { text: "0", met: preview === 0 }),
    figure("requests.create", "create: requests (login, GET, PATCH, GET back)", create, "", {
      text: "≤ 4",
      met: create <= 4,
    }),
    figure("requests.login", "logins in that deployment", logins, "", { text: "1", met: logins === 1 }),
    figure("requests.noopUp", "no-op up: requests", noopUp, "", {
      text: "0",
      met: noopUp === 0 && noop.changes === "none",
    }),
    figure("requests.update", "update: requests", update, "", { text: "≤ 2", met: update <= 2 }),
    figure("requests.refresh", "refresh: requests", refresh, "", { text: "1", met: refresh === 1 }),
    // GET first, so the warning can name what the reset changed and which of it needs a restart.
    figure("requests.delete", "delete: requests (besides its deployment's login)", deletes, "", {
      text: "2 (GET, DELETE)",
      met: deletes === 2,
    }),
    GENERIC_REST,
  ]);
}

/** One fleet size: the provider unbounded and at `--parallel 16`, against both direct-call baselines. */
async function measureFleetOf(
  deployment: Deployment,
  fleet: readonly Emulator[],
  one: FleetUp,
): Promise<{ report: Report; rssMb: number }> {
  const size = fleet.length;
  const perClient = (count: (client: Emulator) => number) =>
    fleet.reduce((sum, client) => sum + count(client), 0) / size;
  const unbounded = await fleetUp(deployment, fleet, size);
  const requests = perClient((client) => client.journal.count());
  const sockets = perClient((client) => client.journal.socketCount());
  resetClients(fleet);
  const parallel16 = await fleetUp(deployment, fleet, 16);
  resetClients(fleet);
  const direct = await timeDirectCalls(fleet);
  const vsIdeal = unbounded.wallMs / direct.parallelMs;
  const vsSequential = direct.sequentialMs / unbounded.wallMs;
  const targeted = size === FLEET_MAX;
  const report = combine([
    figure(`fleet.${size}.wallMs`, `${size} clients, unbounded: wall time`, unbounded.wallMs, "ms"),
    figure(`fleet.${size}.ratioToOne`, `${size} clients: wall time / one client's`, unbounded.wallMs / one.wallMs, "×"),
    figure(`fleet.${size}.parallel16Ms`, `${size} clients, --parallel 16: wall time`, parallel16.wallMs, "ms"),
    figure(
      `fleet.${size}.sequentialMs`,
      `${size} clients, sequential curl-style loop (login + PATCH)`,
      direct.sequentialMs,
      "ms",
    ),
    figure(`fleet.${size}.idealMs`, `${size} clients, Promise.all of fetch (login + PATCH)`, direct.parallelMs, "ms"),
    figure(
      `fleet.${size}.vsIdeal`,
      `${size} clients: provider / parallel fetch`,
      vsIdeal,
      "×",
      targeted ? { text: "≤ 2", met: vsIdeal <= 2 } : undefined,
    ),
    figure(
      `fleet.${size}.vsSequential`,
      `${size} clients: sequential loop / provider`,
      vsSequential,
      "×",
      targeted ? { text: "≥ 8", met: vsSequential >= 8 } : undefined,
    ),
    figure(`fleet.${size}.requestsPerClient`, `${size} clients: requests per client`, requests, ""),
    figure(`fleet.${size}.socketsPerClient`, `${size} clients: TCP connections per client`, sockets, ""),
  ]);
  return { report, rssMb: unbounded.rssMb };
}

/** Fleet apply: one client, then each fleet size, and how the provider's memory grows with it. */
async function measureFleet(deployment: Deployment): Promise<Report> {
  const clients = await startClients(FLEET_MAX);
  const one = await fleetUp(deployment, clients.slice(0, 1), 1);
  resetClients(clients);
  const reports = [
    figure("fleet.1.wallMs", "one client's check + create, warm host (machine-dependent)", one.wallMs, "ms"),
    figure("fleet.1.rssMb", "provider process peak RSS, 1 client", one.rssMb, "MB"),
  ];
  let largestRssMb = 0;
  for (const size of FLEET_SIZES) {
    const { report, rssMb } = await measureFleetOf(deployment, clients.slice(0, size), one);
    reports.push(report);
    if (size === FLEET_MAX) largestRssMb = rssMb;
  }
  const growth = largestRssMb - one.rssMb;
  reports.push(
    figure(`fleet.${FLEET_MAX}.rssMb`, `provider process peak RSS, ${FLEET_MAX} clients`, largestRssMb, "MB"),
    figure("fleet.rssGrowthMb", `peak RSS growth, 1 → ${FLEET_MAX} clients`, growth, "MB", {
      text: "≤ 30",
      met: growth <= 30,
    }),
  );
  await Promise.all(clients.map((client) => client.close()));
  return combine(reports);
}

/** Every setting that is not deprecated, at its default unless `CHOSEN` says otherwise. */
function fullSettings(): Record<string, unknown> {
  const flat = new Map(FIELDS.filter((f) => !f.meta.deprecated).map((f) => [f.path, f.meta.default]));
  for (const [path, value] of flatten(CHOSEN)) flat.set(path, value);
  return unflatten(flat);
}

/** Provider overhead: check + diff of a full settings object, and the closure size. */
async function measureOverhead(deployment: Deployment): Promise<Report> {
  const full = {
    connection: { baseUrl: "https://wa.example.com:9090", username: "admin", password: "Adm1n-Passw0rd!" },
    ...fullSettings(),
  };
  const olds = (await settingsProvider.check(full, full)).inputs;
  // Warm up first, so the figure is the steady state rather than the first calls' compilation.
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
  return combine([
    figure("overhead.checkDiffUs", "check + diff, full settings object: CPU per call", perCall, "µs", {
      text: "≤ 200",
      met: perCall <= 200,
    }),
    figure("overhead.providerBytes", "serialized __provider", Buffer.byteLength(deployment.provider), "bytes"),
  ]);
}

/** Cold start: host start to the first completed create. */
async function measureColdStart(deployment: Deployment): Promise<Report> {
  const client = await startClient();
  const started = performance.now();
  const host = await ProviderHost.start(deployment.dir);
  await host.configure({});
  const checked = await host.check(deployment.urn, {}, inputsFor(deployment, client));
  await host.create(deployment.urn, checked.inputs);
  const coldStartMs = performance.now() - started;
  await host.close();
  await client.close();
  return figure("coldStart.ms", "cold start: host start → first create done", coldStartMs, "ms");
}

/** The measures, in the order the table lists them. */
const MEASURES: ReadonlyArray<(deployment: Deployment) => Promise<Report>> = [
  measureLifecycleRequests,
  measureFleet,
  measureOverhead,
  measureColdStart,
  measureNativeBesideDynamic,
];

async function main(): Promise<void> {
  const runStarted = performance.now();
  const deployment = packDeployment();
  const reports: Report[] = [];
  for (const measure of MEASURES) reports.push(await measure(deployment));
  const { rows, results } = combine(reports);
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
