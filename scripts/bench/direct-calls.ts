/**
 * The baselines a user would write instead of the provider: log in and PATCH the same settings
 * with plain HTTP calls, one client after another and all at once.
 */
import { Agent, request } from "undici";
import { flatten, toWire } from "../../provider/settings/mapping";
import type { Emulator } from "../../test/emulator/index";
import { resetClients } from "./clients";
import { WANTED } from "./deployment";

const BODY = JSON.stringify(toWire(flatten(WANTED)));

/** Wall time of the same writes as a sequential loop and as one `Promise.all`. */
export interface DirectCalls {
  sequentialMs: number;
  parallelMs: number;
}

async function loginAndPatch(client: Emulator, agent: Agent): Promise<void> {
  const basic = Buffer.from(`admin:${client.adminPassword}`).toString("base64");
  const login = await request(`${client.url}/v1/users/login`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}` },
    dispatcher: agent,
  });
  const token = ((await login.body.json()) as { users: Array<{ token: string }> }).users[0]?.token;
  const patch = await request(`${client.url}/v1/settings/application`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: BODY,
    dispatcher: agent,
  });
  await patch.body.text();
}

/** Times both baselines over the fleet, resetting the clients after each. */
export async function timeDirectCalls(fleet: readonly Emulator[]): Promise<DirectCalls> {
  let started = performance.now();
  const agent = new Agent({ connect: { ca: fleet[0]?.caCert } });
  for (const client of fleet) await loginAndPatch(client, agent);
  const sequentialMs = performance.now() - started;
  resetClients(fleet);
  started = performance.now();
  await Promise.all(fleet.map((client) => loginAndPatch(client, agent)));
  const parallelMs = performance.now() - started;
  resetClients(fleet);
  await agent.close();
  return { sequentialMs, parallelMs };
}
