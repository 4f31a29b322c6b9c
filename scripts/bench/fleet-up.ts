/** One `pulumi up` of a fleet: a resource per client, each with its own connection, through one provider host. */
import { readFileSync } from "node:fs";
import type { Emulator } from "../../test/emulator/index";
import { ProviderHost } from "../../test/engine/provider-host";
import { type Deployment, inputsFor } from "./deployment";

/** Wall time of the creates, and the host process's peak RSS once they are done. */
export interface FleetUp {
  wallMs: number;
  rssMb: number;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Runs `work` on every item with at most `concurrency` in flight, as `pulumi up --parallel` does. */
async function limit<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Checks and creates one resource per client, `concurrency` at a time, in a fresh provider host. */
export async function fleetUp(
  deployment: Deployment,
  fleet: readonly Emulator[],
  concurrency: number,
): Promise<FleetUp> {
  const host = await ProviderHost.start(deployment.dir);
  await host.configure({});
  // Load the provider first (the engine's first check does): loading is cold start, measured apart.
  await host.check(deployment.urn, {}, inputsFor(deployment, fleet[0] as Emulator));
  const started = performance.now();
  await limit(fleet, concurrency, async (client) => {
    const checked = await host.check(deployment.urn, {}, inputsFor(deployment, client));
    await host.create(deployment.urn, checked.inputs);
  });
  const wallMs = performance.now() - started;
  const rssMb = peakRssMb(host.process.pid as number);
  await host.close();
  return { wallMs, rssMb };
}
