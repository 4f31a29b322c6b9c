import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { request } from "undici";
import { describe, expect, test } from "vitest";
import { call, login } from "../support/api";
import { emulator } from "../support/emulator";
import { type Emulator, type EmulatorOptions, FACTORY_PASSWORD } from "./index";

/** The emulator's own tests speak plain HTTP, its default, unless they are about TLS. */
function plainEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return emulator({ https: false, ...options });
}

async function settings(e: Emulator, token: string) {
  return (await call(e, "GET", "/v1/settings/application", { token })).json.settings.application;
}

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

describe("authentication", () => {
  test("login answers a token and an expiry in the client's own format", async () => {
    const e = await plainEmulator({ tokenLifetimeSeconds: 604800 });
    const reply = await call(e, "POST", "/v1/users/login", { basic: ["admin", e.adminPassword] });
    expect(reply.status).toBe(200);
    expect(reply.json.users).toHaveLength(1);
    expect(reply.json.users[0].token.split(".")).toHaveLength(3);
    expect(reply.json.users[0].expires_after).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/);
    const expires = Date.parse(reply.json.users[0].expires_after.replace(" ", "T"));
    expect(expires - Date.now()).toBeGreaterThan(604790_000);
    expect(reply.json.meta.version).toBe("v2.53.2");
  });

  test("the factory password must be changed on first login, to a strong one", async () => {
    const e = await plainEmulator({ adminPassword: null });
    const required = await call(e, "POST", "/v1/users/login", { basic: ["admin", FACTORY_PASSWORD] });
    expect(required.status).toBe(401);
    expect(required.json.errors[0]).toMatchObject({ code: 1024, title: "Password Change Required" });
    const weak = await call(e, "POST", "/v1/users/login", {
      basic: ["admin", FACTORY_PASSWORD],
      body: { new_password: "password" },
    });
    expect(weak.status).toBe(400);
    expect(weak.json.errors[0].code).toBe(1009);
    const changed = await call(e, "POST", "/v1/users/login", {
      basic: ["admin", FACTORY_PASSWORD],
      body: { new_password: "N3w-Passw0rd!" },
    });
    expect(changed.status).toBe(200);
    expect(e.adminPassword).toBe("N3w-Passw0rd!");
    expect((await call(e, "POST", "/v1/users/login", { basic: ["admin", "N3w-Passw0rd!"] })).status).toBe(200);
  });

  test("logout revokes only the token it is sent with", async () => {
    const e = await plainEmulator();
    const first = await login(e);
    const second = await login(e);
    expect((await call(e, "POST", "/v1/users/logout", { token: first })).json).toEqual({ meta: expect.any(Object) });
    expect((await call(e, "GET", "/v1/settings/application", { token: first })).status).toBe(401);
    expect((await call(e, "GET", "/v1/settings/application", { token: second })).status).toBe(200);
  });

  test.each([
    ["no header", undefined],
    ["a forged token", "abc.def.ghi"],
  ])("%s is 401 / 1005", async (_name, token) => {
    const e = await plainEmulator();
    const reply = await call(e, "GET", "/v1/settings/application", token ? { token } : {});
    expect(reply.status).toBe(401);
    expect(reply.json.errors[0]).toMatchObject({ code: 1005, title: "Access denied" });
  });

  test("tokens expire after their lifetime, by the emulator's clock", async () => {
    const e = await plainEmulator({ tokenLifetimeSeconds: 60 });
    const token = await login(e);
    e.clock.advance(61_000);
    const reply = await call(e, "GET", "/v1/settings/application", { token });
    expect(reply.status).toBe(401);
    expect(reply.json.errors[0].code).toBe(1005);
  });

  test("a user without the admin role gets 403 / 1005 on settings", async () => {
    const e = await plainEmulator({ users: [{ username: "ops", password: "0ps-Passw0rd!" }] });
    const token = await login(e, "ops", "0ps-Passw0rd!");
    const reply = await call(e, "GET", "/v1/settings/application", { token });
    expect(reply.status).toBe(403);
    expect(reply.json.errors[0]).toMatchObject({ code: 1005, details: "User doesn't have permission" });
  });

  test("failed logins are rate-limited with 429 / 1015", async () => {
    const e = await plainEmulator({ failedLoginLimit: 3 });
    for (let i = 0; i < 3; i++) {
      expect((await call(e, "POST", "/v1/users/login", { basic: ["admin", "wrong"] })).status).toBe(401);
    }
    const limited = await call(e, "POST", "/v1/users/login", { basic: ["admin", e.adminPassword] });
    expect(limited.status).toBe(429);
    expect(limited.json.errors[0]).toMatchObject({ code: 1015, title: "Too many requests" });
    e.clock.advance(3_600_001);
    expect((await call(e, "POST", "/v1/users/login", { basic: ["admin", e.adminPassword] })).status).toBe(200);
  });
});

