/** Emulators for tests: started over HTTPS unless told otherwise, and always stopped. */
import { beforeAll, onTestFinished } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../emulator/index";
import { call } from "./api";

/** An emulator (HTTPS unless `https: false`) for the current test, stopped when the test ends. */
export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const e = await startEmulator({ https: true, ...options });
  onTestFinished(() => e.close());
  return e;
}

/**
 * One emulator for every test of the enclosing file or `describe`: started before its first test,
 * stopped after its last. Call it where `beforeAll` may be called; the returned function gives
 * the emulator inside hooks registered after it and inside tests.
 */
export function suiteEmulator(options: EmulatorOptions = {}): () => Emulator {
  let e: Emulator | undefined;
  beforeAll(async () => {
    const started = await startEmulator({ https: true, ...options });
    e = started;
    return () => started.close();
  });
  return () => {
    if (!e) throw new Error("the suite's emulator is used before its beforeAll ran");
    return e;
  };
}

/** The connection a resource uses to reach `e` as its admin user; `extra` adds or overrides fields. */
export function connectionOf(e: Emulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { baseUrl: e.url, username: "admin", password: e.adminPassword, caCert: e.caCert, ...extra };
}

/** What a dynamic provider's `configure` gets when stack config names `e` (with the admin's password). */
export function stackConfigOf(e: Emulator): { config: { get(key: string): string | undefined } } {
  const config: Record<string, string | undefined> = {
    "whatsapp:baseUrl": e.url,
    "whatsapp:username": "admin",
    "whatsapp:password": e.adminPassword,
    "whatsapp:caCert": e.caCert,
  };
  return { config: { get: (key: string) => config[key] } };
}

/** An emulator over plain HTTP, its default: for the emulator's own tests that are not about TLS. */
export function plainEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return emulator({ https: false, ...options });
}

/** The client's settings object as `GET /v1/settings/application` answers it (wire names). */
export async function settingsOf(e: Emulator, token: string) {
  return (await call(e, "GET", "/v1/settings/application", { token })).json.settings.application;
}
