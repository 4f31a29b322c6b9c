import { describe, expect, test } from "vitest";
import { call, login } from "../support/api";
import { plainEmulator } from "../support/emulator";
import { FACTORY_PASSWORD } from "./index";

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
