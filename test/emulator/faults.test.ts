import { request } from "undici";
import { describe, expect, test } from "vitest";
import { call, login } from "../support/api";
import { plainEmulator } from "../support/emulator";

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
