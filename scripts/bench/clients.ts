/** The emulated clients: HTTPS with a fixed latency, and put back between runs. */

import { flatten } from "../../provider/settings/mapping";
import { FIELDS_BY_PATH, type Field } from "../../provider/settings/schema";
import { type Emulator, startEmulator } from "../../test/emulator/index";
import { WANTED } from "./deployment";

/** Latency the emulators add to every request, so requests cost what they would on a network. */
export const LATENCY_MS = 20;

const WANTED_FIELDS = [...flatten(WANTED).keys()].map((path) => FIELDS_BY_PATH.get(path) as Field);

/** One emulated client over HTTPS with `LATENCY_MS` per request. */
export async function startClient(): Promise<Emulator> {
  const client = await startEmulator({ https: true });
  client.faults.setLatency({ fixedMs: LATENCY_MS });
  return client;
}

/** `count` emulated clients, started together. */
export function startClients(count: number): Promise<Emulator[]> {
  return Promise.all(Array.from({ length: count }, startClient));
}

/**
 * Puts the settings `WANTED` changes back to their defaults and forgets requests and tokens, so
 * the next run writes the same changes, logs in again and is counted from zero.
 */
export function resetClients(clients: readonly Emulator[]): void {
  for (const client of clients) {
    for (const field of WANTED_FIELDS) client.setSetting(field.wirePath, field.meta.default);
    client.journal.clear();
    client.revokeTokens();
  }
}
