/**
 * The native provider beside the dynamic one: the same fleet program (one provider per client,
 * one `ApplicationSettings` on each) deployed through the engine stand-in once with the dynamic
 * classes and once with `native`, step by step, timing each step and counting what each client
 * received. A deployment here is what `pulumi up` starts: the program runner, then the dynamic
 * provider's host process, or one `pulumi-resource-whatsapp` process per provider resource.
 */
import type { Emulator } from "../../test/emulator/index";
import { type Command, runEngine } from "../../test/engine/deployment";
import { packedProgram } from "../../test/support/packed";
import { resetClients, startClients } from "./clients";
import { combine, figure, type Report } from "./report";

/** Clients in the fleet: enough for the process per provider to show, few enough for two cores. */
export const NATIVE_FLEET = 10;

const PROJECT = `name: bench-fleet
runtime: nodejs
plugins:
  providers:
    - name: whatsapp
      path: ./node_modules/pulumi-whatsapp-settings/bin
`;

/** JavaScript, so no step pays for compiling TypeScript; `wa` is the dynamic classes or `native`. */
const program = (wa: string) => `const pulumi = require("@pulumi/pulumi");
const wa = ${wa};
const config = new pulumi.Config();
for (const client of config.require("clients").split(",")) {
  const provider = new wa.Provider(client, {
    baseUrl: config.require(client + "Url"),
    username: "admin",
    password: config.requireSecret(client + "Password"),
    caCert: config.require(client + "CaCert"),
  });
  new wa.ApplicationSettings(
    client + "-settings",
    { sentStatus: true, logLevel: "warning", callbackBackoffDelayMs: Number(config.require("backoffMs")) },
    { provider },
  );
}
`;

const PROVIDERS = [
  { key: "dynamic", wa: `require("pulumi-whatsapp-settings")` },
  { key: "native", wa: `require("pulumi-whatsapp-settings").native` },
] as const;

/** The steps, in order: the command each runs and the setting it changes first. */
const STEPS: ReadonlyArray<{ step: string; command: Command; backoffMs: string }> = [
  { step: "preview", command: "preview", backoffMs: "4000" },
  { step: "create", command: "up", backoffMs: "4000" },
  { step: "update", command: "up", backoffMs: "5000" },
  { step: "refresh", command: "refresh", backoffMs: "5000" },
  { step: "delete", command: "destroy", backoffMs: "5000" },
];

interface StepFigures {
  ms: number;
  /** Requests each client received, and how many of them were logins. */
  requests: number[];
  logins: number[];
}

async function deploy(wa: string, fleet: readonly Emulator[]): Promise<Record<string, StepFigures>> {
  const dir = packedProgram({ "Pulumi.yaml": PROJECT, "index.js": program(wa) });
  const names = fleet.map((_, i) => `client${i}`);
  const config: Record<string, string> = { clients: names.join(",") };
  const secrets: Record<string, string> = {};
  fleet.forEach((client, i) => {
    config[`client${i}Url`] = client.url;
    config[`client${i}CaCert`] = client.caCert as string;
    secrets[`client${i}Password`] = client.adminPassword;
  });
  const figures: Record<string, StepFigures> = {};
  for (const { step, command, backoffMs } of STEPS) {
    for (const client of fleet) client.journal.clear();
    const started = performance.now();
    const result = await runEngine(command, { dir, config: { ...config, backoffMs }, secrets });
    const ms = performance.now() - started;
    if (!result.ok) throw new Error(`${step} failed: ${JSON.stringify(result.diagnostics)}`);
    figures[step] = {
      ms,
      requests: fleet.map((client) => client.journal.count()),
      logins: fleet.map((client) => client.journal.count("POST /v1/users/login")),
    };
  }
  return figures;
}

/** "4" when every client received the same number, else "3–5". */
function perClient(counts: readonly number[]): string {
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  return low === high ? String(low) : `${low}–${high}`;
}

/** Per step: wall time and requests per client, dynamic then native, and whether the requests agree. */
export async function measureNativeBesideDynamic(): Promise<Report> {
  const fleet = await startClients(NATIVE_FLEET);
  const runs: Record<string, Record<string, StepFigures>> = {};
  for (const { key, wa } of PROVIDERS) {
    resetClients(fleet);
    runs[key] = await deploy(wa, fleet);
  }
  await Promise.all(fleet.map((client) => client.close()));
  const reports: Report[] = [];
  let same = true;
  for (const { step } of STEPS) {
    const dynamic = runs.dynamic?.[step] as StepFigures;
    const native = runs.native?.[step] as StepFigures;
    same &&= JSON.stringify(dynamic.requests) === JSON.stringify(native.requests);
    for (const [key, figures] of [
      ["dynamic", dynamic],
      ["native", native],
    ] as const) {
      const row = figure(
        `fleetSteps.${key}.${step}.ms`,
        `${NATIVE_FLEET} clients, ${key} provider, ${step}: wall time`,
        figures.ms,
        "ms",
      );
      reports.push({
        rows: row.rows.map((r) => ({
          ...r,
          value: `${r.value}; ${perClient(figures.requests)} requests per client (${perClient(figures.logins)} login)`,
        })),
        results: {
          ...row.results,
          [`fleetSteps.${key}.${step}.requestsPerClient`]: Math.max(...figures.requests),
        },
      });
    }
  }
  reports.push({
    rows: [
      {
        name: `${NATIVE_FLEET} clients: native provider's requests per client per step = dynamic's`,
        value: same ? "yes" : "no",
        target: "equal",
        met: same,
      },
    ],
    results: { "fleetSteps.sameRequests": same ? 1 : 0 },
  });
  return combine(reports);
}
