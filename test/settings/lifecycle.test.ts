import { describe, expect, test } from "vitest";
import { call, login } from "../support/api";
import {
  captureWarnings,
  checked,
  connectionOf,
  emulator,
  settingsProvider as provider,
  stackConfigOf,
} from "../support/provider";
import { rejection } from "../support/rejection";

const SETTINGS = "/v1/settings/application";

describe("create adopts the client's settings", () => {
  test("it reads once, PATCHes only the fields that differ, reads back, and says what needs a restart", async () => {
    const e = await emulator();
    const warnings = captureWarnings();
    const connection = connectionOf(e);
    const inputs = await checked(
      {},
      {
        connection,
        callbackPersist: true,
        logLevel: "error",
        webhooks: { url: "https://hooks.example.com/wa", maxConcurrentRequests: 6 },
      },
    );
    const { id, outs } = await provider.create(inputs);
    expect(id).toBe(`${e.url}/v1/settings/application`);
    expect(e.journal.entries.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /v1/users/login 200",
      "GET /v1/settings/application 200",
      "PATCH /v1/settings/application 200",
      "GET /v1/settings/application 200",
    ]);
    // callbackPersist already true: not sent; the touched webhooks group goes whole.
    expect(e.journal.filter("PATCH")[0]?.body).toEqual({
      log_level: "error",
      webhooks: {
        url: "https://hooks.example.com/wa",
        max_concurrent_requests: 6,
        message: { sent: true, delivered: true, read: false },
      },
    });
    expect(outs).toEqual({
      connection,
      callbackPersist: true,
      logLevel: "error",
      webhooks: { url: "https://hooks.example.com/wa", maxConcurrentRequests: 6 },
      restartRequired: true,
      restartRequiredFields: ["logLevel"],
      apiVersion: "v2.53.2",
      baseUrl: e.url,
      sharesClient: false,
      waId: e.waId,
    });
    expect(e.pendingRestart()).toEqual(["log_level"]);
    expect(e.getSetting("webhooks.url")).toBe("https://hooks.example.com/wa");
    expect(warnings).toEqual([
      "warning: [runtime] may need a Coreapp restart, if the client's value differs: callbackPersist, webhooks.maxConcurrentRequests, logLevel",
      `warning: [runtime] ${e.url}: restart the Coreapp for logLevel to take effect`,
    ]);
  });

  test("settings already as wanted: no PATCH at all", async () => {
    const e = await emulator();
    const warnings = captureWarnings();
    const { outs } = await provider.create(await checked({}, { connection: connectionOf(e), logLevel: "info" }));
    expect(e.journal.count("PATCH")).toBe(0);
    expect(outs).toMatchObject({ logLevel: "info", restartRequired: false, restartRequiredFields: [] });
    // check cannot know yet that the client already holds it.
    expect(warnings).toEqual([
      "warning: [runtime] may need a Coreapp restart, if the client's value differs: logLevel",
    ]);
  });

  test("a field newer than the client is refused before any write, naming field and version", async () => {
    const e = await emulator({ clientVersion: "2.45.1" });
    const warnings = captureWarnings();
    const inputs = await checked(
      {},
      { connection: connectionOf(e), sentStatus: true, logLevel: "error", garbagecollectorEnable: { media: true } },
    );
    await expect(provider.create(inputs)).rejects.toThrow(
      "the client at v2.45.1 cannot take: garbagecollectorEnable.media needs client v2.49.1 or later; logLevel needs client v2.51.1 or later",
    );
    expect(e.journal.count("PATCH")).toBe(0);
    expect(warnings).toEqual([
      "warning: [runtime] may need a Coreapp restart, if the client's value differs: garbagecollectorEnable.media, logLevel",
    ]);
  });

  test("a deprecated field on a client that dropped it is refused before any write", async () => {
    const e = await emulator();
    const warnings = captureWarnings();
    const inputs = await checked({}, { connection: connectionOf(e), dbGarbagecollectorEnable: false });
    await expect(provider.create(inputs)).rejects.toMatchObject({
      code: "WHATSAPP_VERSION",
      message: expect.stringContaining(
        "dbGarbagecollectorEnable is deprecated since v2.39.0: use garbagecollectorEnable",
      ),
    });
    expect(e.journal.count("PATCH")).toBe(0);
    expect(warnings).toEqual([
      "warning: [runtime] dbGarbagecollectorEnable is deprecated since v2.39.0: use garbagecollectorEnable",
      "warning: [runtime] may need a Coreapp restart, if the client's value differs: dbGarbagecollectorEnable",
    ]);
  });

  test("a field the client silently ignores fails clearly and records what was applied", async () => {
    const e = await emulator({ dropFields: ["skip_referral_media_download"] });
    const inputs = await checked(
      {},
      { connection: connectionOf(e), sentStatus: true, skipReferralMediaDownload: true },
    );
    const error = await rejection(provider.create(inputs));
    expect(error.code).toBe("WHATSAPP_FIELD_IGNORED");
    expect(error.message).toBe(
      "the client (v2.53.2) answered 200 but did not keep: skipReferralMediaDownload. It may not support these fields; check its version.",
    );
    // The resource is recorded as partly created, with the values the client really holds.
    expect(error.id).toBe(`${e.url}/v1/settings/application`);
    expect(error.properties).toMatchObject({ sentStatus: true, skipReferralMediaDownload: false });
    expect(e.getSetting("sent_status")).toBe(true);
  });

  test("the settings from stack config are used when the resource has no connection", async () => {
    const e = await emulator();
    await provider.configure(stackConfigOf(e));
    const { outs } = await provider.create(await checked({}, { sentStatus: true }));
    expect(outs).toMatchObject({ sentStatus: true, baseUrl: e.url });
    expect(outs).not.toHaveProperty("connection");
  });
});

