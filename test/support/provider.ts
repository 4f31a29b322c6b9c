/** Drives the settings provider's lifecycle functions directly, as the engine would, against an emulator. */
import { afterEach, expect, vi } from "vitest";
import * as settingsProvider from "../../provider/settings/provider";

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