describe("envelope and errors", () => {
  test("malformed JSON is 400 / 1025", async () => {
    const e = await plainEmulator();
    const reply = await call(e, "PATCH", "/v1/settings/application", { token: await login(e), raw: "{oops" });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({
      meta: { version: "v2.53.2" },
      errors: [{ code: 1025, title: "Invalid Request" }],
    });
  });

  test("an unknown path is 404 / 1006 and the request id is echoed", async () => {
    const e = await plainEmulator();
    const reply = await call(e, "GET", "/v1/nothing", { headers: { "x-request-id": "req-42" } });
    expect(reply.status).toBe(404);
    expect(reply.json.errors[0]).toMatchObject({ code: 1006, details: "URL path not found" });
    expect(reply.headers["x-request-id"]).toBe("req-42");
  });
});

describe("health", () => {
  test("Bearer and Apikey are both accepted; a wrong key is 401", async () => {
    const e = await plainEmulator({ apiKey: "probe-key-123456" });
    const bearer = await call(e, "GET", "/v1/health", { token: await login(e) });
    expect(bearer.json.health).toEqual({ gateway_status: "connected" });
    const key = await call(e, "GET", "/v1/health", { headers: { authorization: "Apikey probe-key-123456" } });
    expect(key.status).toBe(200);
    const wrong = await call(e, "GET", "/v1/health", { headers: { authorization: "Apikey nope" } });
    expect(wrong.status).toBe(401);
  });

  test("multiconnect answers a map of nodes with roles; an unregistered client says so", async () => {
    const multi = await plainEmulator({ multiconnect: true });
    const nodes = (await call(multi, "GET", "/v1/health", { token: await login(multi) })).json.health;
    expect(Object.values(nodes)).toEqual([
      { gateway_status: "connected", role: "primary_master" },
      { gateway_status: "connected", role: "coreapp" },
    ]);
    const fresh = await plainEmulator({ waId: null });
    const health = await call(fresh, "GET", "/v1/health", { token: await login(fresh) });
    expect(health.json.health.gateway_status).toBe("unregistered");
  });
});

describe("media providers", () => {
  test("one provider per POST, listed by GET, removed by DELETE", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    const path = "/v1/settings/application/media/providers";
    const two = [
      { name: "a", type: "www", config: { bearer: "t" } },
      { name: "b", type: "www", config: { bearer: "t" } },
    ];
    expect((await call(e, "POST", path, { token, body: two })).json.errors[0].details).toBe(
      "Can only add 1 config at a time",
    );
    expect((await call(e, "POST", path, { token, body: [{ name: "a", type: "www" }] })).json.errors[0].code).toBe(1008);
    const basic = { name: "cdn", type: "www", config: { basic: { username: "u", password: "p" } } };
    expect((await call(e, "POST", path, { token, body: [basic] })).status).toBe(200);
    expect((await call(e, "GET", path, { token })).json.settings.application.media.providers).toEqual([basic]);
    expect((await call(e, "DELETE", `${path}/cdn`, { token })).status).toBe(200);
    expect((await call(e, "DELETE", `${path}/cdn`, { token })).status).toBe(404);
  });
});

