import { describe, expect, test } from "vitest";
import { FIELDS, type Field } from "../../provider/settings/schema";
import { call, login } from "../support/api";
import { captureWarnings, connectionOf, emulator, settingsProvider as provider } from "../support/provider";

/** A valid value that differs from the field's default. */
function sample(field: Field): unknown {
  const { default: fallback } = field.meta;
  if (typeof fallback === "boolean") return !fallback;
  if (field.path === "webhooks.maxConcurrentRequests") return 12;
  if (field.path === "logLevel") return "error";
  if (field.path === "webhooks.url") return "https://hooks.example.com/matrix";
  if (field.path === "media.autoDownload") return ["image", "audio"];
  if (typeof fallback === "number") return fallback + 1;
  throw new Error(`no sample for ${field.path}`);
}

function nested(path: string, value: unknown): Record<string, unknown> {
  return path
    .split(".")
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

function versionBefore(version: string): string {
  const [major, minor, patch] = version.split(".").map(Number) as [number, number, number];
  return patch > 0 ? `${major}.${minor}.${patch - 1}` : `${major}.${minor - 1}.99`;
}

/** A client version that still knows the field. */
function versionFor(field: Field): string {
  return field.meta.deprecated ? "2.33.4" : "2.53.2";
}

const matrix = FIELDS.map((field) => ({ path: field.path, field }));

describe("every field, against the emulator's own field table", () => {
  test.each(matrix)("$path: the default the schema documents is the client's", async ({ field }) => {
    const e = await emulator({ clientVersion: versionFor(field) });
    const application = (await call(e, "GET", "/v1/settings/application", { token: await login(e) })).json.settings
      .application;
    const wire = field.wirePath
      .split(".")
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], application);
    expect(wire).toEqual(field.meta.default);
  });

  test.each(matrix)(
    "$path: is written under its wire name, and its restart flag matches the client",
    async ({ path, field }) => {
      const e = await emulator({ clientVersion: versionFor(field) });
      const warnings = captureWarnings();
      const value = sample(field);
      const { outs } = await provider.create({ connection: connectionOf(e), ...nested(path, value) });
      expect(e.getSetting(field.wirePath)).toEqual(value);
      expect(e.pendingRestart().includes(field.wirePath)).toBe(field.meta.restart);
      expect(outs.restartRequiredFields).toEqual(field.meta.restart ? [path] : []);
      expect(outs).toMatchObject(nested(path, value));
      expect(warnings).toEqual(
        field.meta.restart ? [`warning: [runtime] ${e.url}: restart the Coreapp for ${path} to take effect`] : [],
      );
    },
  );

  test.each(matrix.filter(({ field }) => field.meta.since))(
    "$path: a client older than its version is refused before any write",
    async ({ path, field }) => {
      const since = field.meta.since as string;
      const e = await emulator({ clientVersion: versionBefore(since) });
      await expect(provider.create({ connection: connectionOf(e), ...nested(path, sample(field)) })).rejects.toThrow(
        `${path} needs client v${since} or later`,
      );
      expect(e.journal.count("PATCH")).toBe(0);
    },
  );

  test.each(matrix.filter(({ field }) => field.meta.deprecated))(
    "$path: a client from its deprecation on is refused before any write",
    async ({ path, field }) => {
      const e = await emulator({ clientVersion: "2.53.2" });
      await expect(
        provider.create({ connection: connectionOf(e), ...nested(path, sample(field)) }),
      ).rejects.toMatchObject({
        code: "WHATSAPP_VERSION",
        message: expect.stringContaining(`${path} is deprecated since v${field.meta.deprecated?.since}`),
      });
      expect(e.journal.count("PATCH")).toBe(0);
    },
  );
});
