/** Drives the settings provider's lifecycle functions directly, as the engine would, against an emulator. */
import { afterEach, vi } from "vitest";
import * as settingsProvider from "../../provider/settings/provider";
import { type Emulator, type EmulatorOptions, startEmulator } from "../emulator/index";

const running: Emulator[] = [];

export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const instance = await startEmulator({ https: true, ...options });
  running.push(instance);
  return instance;
}

export function connectionOf(e: Emulator, extra: Record<string, unknown> = {}) {
  return { baseUrl: e.url, username: "admin", password: e.adminPassword, caCert: e.caCert, ...extra };
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
  await Promise.all(running.splice(0).map((e) => e.close()));
});

export { settingsProvider };