describe("backup and restore", () => {
  const password = "Backup-Passw0rd!";

  test("a backup moves settings and registration to an unregistered client", async () => {
    const source = await emulator({ waId: "15550001111" });
    const target = await plainEmulator({ waId: null });
    const sourceToken = await login(source);
    await call(source, "PATCH", "/v1/settings/application", { token: sourceToken, body: { sent_status: true } });
    const backup = await call(source, "POST", "/v1/settings/backup", { token: sourceToken, body: { password } });
    expect(backup.status).toBe(200);
    const data: string = backup.json.settings.data;
    expect(Buffer.from(data, "base64").toString("latin1")).not.toContain("sent_status");
    const token = await login(target);
    const restore = await call(target, "POST", "/v1/settings/restore", { token, body: { password, data } });
    expect(restore.json).toEqual({ meta: expect.any(Object) });
    expect(target.registered).toBe(true);
    expect(target.gatewayStatus()).toBe("connected");
    const app = await settings(target, token);
    expect(app.sent_status).toBe(true);
    expect(app.wa_id).toBe("15550001111");
  });

  test.each([
    ["a wrong password", (d: string) => d, "Wr0ng-Passw0rd!"],
    ["tampered data", (d: string) => `${d.slice(0, -8)}AAAAAAA=`, password],
  ])("%s is refused and changes nothing", async (_name, mangle, restorePassword) => {
    const source = await plainEmulator();
    const target = await plainEmulator();
    const data = (await call(source, "POST", "/v1/settings/backup", { token: await login(source), body: { password } }))
      .json.settings.data;
    await call(source, "PATCH", "/v1/settings/application", {
      token: await login(source),
      body: { sent_status: true },
    });
    const token = await login(target);
    const reply = await call(target, "POST", "/v1/settings/restore", {
      token,
      body: { password: restorePassword, data: mangle(data) },
    });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0].code).toBe(1009);
    expect(target.gatewayStatus()).toBe("connected");
    expect((await settings(target, token)).sent_status).toBe(false);
  });

  test("backup needs a password and a registered client", async () => {
    const e = await plainEmulator({ waId: null });
    const token = await login(e);
    expect((await call(e, "POST", "/v1/settings/backup", { token, body: {} })).json.errors[0].code).toBe(1008);
    const unregistered = await call(e, "POST", "/v1/settings/backup", { token, body: { password } });
    expect(unregistered.status).toBe(400);
    expect(unregistered.json.errors[0].details).toMatch(/registered/);
  });

  test("restoring onto a registered client stops it until it is restarted", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    const data = (await call(e, "POST", "/v1/settings/backup", { token, body: { password } })).json.settings.data;
    expect((await call(e, "POST", "/v1/settings/restore", { token, body: { password, data } })).status).toBe(200);
    const down = await call(e, "GET", "/v1/settings/application", { token });
    expect(down.status).toBe(500);
    expect(down.json.errors[0]).toMatchObject({ code: 1014 });
    expect(down.json.errors[0].details).toMatch(/check if wacore is running/);
    expect((await call(e, "GET", "/v1/health", { token })).status).toBe(500);
    expect((await call(e, "POST", "/v1/users/login", { basic: ["admin", e.adminPassword] })).status).toBe(200);
    await e.restart();
    expect((await call(e, "GET", "/v1/settings/application", { token })).status).toBe(200);
  });

  test("with auto-restart the client comes back by itself", async () => {
    const e = await plainEmulator({ autoRestartMs: 50, restartPhaseMs: 10 });
    const token = await login(e);
    const data = (await call(e, "POST", "/v1/settings/backup", { token, body: { password } })).json.settings.data;
    await call(e, "POST", "/v1/settings/restore", { token, body: { password, data } });
    expect(e.gatewayStatus()).toBe("disconnected");
    await expect.poll(() => e.gatewayStatus(), { timeout: 2000 }).toBe("connected");
    expect(e.restarts).toBe(1);
  });
});

