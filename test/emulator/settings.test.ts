import { request } from "undici";
import { describe, expect, test } from "vitest";
import { call, login } from "../support/api";
import { emulator, plainEmulator, settingsOf as settings } from "../support/emulator";

describe("settings", () => {
  test("GET answers the documented shape with defaults, numbers for the back-off delays and meta", async () => {
    const e = await emulator();
    expect(e.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const reply = await call(e, "GET", "/v1/settings/application", { token: await login(e) });
    expect(reply.status).toBe(200);
    expect(reply.json.meta).toEqual({ api_status: "stable", version: "v2.53.2" });
    expect(reply.json.settings.application).toEqual({
      axolotl_context_striping_disabled: false,
      callback_backoff_delay_ms: 3000,
      callback_persist: true,
      garbagecollector_enable: { media: false, messages: true },
      heartbeat_interval: 5,
      log_level: "info",
      max_callback_backoff_delay_ms: 900000,
      media: { auto_download: ["audio", "document", "voice", "video", "image", "sticker"] },
      notify_user_change_number: false,
      sent_status: false,
      show_security_notifications: false,
      skip_referral_media_download: false,
      unhealthy_interval: 30,
      verbose_logging: false,
      wa_id: "16315551019",
      webhooks: { max_concurrent_requests: 6, message: { delivered: true, read: false, sent: true }, url: "" },
    });
  });

  test("the certificate is trusted through the emulator's CA and rejected without it", async () => {
    const e = await emulator();
    await expect(request(`${e.url}/`)).rejects.toThrow(/certificate/);
    const local = e.url.replace("127.0.0.1", "localhost");
    const reply = await call({ ...e, url: local }, "GET", "/");
    expect(reply.status).toBe(200);
  });

  test("an older client knows only the fields of its version", async () => {
    const e = await plainEmulator({ clientVersion: "2.33.4", versionPrefix: "" });
    const reply = await call(e, "GET", "/v1/settings/application", { token: await login(e) });
    expect(reply.json.meta.version).toBe("2.33.4");
    const app = reply.json.settings.application;
    expect(app).toHaveProperty("db_garbagecollector_enable", true);
    expect(app).toHaveProperty("pass_through", false);
    expect(app).not.toHaveProperty("garbagecollector_enable");
    expect(app).not.toHaveProperty("log_level");
    expect(app.webhooks).toEqual({ max_concurrent_requests: 6, url: "" });
  });

  test("PATCH merges only the given keys and answers meta-only", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    const reply = await call(e, "PATCH", "/v1/settings/application", {
      token,
      body: { webhooks: { url: "https://hooks.example.com/wa?auth=s3cret" }, callback_backoff_delay_ms: "4000" },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ meta: { api_status: "stable", version: "v2.53.2" } });
    const app = await settings(e, token);
    expect(app.webhooks).toEqual({
      url: "https://hooks.example.com/wa?auth=s3cret",
      max_concurrent_requests: 6,
      message: { sent: true, delivered: true, read: false },
    });
    expect(app.callback_backoff_delay_ms).toBe(4000);
    expect(app.callback_persist).toBe(true);
  });

  test.each([
    ["null", "null"],
    ["empty", "{}"],
  ] as const)("a mutation can answer %s", async (mutationBody, text) => {
    const e = await plainEmulator({ mutationBody });
    const reply = await call(e, "DELETE", "/v1/settings/application", { token: await login(e) });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe(text);
  });

  test.each([
    [{ callback_persist: "yes" }, "callback_persist"],
    [{ webhooks: { max_concurrent_requests: 7 } }, "webhooks.max_concurrent_requests"],
    [{ webhooks: { url: "http://plain.example.com" } }, "webhooks.url"],
    [{ log_level: "debug" }, "log_level"],
    [{ media: { auto_download: ["gif"] } }, "media.auto_download"],
    [{ heartbeat_interval: -1 }, "heartbeat_interval"],
    [{ callback_backoff_delay_ms: "soon" }, "callback_backoff_delay_ms"],
    [{ garbagecollector_enable: true }, "garbagecollector_enable"],
    [{ pass_through: true }, "pass_through"],
  ])("PATCH %j is refused with 400 / 1009 naming %s, and nothing is written", async (body, name) => {
    const e = await plainEmulator();
    const token = await login(e);
    const reply = await call(e, "PATCH", "/v1/settings/application", {
      token,
      body: { ...body, notify_user_change_number: true },
    });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0]).toMatchObject({ code: 1009, title: "Parameter value is not valid" });
    expect(reply.json.errors[0].details).toContain(name);
    expect((await settings(e, token)).notify_user_change_number).toBe(false);
  });

  test("fields newer than the client are dropped silently; nothing left is 1009", async () => {
    const e = await plainEmulator({ clientVersion: "2.45.1" });
    const token = await login(e);
    const mixed = await call(e, "PATCH", "/v1/settings/application", {
      token,
      body: { log_level: "error", sent_status: true },
    });
    expect(mixed.status).toBe(200);
    const app = await settings(e, token);
    expect(app).not.toHaveProperty("log_level");
    expect(app.sent_status).toBe(true);
    const only = await call(e, "PATCH", "/v1/settings/application", { token, body: { log_level: "error" } });
    expect(only.status).toBe(400);
    expect(only.json.errors[0]).toMatchObject({ code: 1009, details: "No valid parameters provided" });
  });

  test("a body sent without a JSON content type is ignored, as the Webapp does", async () => {
    const e = await plainEmulator();
    const reply = await call(e, "PATCH", "/v1/settings/application", {
      token: await login(e),
      raw: '{"callback_persist":false}',
      contentType: "text/plain",
    });
    expect(reply.json.errors[0]).toMatchObject({ code: 1009, details: "No valid parameters provided" });
  });

  test("DELETE resets every setting to its default", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    await call(e, "PATCH", "/v1/settings/application", { token, body: { sent_status: true, log_level: "fatal" } });
    await call(e, "DELETE", "/v1/settings/application", { token });
    const app = await settings(e, token);
    expect(app.sent_status).toBe(false);
    expect(app.log_level).toBe("info");
  });
});

describe("restart semantics", () => {
  test("a restart-required change is pending until the Coreapp restarts", async () => {
    const e = await plainEmulator({ restartPhaseMs: 30 });
    const token = await login(e);
    await call(e, "PATCH", "/v1/settings/application", {
      token,
      body: { webhooks: { max_concurrent_requests: 12 }, notify_user_change_number: true },
    });
    expect(e.pendingRestart()).toEqual(["webhooks.max_concurrent_requests"]);
    const restarted = e.restart();
    expect(e.gatewayStatus()).toBe("uninitialized");
    const during = await call(e, "GET", "/v1/settings/application", { token });
    expect(during.status).toBe(500);
    expect(during.json.errors[0].code).toBe(1011);
    await expect.poll(() => e.gatewayStatus(), { interval: 5 }).toBe("connecting");
    await restarted;
    expect(e.gatewayStatus()).toBe("connected");
    expect(e.pendingRestart()).toEqual([]);
    expect(e.restarts).toBe(1);
  });

  test("the control endpoint restarts and reports pending fields", async () => {
    const e = await plainEmulator();
    await call(e, "PATCH", "/v1/settings/application", { token: await login(e), body: { log_level: "error" } });
    expect((await call(e, "GET", "/_emulator/state")).json.pending_restart).toEqual(["log_level"]);
    await call(e, "POST", "/_emulator/restart");
    await expect.poll(() => e.gatewayStatus()).toBe("connected");
    expect(e.pendingRestart()).toEqual([]);
  });
});
