import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import * as backupProvider from "../../provider/backup/backup-provider";
import * as restoreProvider from "../../provider/backup/restore-provider";
import { UNKNOWN } from "../../provider/check";
import { call, login } from "../support/api";
import { captureWarnings, connectionOf, emulator, stackConfigOf } from "../support/provider";
import { rejection } from "../support/rejection";

const password = "Backup-Passw0rd!";
/** A connection check accepts without sending anything. */
const offline = { baseUrl: "https://wa.example.com:9090", username: "admin", password: "admin-pass-123" };

async function takeBackup(source: Awaited<ReturnType<typeof emulator>>, extra: Record<string, unknown> = {}) {
  const inputs = { connection: connectionOf(source), password, ...extra };
  expect((await backupProvider.check({}, inputs)).failures).toEqual([]);
  return backupProvider.create(inputs);
}

describe("SettingsBackup", () => {
  test("one POST gives secret data with its checksum, size, source version and time", async () => {
    const source = await emulator({ waId: "15550001111" });
    const { id, outs } = await takeBackup(source);
    expect(source.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/users/login",
      "POST /v1/settings/backup",
    ]);
    expect(outs).toMatchObject({
      password,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      sizeBytes: (outs.data as string).length,
      apiVersion: "v2.53.2",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      baseUrl: source.url,
    });
    expect(id).toContain(`${source.url}/v1/settings/backup#`);
    // read cannot fetch a backup again; delete touches nothing
    expect(await backupProvider.read(id, outs)).toEqual({ id, props: outs });
    source.journal.clear();
    await backupProvider.delete();
    expect(source.journal.count()).toBe(0);
  });

  test("outputFile receives the blob, readable only by its owner", async () => {
    const source = await emulator();
    const file = join(mkdtempSync(join(tmpdir(), "backup-")), "settings.backup");
    const { outs } = await takeBackup(source, { outputFile: file });
    expect(readFileSync(file, "utf8")).toBe(outs.data);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test.each([
    [
      {},
      "password",
      "must be a non-empty string; keep it: a restore needs this same password together with the backup data",
    ],
    [
      { password: "" },
      "password",
      "must be a non-empty string; keep it: a restore needs this same password together with the backup data",
    ],
    [
      { password, colour: 1 },
      "colour",
      "is not an input of SettingsBackup; allowed here: password, triggers, outputFile, connection",
    ],
    [
      { password, outputFle: "backup.bin" },
      "outputFle",
      "is not an input of SettingsBackup (did you mean outputFile?)",
    ],
  ])("check refuses %j", async (inputs, property, reason) => {
    expect((await backupProvider.check({}, { connection: offline, ...inputs })).failures).toEqual([
      { property, reason },
    ]);
  });

  test("check refuses a backup with neither a connection nor stack config, before any request", async () => {
    const { failures } = await backupProvider.check({}, { password });
    expect(failures.map((failure) => failure.property)).toEqual(["connection"]);
  });

  test("changing triggers or the password takes a new backup", async () => {
    const olds = { password, triggers: { week: 1 } };
    expect(await backupProvider.diff("id", olds, { password, triggers: { week: 2 } })).toEqual({
      changes: true,
      replaces: ["triggers"],
    });
    expect(await backupProvider.diff("id", olds, { ...olds })).toEqual({ changes: false, replaces: [] });
  });

  test("an unregistered client is refused with the precondition named", async () => {
    const source = await emulator({ waId: null });
    const error = await rejection(takeBackup(source));
    expect(error.message).toMatch(
      /^the client must be registered and running to take a backup: POST \/v1\/settings\/backup failed: 400 1009/,
    );
    expect(error.message).not.toContain(password);
  });

  test("a client whose Coreapp is down is refused with the precondition named", async () => {
    const source = await emulator();
    source.faults.inject({ route: "POST /v1/settings/backup", code: 1014 });
    const error = await rejection(takeBackup(source));
    expect(error.message).toMatch(/^the client must be running \(its Coreapp answers\) to take a backup/);
    expect(error.message).toContain("gave up after 5 attempts");
  });
});

describe("SettingsRestore", () => {
  test("backup → restore moves settings and registration to an unregistered client", async () => {
    const source = await emulator({ waId: "15550001111" });
    const target = await emulator({ waId: null });
    const token = await login(source);
    await call(source, "PATCH", "/v1/settings/application", { token, body: { sent_status: true, log_level: "error" } });
    const backup = await takeBackup(source);
    const inputs = {
      connection: connectionOf(target),
      data: backup.outs.data,
      password,
      expectedSha256: backup.outs.sha256,
    };
    expect((await restoreProvider.check({}, inputs)).failures).toEqual([]);
    const { outs } = await restoreProvider.create(inputs);
    expect(outs).toMatchObject({ restartRequired: false, gatewayStatus: "connected", sha256: backup.outs.sha256 });
    expect(target.registered).toBe(true);
    expect(target.getSetting("sent_status")).toBe(true);
    expect(target.getSetting("log_level")).toBe("error");
    expect(target.journal.count("POST /v1/settings/restore")).toBe(1);
  });

  test("a registered client that restarts by itself is waited for", async () => {
    const source = await emulator();
    const target = await emulator({ autoRestartMs: 300, restartPhaseMs: 50 });
    const backup = await takeBackup(source);
    const { outs } = await restoreProvider.create({
      connection: connectionOf(target),
      data: backup.outs.data,
      password,
    });
    expect(outs).toMatchObject({
      restartRequired: false,
      gatewayStatus: expect.stringMatching(/connected|connecting/),
    });
    expect(target.restarts).toBe(1);
    expect(target.journal.count("GET /v1/health")).toBeGreaterThan(1);
  });

  test("a target that stays down is reported as needing a restart, with a message", async () => {
    const source = await emulator();
    const target = await emulator();
    const warnings = captureWarnings();
    const backup = await takeBackup(source);
    const { outs } = await restoreProvider.create({
      connection: connectionOf(target),
      data: backup.outs.data,
      password,
      healthTimeoutMs: 600,
    });
    expect(outs).toMatchObject({ restartRequired: true });
    expect(target.gatewayStatus()).toBe("disconnected");
    expect(warnings.join("\n")).toContain("restart its Coreapp (docker restart) to finish");
  });

  test.each([
    ["a wrong password", (data: string) => data, "Wr0ng-Passw0rd!"],
    ["tampered data", (data: string) => `${data.slice(0, -12)}AAAAAAAAAAA=`, password],
  ])("%s fails with the API's error and leaves the client untouched", async (_name, mangle, restorePassword) => {
    const source = await emulator();
    const target = await emulator();
    const backup = await takeBackup(source);
    await call(source, "PATCH", "/v1/settings/application", {
      token: await login(source),
      body: { sent_status: true },
    });
    const data = mangle(backup.outs.data as string);
    const error = await rejection(
      restoreProvider.create({ connection: connectionOf(target), data, password: restorePassword }),
    );
    expect(error.message).toMatch(
      /^the client refused the backup \(wrong password or damaged data\); it is unchanged: POST \/v1\/settings\/restore failed: 400 1009/,
    );
    expect(error.message).not.toContain(data);
    expect(error.message).not.toContain(restorePassword);
    expect(target.gatewayStatus()).toBe("connected");
    expect(target.getSetting("sent_status")).toBe(false);
  });

  test("during preview, data and checksum not known yet are not refused", async () => {
    const result = await restoreProvider.check(
      {},
      { connection: offline, data: UNKNOWN, password, expectedSha256: UNKNOWN },
    );
    expect(result.failures).toEqual([]);
    expect((await restoreProvider.check({}, { connection: offline, data: UNKNOWN, password: "" })).failures).toEqual([
      {
        property: "password",
        reason: "must be a non-empty string; keep it: a restore needs this same password together with the backup data",
      },
    ]);
  });

  test("a checksum mismatch is refused before anything is sent", async () => {
    const target = await emulator();
    const error = await rejection(
      restoreProvider.create({
        connection: connectionOf(target),
        data: "AAAA",
        password,
        expectedSha256: "0".repeat(64),
      }),
    );
    expect(error.code).toBe("WHATSAPP_BACKUP_INTEGRITY");
    expect(target.journal.count()).toBe(0);
  });

  test.each([
    ["a 503 answer", { status: 503 }],
    ["a connection reset", { reset: true }],
    ["a 500 / 1014 answer", { code: 1014 }],
  ])("the restore POST is never retried after %s", async (_name, fault) => {
    const source = await emulator();
    const target = await emulator();
    const backup = await takeBackup(source);
    target.faults.inject({ route: "POST /v1/settings/restore", ...fault });
    const error = await rejection(
      restoreProvider.create({ connection: connectionOf(target), data: backup.outs.data, password }),
    );
    expect(error.message).toContain("it is not retried (a restore is user-visible)");
    expect(target.journal.count("POST /v1/settings/restore")).toBe(1);
  });

  test("a failure after the POST may have landed is recorded, so the next up does not restore again", async () => {
    const source = await emulator();
    const target = await emulator();
    const backup = await takeBackup(source);
    target.faults.inject({ route: "POST /v1/settings/restore", reset: true });
    const inputs = { connection: connectionOf(target), data: backup.outs.data, password };
    const error = await rejection(restoreProvider.create(inputs));
    expect(error.id).toBe(`${target.url}/v1/settings/restore#${(backup.outs.sha256 as string).slice(0, 16)}`);
    expect(error.properties).toMatchObject({
      sha256: backup.outs.sha256,
      restartRequired: true,
      gatewayStatus: "unknown",
    });
    // Restoring again on purpose is a change a reviewer sees in preview, never `--replace`.
    expect(error.message).toContain("give this resource a new `triggers` value");
    expect(error.message).not.toContain("--replace");
    // The next `pulumi up` diffs against what was recorded: same data, nothing to do.
    expect(await restoreProvider.diff(error.id as string, error.properties as never, inputs)).toEqual({
      changes: false,
      replaces: [],
    });
    expect(target.journal.count("POST /v1/settings/restore")).toBe(1);
  });

  test("an unreachable client: nothing was sent, nothing is recorded", async () => {
    const source = await emulator();
    const target = await emulator();
    const backup = await takeBackup(source);
    await target.close();
    await restoreProvider.configure({ config: { get: (key: string) => ({ "whatsapp:retryBaseDelayMs": "5" })[key] } });
    const error = await rejection(
      restoreProvider.create({ connection: connectionOf(target), data: backup.outs.data, password }),
    );
    expect(error.message).toMatch(/^the restore was not accepted; it is unchanged: .*ECONNREFUSED/);
    expect(error.id).toBeUndefined();
  });

  test("it is replaced only for another client or new triggers; new data only warns; delete sends nothing", async () => {
    const warnings = captureWarnings();
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    const olds = { data: "a", sha256: sha("a"), password, baseUrl: "https://one.example.com" };
    expect(await restoreProvider.diff("id", olds, { data: "b", password })).toEqual({ changes: false, replaces: [] });
    expect(warnings.join("\n")).toContain("the backup changed since this restore");
    expect(await restoreProvider.diff("id", olds, { data: "a", password: "Other-Passw0rd!" })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(await restoreProvider.diff("id", olds, { data: "a", password, triggers: { again: 1 } })).toEqual({
      changes: true,
      replaces: ["triggers"],
    });
    // Another address that cannot say who it is: not replaced, so not restored, on a guess.
    const unsure = await rejection(
      restoreProvider.diff("id", olds, { data: "a", password, connection: { baseUrl: "https://two.example.com" } }),
    );
    expect(unsure.code).toBe("WHATSAPP_UNSURE_CLIENT");
    expect(
      await restoreProvider.diff("id", olds, {
        data: "a",
        password,
        connection: { baseUrl: "HTTPS://ONE.example.com:443/" },
      }),
    ).toEqual({ changes: false, replaces: [] });
    await expect(restoreProvider.delete()).resolves.toBeUndefined();
  });

  test("another client, told by its registered number, replaces the restore, and preview says the replacement restores", async () => {
    const warnings = captureWarnings();
    const one = await emulator({ waId: "15550001111" });
    const two = await emulator({ waId: "15550002222" });
    const olds = { data: "a", sha256: "0".repeat(64), password, baseUrl: one.url, connection: connectionOf(one) };
    const moved = await restoreProvider.diff("id", olds, { data: "a", password, connection: connectionOf(two) });
    expect(moved).toEqual({ changes: true, replaces: ["connection"] });
    expect(warnings.join("\n")).toContain(
      `moving to ${two.url} (${two.url} is registered as 15550002222, not 15550001111)`,
    );
    expect(warnings.join("\n")).toContain("the replacement restores the backup again");
    expect([one, two].map((e) => e.journal.count("POST /v1/settings/restore"))).toEqual([0, 0]);
  });

  test("a restore from stack config keeps its connection secret in state, so re-pointing config at another client asks the old one who it is", async () => {
    // Not waiting for health, the restore never learns its target's number (waId ""); without the
    // stored connection, a later move could not tell the clients apart and would refuse for good.
    const source = await emulator({ waId: "15550001111" });
    const one = await emulator({ waId: "15550001111" });
    const two = await emulator({ waId: "15550002222" });
    const backup = await takeBackup(source);
    await restoreProvider.configure(stackConfigOf(one));
    const inputs = { data: backup.outs.data, password, waitForHealthy: false };
    const { outs } = await restoreProvider.create(inputs);
    expect(outs).toMatchObject({ waId: "", clientConnection: { baseUrl: one.url, password: one.adminPassword } });
    expect(one.journal.count("POST /v1/settings/restore")).toBe(1);
    await one.restart(); // a restore stops a registered client until its Coreapp restarts
    await restoreProvider.configure(stackConfigOf(two));
    one.journal.clear();
    expect(await restoreProvider.diff("id", outs, inputs)).toEqual({ changes: true, replaces: ["connection"] });
    // One read of the old client's number, with the session the restore opened.
    expect(one.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/settings/application"]);
    expect(two.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/users/login",
      "GET /v1/settings/application",
    ]);
  });

  test("triggers that come back from state with their keys in another order, or with the defaults check filled in, restore nothing again", async () => {
    const olds = {
      data: "a",
      password,
      triggers: { week: 1, reason: "migration" },
      baseUrl: "https://one.example.com",
    };
    const { inputs } = await restoreProvider.check(
      {},
      { connection: offline, data: "a", password, triggers: { reason: "migration", week: 1 } },
    );
    expect(inputs).toMatchObject({ waitForHealthy: true, healthTimeoutMs: 300_000 });
    expect(await restoreProvider.diff("id", olds, { ...inputs, connection: undefined })).toEqual({
      changes: false,
      replaces: [],
    });
  });
});