describe("faults and journal", () => {
  test("the next N requests on a route answer 429 with Retry-After", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    e.faults.inject({ route: "GET /v1/settings/application", status: 429, retryAfter: 2, times: 2 });
    const first = await call(e, "GET", "/v1/settings/application", { token });
    expect(first.status).toBe(429);
    expect(first.headers["retry-after"]).toBe("2");
    expect(first.json.errors[0].code).toBe(1015);
    expect((await call(e, "GET", "/v1/settings/application", { token })).status).toBe(429);
    expect((await call(e, "GET", "/v1/settings/application", { token })).status).toBe(200);
  });

  test.each([
    [500, 1014, 500],
    [503, 1016, 503],
    [undefined, 1011, 500],
  ])("status %s / code %s answers HTTP %s with the API envelope", async (status, code, http) => {
    const e = await plainEmulator();
    e.faults.inject({ route: "/v1/health", ...(status ? { status } : {}), code, times: 1 });
    const reply = await call(e, "GET", "/v1/health", { token: await login(e) });
    expect(reply.status).toBe(http);
    expect(reply.json.errors[0].code).toBe(code);
  });

  test("a 502 from the proxy in front is an HTML page", async () => {
    const e = await plainEmulator();
    e.faults.inject({ status: 502, times: 1 });
    const reply = await call(e, "GET", "/v1/health");
    expect(reply.status).toBe(502);
    expect(reply.text).toContain("Bad Gateway");
  });

  test("a seeded fraction of requests fails, the same ones on every run", async () => {
    const statuses = async () => {
      const e = await plainEmulator({ seed: 7 });
      e.faults.inject({ route: "/v1/health", status: 503, fraction: 0.5 });
      const token = await login(e);
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) seen.push((await call(e, "GET", "/v1/health", { token })).status);
      return seen;
    };
    const first = await statuses();
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(await statuses()).toEqual(first);
  });

  test("connection resets and hung responses", async () => {
    const e = await plainEmulator();
    e.faults.inject({ route: "/v1/health", reset: true, times: 1 });
    await expect(call(e, "GET", "/v1/health")).rejects.toThrow(/other side closed|socket|reset/i);
    e.faults.inject({ route: "/v1/users/login", hang: true, times: 1 });
    await expect(call(e, "POST", "/v1/users/login", { timeoutMs: 200 })).rejects.toThrow(/timeout/i);
  });

  test("latency is added to every answer", async () => {
    const e = await plainEmulator();
    e.faults.setLatency({ fixedMs: 60 });
    const started = performance.now();
    await call(e, "GET", "/");
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  test("revoked tokens are refused", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    e.revokeTokens();
    expect((await call(e, "GET", "/v1/settings/application", { token })).status).toBe(401);
  });

  test("the journal records each request with secrets masked and the connection it came on", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    await call(e, "PATCH", "/v1/settings/application", {
      token,
      body: { webhooks: { url: "https://hooks.example.com/in?auth=hunter2" } },
    });
    await call(e, "POST", "/v1/settings/backup", { token, body: { password: "Backup-Passw0rd!" } });
    expect(e.journal.count()).toBe(3);
    expect(e.journal.count("PATCH /v1/settings/application")).toBe(1);
    expect(e.journal.count("POST")).toBe(2);
    const text = JSON.stringify(e.journal.entries);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("Backup-Passw0rd!");
    expect(e.journal.filter("PATCH")[0]).toMatchObject({
      status: 200,
      body: { webhooks: { url: "https://hooks.example.com/in?[secret]" } },
    });
    // keep-alive: the three requests did not each need a connection of their own
    expect(e.journal.socketCount()).toBeLessThan(3);
    expect(e.journal.entries.every((entry) => entry.socket > 0)).toBe(true);
  });
});

