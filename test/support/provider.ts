/** Drives the settings provider's lifecycle functions directly, as the engine would, against an emulator. */
import { afterEach, beforeEach, expect, vi } from "vitest";
import * as settingsProvider from "../../provider/settings/provider";
import type { Emulator } from "../emulator/index";
import { plainEmulator } from "./emulator";

export { connectionOf, emulator, stackConfigOf } from "./emulator";

/** The settings provider's check of `news` against `olds`, failing the test on check failures. */
export async function checked(olds: Record<string, unknown>, news: Record<string, unknown>) {
  const result = await settingsProvider.check(olds, news);
  expect(result.failures).toEqual([]);
  return result.inputs;
}

/** Warnings the provider logged through `pulumi.log.warn` (which prints when no engine is attached). */
export function captureWarnings(): string[] {
  const seen: string[] = [];
  vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
    seen.push(args.map(String).join(" "));
  });
  return seen;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await settingsProvider.shutdown();
});

export { settingsProvider };

/** A connection check accepts without sending anything. */
export const OFFLINE_CONNECTION = {
  baseUrl: "https://wa.example.com:9090",
  username: "admin",
  password: "Adm1n-Passw0rd!",
} as const;

/** The checked inputs of a lifecycle's `check`, which the test expects to pass. */
export function passingCheck(lifecycle: {
  check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{
    inputs: Record<string, unknown>;
    failures: unknown[];
  }>;
}) {
  return async (news: Record<string, unknown>, olds: Record<string, unknown> = {}) => {
    const result = await lifecycle.check(olds, news);
    expect(result.failures).toEqual([]);
    return result.inputs;
  };
}

/** The requests that changed a client, as `METHOD /path`: every one but a read or a login. */
export function writeLines(e: Emulator): string[] {
  return e.journal
    .filter()
    .filter((r) => r.method !== "GET" && r.path !== "/v1/users/login")
    .map((r) => `${r.method} ${r.path}`);
}

/** Each request the emulator received, as `METHOD /path status`. */
export function requestLines(e: Emulator): string[] {
  return e.journal.entries.map((r) => `${r.method} ${r.path} ${r.status}`);
}

/**
 * For a fault table: each case on an emulated client of its own, which starts with nothing set,
 * and `lifecycle` configured with fast retries (no delay, two attempts), so a fault on every
 * attempt fails a call in milliseconds. Returns the case's client.
 */
export function clientPerCase(lifecycle: {
  configure(request: { config: { get(key: string): string | undefined } }): Promise<void>;
}): () => Emulator {
  let current: Emulator | undefined;
  beforeEach(async () => {
    current = await plainEmulator();
    const config: Record<string, string> = {
      "whatsapp:retryBaseDelayMs": "0",
      "whatsapp:retryAttempts": "2",
    };
    await lifecycle.configure({ config: { get: (key: string) => config[key] } });
  });
  return () => {
    if (!current) throw new Error("clientPerCase: no case is running");
    return current;
  };
}