describe("update, read and delete", () => {
  test("update sends one PATCH of the changed fields and reads back once", async () => {
    const e = await emulator();
    const warnings = captureWarnings();
    const connection = connectionOf(e);
    const first = await checked({}, { connection, sentStatus: false, logLevel: "info" });
    const { outs } = await provider.create(first);
    e.journal.clear();
    const news = await checked(first, { connection, sentStatus: true, logLevel: "info" });
    expect(await provider.diff("id", outs, news)).toEqual({ changes: true });
    const updated = await provider.update("id", outs, news);
    expect(e.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual([
      "PATCH /v1/settings/application",
      "GET /v1/settings/application",
    ]);
    expect(e.journal.filter("PATCH")[0]?.body).toEqual({ sent_status: true });
    expect(updated.outs).toMatchObject({ sentStatus: true, restartRequired: false, restartRequiredFields: [] });
    // Only the first check, before anything was read, says a restart may be needed.
    expect(warnings).toEqual([
      "warning: [runtime] may need a Coreapp restart, if the client's value differs: logLevel",
    ]);
  });

  test("a restart-only change is flagged in check, applied by update and pending on the client", async () => {
    const e = await emulator();
    const warnings = captureWarnings();
    const connection = connectionOf(e);
    const first = await checked({}, { connection, webhooks: { maxConcurrentRequests: 6 } });
    const { outs } = await provider.create(first);
    const news = await checked(first, { connection, webhooks: { maxConcurrentRequests: 12 } });
    expect(news).toMatchObject({ restartRequired: true, restartRequiredFields: ["webhooks.maxConcurrentRequests"] });
    const updated = await provider.update("id", outs, news);
    expect(updated.outs).toMatchObject({ restartRequiredFields: ["webhooks.maxConcurrentRequests"] });
    expect(e.pendingRestart()).toEqual(["webhooks.max_concurrent_requests"]);
    // The group has fields the program leaves alone, so it was read before being sent whole.
    expect(e.journal.filter("PATCH").at(-1)?.body).toEqual({
      webhooks: { max_concurrent_requests: 12, url: "", message: { sent: true, delivered: true, read: false } },
    });
    expect(warnings).toEqual([
      "warning: [runtime] may need a Coreapp restart, if the client's value differs: webhooks.maxConcurrentRequests",
      "warning: [runtime] takes effect only after a Coreapp restart: webhooks.maxConcurrentRequests",
      `warning: [runtime] ${e.url}: restart the Coreapp for webhooks.maxConcurrentRequests to take effect`,
    ]);
  });

  test("refresh reads live values once; drift shows in the next diff and leaves no phantom diff after", async () => {
    const e = await emulator();
    const warnings = captureWarnings();
    const connection = connectionOf(e);
    const inputs = await checked({}, { connection, logLevel: "warning", media: { autoDownload: ["image"] } });
    const { id, outs } = await provider.create(inputs);
    e.setSetting("log_level", "fatal");
    e.journal.clear();
    const refreshed = await provider.read(id, outs);
    expect(e.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/settings/application"]);
    expect(refreshed.props).toMatchObject({ logLevel: "fatal", media: { autoDownload: ["image"] } });
    expect(refreshed.inputs).toMatchObject({ logLevel: "fatal", connection });
    // The program still says "warning": the next preview shows the drift ...
    const news = await checked(refreshed.inputs, {
      connection,
      logLevel: "warning",
      media: { autoDownload: ["image"] },
    });
    expect(await provider.diff(id, refreshed.props, news)).toEqual({ changes: true });
    // ... and a program that adopted the live value has nothing to do.
    const same = await checked(refreshed.inputs, { connection, logLevel: "fatal", media: { autoDownload: ["image"] } });
    expect(await provider.diff(id, refreshed.props, same)).toEqual({ changes: false });
    expect(warnings).toEqual([
      "warning: [runtime] may need a Coreapp restart, if the client's value differs: logLevel",
      `warning: [runtime] ${e.url}: restart the Coreapp for logLevel to take effect`,
      "warning: [runtime] takes effect only after a Coreapp restart: logLevel",
    ]);
  });

  test('a client that leaves a cleared webhook URL out of its answer: webhooks.url "" reads back as "", no diff after each refresh', async () => {
    const e = await emulator();
    const connection = connectionOf(e);
    const answer = (await call(e, "GET", SETTINGS, { token: await login(e) })).json;
    expect(answer.settings.application.webhooks.url).toBe("");
    delete answer.settings.application.webhooks.url;
    e.faults.inject({ route: `GET ${SETTINGS}`, body: JSON.stringify(answer) });
    e.journal.clear();
    const inputs = await checked({}, { connection, webhooks: { url: "" } });
    const { id, outs } = await provider.create(inputs);
    // Absent counts as cleared: nothing to send.
    expect(e.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/users/login", `GET ${SETTINGS}`]);
    let state = outs;
    for (const _refresh of [1, 2]) {
      const refreshed = await provider.read(id, state);
      expect(refreshed.props).toMatchObject({ webhooks: { url: "" } });
      const news = await checked(refreshed.inputs, { connection, webhooks: { url: "" } });
      expect(await provider.diff(id, refreshed.props, news)).toEqual({ changes: false });
      state = refreshed.props;
    }
    expect(e.journal.entries.filter((r) => r.method !== "GET" && r.path === SETTINGS)).toEqual([]);
  });

  test("delete resets the whole client to its defaults", async () => {
    const e = await emulator();
    const warnings = captureWarnings();
    const { outs } = await provider.create(await checked({}, { connection: connectionOf(e), sentStatus: true }));
    await provider.shutdown(); // a later deployment: a fresh provider process
    e.setSetting("heartbeat_interval", 9);
    await provider.delete("id", outs);
    expect(e.journal.count("DELETE /v1/settings/application")).toBe(1);
    expect(e.getSetting("sent_status")).toBe(false);
    expect(e.getSetting("heartbeat_interval")).toBe(5);
    expect(warnings).toEqual([
      `warning: [runtime] ${e.url}: reset every application setting (DELETE /v1/settings/application); changed back to the default: heartbeatInterval, sentStatus`,
    ]);
  });

  test("delete does not reset what the renamed resource manages (rename: create, then delete the old name)", async () => {
    const e = await emulator();
    const warnings = captureWarnings();
    const connection = connectionOf(e);
    const old = await provider.create(await checked({}, { connection, sentStatus: true }));
    await provider.shutdown();
    // The renamed resource is checked and created first, then the old name is deleted, in one deployment.
    await provider.create(await checked({}, { connection, sentStatus: true }));
    e.journal.clear();
    await provider.delete("id", old.outs);
    expect(e.journal.count("DELETE")).toBe(0);
    expect(e.journal.count("PATCH")).toBe(0);
    expect(e.getSetting("sent_status")).toBe(true);
    expect(warnings.join("\n")).toContain(
      "not reset: every setting this resource managed (sentStatus) is managed by another ApplicationSettings",
    );
  });
});

describe("two resources setting one field of one client", () => {
  const settings = (e: Awaited<ReturnType<typeof emulator>>, resource: string, fields: Record<string, unknown>) => ({
    connection: connectionOf(e),
    ...fields,
    __resourceName: resource,
  });

  test("set to different values, the second fails check naming the field, the client and the first resource", async () => {
    const e = await emulator();
    expect((await provider.check({}, settings(e, "main", { logLevel: "warning" }))).failures).toEqual([]);
    expect((await provider.check({}, settings(e, "tuning", { logLevel: "error", sentStatus: true }))).failures).toEqual(
      [
        {
          property: "logLevel",
          reason:
            `is set to another value on ${e.url} by ApplicationSettings "main" too: two resources setting one ` +
            "field of one client overwrite each other; set it in one of them",
        },
      ],
    );
    expect(e.journal.entries).toEqual([]);
  });

  test.each([
    ["the same resource checked again (preview, then up)", "main", { logLevel: "error" }, "same"],
    ["another resource setting it to the same value", "tuning", { logLevel: "warning" }, "same"],
    ["another resource setting other fields", "tuning", { sentStatus: true }, "same"],
    ["another resource on another client", "tuning", { logLevel: "error" }, "other"],
  ])("%s is no conflict", async (_title, resource, fields, client) => {
    const e = await emulator();
    const other = await emulator();
    expect((await provider.check({}, settings(e, "main", { logLevel: "warning" }))).failures).toEqual([]);
    const second = settings(client === "same" ? e : other, resource, fields);
    expect((await provider.check({}, second)).failures).toEqual([]);
  });
});

/**
 * Check compares resources by address (it is offline); the same client reached at two addresses
 * shows only once its registered number is read: in a diff (state has it) or a create's first read.
 */
describe("two resources setting one field of one client reached at two addresses", () => {
  const at = (e: Awaited<ReturnType<typeof emulator>>, host: string, resource: string, logLevel: string) => ({
    connection: connectionOf(e, { baseUrl: e.url.replace("127.0.0.1", host) }),
    logLevel,
    __resourceName: resource,
  });

  test("both new: the second create is refused after its one read, nothing written for it", async () => {
    const e = await emulator();
    const first = await checked({}, at(e, "127.0.0.1", "main", "warning"));
    const second = await checked({}, at(e, "localhost", "tuning", "error"));
    await provider.create(first);
    e.journal.clear();
    const refused = await rejection(provider.create(second));
    expect(refused).toMatchObject({ code: "WHATSAPP_SETTINGS_CONFLICT", fields: ["logLevel"] });
    expect(refused.message).toContain(`reached at ${e.url}`);
    expect(e.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/users/login",
      "GET /v1/settings/application",
    ]);
    expect(e.getSetting("log_level")).toBe("warning");
  });

  test("one already in state: its diff is refused once the other has claimed the client, in preview too", async () => {
    const e = await emulator();
    const { outs } = await provider.create(await checked({}, at(e, "127.0.0.1", "main", "warning")));
    await provider.shutdown(); // the next deployment
    await provider.create(await checked({}, at(e, "localhost", "tuning", "error")));
    const news = await checked(outs, at(e, "127.0.0.1", "main", "warning"));
    e.journal.clear();
    expect(await rejection(provider.diff("id", outs, news))).toMatchObject({ code: "WHATSAPP_SETTINGS_CONFLICT" });
    expect(e.journal.entries).toEqual([]);
  });

  test("the same value at both addresses is no conflict", async () => {
    const e = await emulator();
    await provider.create(await checked({}, at(e, "127.0.0.1", "main", "warning")));
    await provider.create(await checked({}, at(e, "localhost", "tuning", "warning")));
    expect(e.journal.count("PATCH")).toBe(1);
  });
});

describe("a removed resource that set a field another resource sets differently", () => {
  test("its delete sets the field back to the remaining resource's value in one PATCH, resets nothing else", async () => {
    // As after `up --target` deployed the second resource without checking the first: both applied.
    const e = await emulator();
    const warnings = captureWarnings();
    const connection = connectionOf(e);
    const kept = await provider.create(await checked({}, { connection, logLevel: "warning" }));
    const removed = await provider.create(await checked({}, { connection, logLevel: "error", sentStatus: true }));
    await provider.shutdown(); // the next deployment checks only the remaining resource
    await checked(kept.outs, { connection, logLevel: "warning", __resourceName: "main" });
    e.journal.clear();
    await provider.delete("id", removed.outs);
    expect(e.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/users/login",
      "GET /v1/settings/application",
      "PATCH /v1/settings/application",
    ]);
    expect(e.journal.filter("PATCH")[0]?.body).toEqual({ log_level: "warning", sent_status: false });
    expect(e.getSetting("log_level")).toBe("warning");
    expect(warnings.join("\n")).toContain(
      `${e.url}: set logLevel back to the value another ApplicationSettings of this program sets`,
    );
  });

  test("the same value as the remaining resource: nothing read, nothing sent", async () => {
    const e = await emulator();
    const connection = connectionOf(e);
    await provider.create(await checked({}, { connection, logLevel: "warning" }));
    const removed = await provider.create(await checked({}, { connection, logLevel: "warning" }));
    await provider.shutdown();
    await checked({}, { connection, logLevel: "warning", __resourceName: "main" });
    e.journal.clear();
    await provider.delete("id", removed.outs);
    expect(e.journal.entries).toEqual([]);
  });
});