describe("faults for secrets and transport", () => {
  test.each([
    ["plain", (t: string) => t],
    ["json", (t: string) => JSON.stringify(t).slice(1, -1).replace(/\//g, "\\/")],
    ["percent", (t: string) => encodeURIComponent(t)],
    ["form", (t: string) => new URLSearchParams({ x: t }).toString().slice(2)],
    ["base64", (t: string) => Buffer.from(t).toString("base64")],
  ] as const)("an echo fault repeats the Authorization header and body, %s", async (form, encode) => {
    const e = await plainEmulator();
    const token = await login(e);
    e.faults.inject({ route: "PATCH /v1/settings/application", echo: form, times: 1 });
    const body = { webhooks: { url: "https://h.example/wa?auth=S3cret/x" } };
    const reply = await call(e, "PATCH", "/v1/settings/application", { token, body });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0]).toMatchObject({
      code: 1009,
      details: encode(`Bearer ${token} ${JSON.stringify(body)}`),
    });
  });

  test("a drip fault sends the answer a byte at a time, headers first", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    e.faults.inject({ route: "GET /v1/health", dripMs: 5 });
    const started = performance.now();
    const reply = await call(e, "GET", "/v1/health", { token });
    expect(reply.json.health).toEqual({ gateway_status: "connected" });
    // One byte per 5 ms: the whole answer takes at least its length × 5 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(reply.text.length * 5 * 0.8);
  });

  test("an endless drip keeps the answer open past its body, beyond any idle timeout", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    e.faults.inject({ route: "GET /v1/health", dripMs: 5, dripForever: true });
    const response = await request(`${e.url}/v1/health`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(1_000),
    });
    let received = 0;
    const outcome = await (async () => {
      for await (const chunk of response.body) received += (chunk as Buffer).length;
      return "completed";
    })().catch((error: Error) => error.name);
    expect(outcome).toBe("TimeoutError");
    // The answer is about 40 bytes; spaces kept coming after it.
    expect(received).toBeGreaterThan(60);
  });

  test("a stringValues fault answers numbers and booleans as strings, meta untouched", async () => {
    const e = await plainEmulator();
    const token = await login(e);
    e.faults.inject({ route: "GET /v1/settings/application", stringValues: true });
    const reply = await call(e, "GET", "/v1/settings/application", { token });
    expect(reply.json.settings.application).toMatchObject({
      callback_persist: "true",
      heartbeat_interval: "5",
      webhooks: { max_concurrent_requests: "6", message: { read: "false" } },
    });
    expect(reply.json.meta).toEqual({ api_status: "stable", version: "v2.53.2" });
  });

  test("clockOffsetMs puts a fresh token's expires_after in the caller's past, and the token still works", async () => {
    const e = await plainEmulator({ clockOffsetMs: -8 * 86_400_000 });
    const reply = await call(e, "POST", "/v1/users/login", { basic: ["admin", e.adminPassword] });
    const expires = Date.parse(String(reply.json.users[0].expires_after).replace(" ", "T"));
    expect(expires).toBeLessThan(Date.now());
    expect((await call(e, "GET", "/v1/health", { token: reply.json.users[0].token })).status).toBe(200);
  });
});

describe("command line", () => {
  test("npm run emulator prints the URL, the credentials and the CA file, and restarts on SIGHUP", async () => {
    const child = spawn(process.execPath, ["dist/test/emulator/cli.js", "--port", "0", "--https"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      let output = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        output += chunk;
      });
      await expect.poll(() => output, { timeout: 10_000 }).toMatch(/version: .*\n/);
      const lines = Object.fromEntries(
        output
          .trim()
          .split("\n")
          .map((l) => l.split(": ") as [string, string]),
      );
      expect(lines.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.username).toBe("admin");
      const e = { url: lines.url, caCert: readFileSync(lines["ca-cert"] as string, "utf8") } as Emulator;
      const token = await login(e, "admin", lines.password);
      await call(e, "PATCH", "/v1/settings/application", { token, body: { log_level: "error" } });
      expect((await call(e, "GET", "/_emulator/state")).json.pending_restart).toEqual(["log_level"]);
      child.kill("SIGHUP");
      await expect.poll(() => output, { timeout: 5000 }).toContain("coreapp restarted");
      expect((await call(e, "GET", "/_emulator/state")).json.pending_restart).toEqual([]);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});
