/**
 * Clients that answer numbers and booleans as strings (`"heartbeat_interval": "5"`,
 * `"callback_persist": "true"`) converge: create keeps what it applied, refresh finds no drift,
 * and the next preview has no diff. Through Pulumi's dynamic-provider host against the
 * emulator's `stringValues` fault.
 */
import { describe, expect, test } from "vitest";
import { fromWire, sameValue } from "../../provider/settings/mapping";
import { FIELDS } from "../../provider/settings/schema";
import type { Emulator } from "../emulator/index";
import { suiteProgram, urnOf } from "../secrets/host";
import { call, login } from "../support/api";
import { connectionOf, emulator } from "../support/emulator";

const SETTINGS = "GET /v1/settings/application";
const URN = urnOf("ApplicationSettings");
const program = suiteProgram();

/** A client that answers its settings with every number and boolean as a string. */
async function clientAnsweringStrings(): Promise<Emulator> {
  const e = await emulator();
  e.faults.inject({ route: SETTINGS, stringValues: true });
  return e;
}

describe("numbers and booleans read back as strings", () => {
  test("the emulator really answers strings", async () => {
    const e = await clientAnsweringStrings();
    const reply = await call(e, "GET", "/v1/settings/application", { token: await login(e) });
    const application = reply.json.settings.application;
    expect(application).toMatchObject({
      heartbeat_interval: "5",
      callback_persist: "true",
      webhooks: { max_concurrent_requests: "6" },
    });
  });

  test("create, refresh and the next preview converge with no diff", async () => {
    const e = await clientAnsweringStrings();
    const connection = connectionOf(e);
    // Numeric strings are taken on input too, for every numeric field.
    const program_ = {
      connection,
      heartbeatInterval: 7,
      unhealthyInterval: "40",
      callbackPersist: false,
      callbackBackoffDelayMs: 4000,
      maxCallbackBackoffDelayMs: "60000",
      sentStatus: true,
      garbagecollectorEnable: { media: true },
      webhooks: { maxConcurrentRequests: "12", message: { read: true } },
      __provider: program().providers.ApplicationSettings,
    };
    const checked = await program().host.check(URN, {}, program_);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ unhealthyInterval: 40, webhooks: { maxConcurrentRequests: 12 } });

    const created = await program().host.create(URN, checked.inputs);
    const expected = {
      heartbeatInterval: 7,
      unhealthyInterval: 40,
      callbackPersist: false,
      callbackBackoffDelayMs: 4000,
      maxCallbackBackoffDelayMs: 60000,
      sentStatus: true,
      garbagecollectorEnable: { media: true },
      webhooks: { maxConcurrentRequests: 12, message: { read: true } },
    };
    expect(created.properties).toMatchObject(expected);
    expect(e.getSetting("webhooks.max_concurrent_requests")).toBe(12);

    const refreshed = await program().host.read(URN, created.id, created.properties, checked.inputs);
    expect(refreshed.properties).toMatchObject(expected);
    expect(refreshed.inputs).toMatchObject(expected);

    const again = await program().host.check(URN, refreshed.inputs, program_);
    expect(again.failures).toEqual([]);
    expect(await program().host.diff(URN, created.id, refreshed.properties, again.inputs)).toMatchObject({
      changes: "none",
    });
    // A second up changes nothing on the client.
    const patches = e.journal.count("PATCH /v1/settings/application");
    await program().host.update(URN, created.id, refreshed.properties, again.inputs);
    expect(e.journal.count("PATCH /v1/settings/application")).toBe(patches);
  });
});

describe("the schema's kind decides which spellings are the same value", () => {
  const byKind = (kind: string) => FIELDS.filter((f) => f.meta.kind === kind);

  test.each(byKind("number").map((f) => [f.path, f.wirePath] as const))('%s: 12 and "12" are equal', (path, wire) => {
    expect(sameValue(path, 12, "12")).toBe(true);
    expect(sameValue(path, 12, "13")).toBe(false);
    const nested = wire.split(".").reduceRight<unknown>((value, key) => ({ [key]: value }), "12");
    expect(fromWire(nested as Record<string, unknown>).get(path)).toBe(12);
  });

  test.each(byKind("boolean").map((f) => [f.path] as const))('%s: true and "true" are equal', (path) => {
    expect(sameValue(path, true, "true")).toBe(true);
    expect(sameValue(path, false, "false")).toBe(true);
    expect(sameValue(path, true, "false")).toBe(false);
  });

  test.each([
    ["logLevel", "12"],
    ["webhooks.url", "true"],
  ])("%s (not a number or boolean) keeps %j as a string", (path, text) => {
    expect(sameValue(path, Number(text), text)).toBe(false);
  });
});
