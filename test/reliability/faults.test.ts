import { describe, expect, test } from "vitest";
import { type RetryPolicy, WhatsAppClient } from "../../provider/client";
import { causeCode, certainlyNotApplied } from "../../provider/errors";
import { getSettings, patchSettings } from "../../provider/settings/api";
import type { FaultRule } from "../emulator/index";
import { captureWarnings, connectionOf, emulator, settingsProvider as provider } from "../support/provider";
import { rejection } from "../support/rejection";

const FAST: RetryPolicy = { attempts: 5, baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 2_000, deadlineMs: 5_000 };
const SETTINGS = "GET /v1/settings/application";

async function client(options: Parameters<typeof emulator>[0] = {}, retry = FAST, extra: Record<string, unknown> = {}) {
  const e = await emulator(options);
  const retries: string[] = [];
  const api = new WhatsAppClient(connectionOf(e, extra) as never, { retry, onRetry: (m) => retries.push(m) });
  return { e, api, retries };
}

describe("idempotent calls ride out transient faults", () => {
  test.each<[string, FaultRule]>([
    ["429 / 1015 with Retry-After", { status: 429, retryAfter: 0 }],
    ["429 / 1015 without Retry-After", { status: 429 }],
    ["500 / 1014 (Coreapp unreachable)", { code: 1014 }],
    ["500 / 1011 (service not ready)", { code: 1011 }],
    ["503 / 1016 (overloaded)", { status: 503, code: 1016 }],
    ["500 / 1017 (not primary master)", { code: 1017 }],
    ["500 / 1018 (not primary Coreapp)", { code: 1018 }],
    ["502 from a proxy (HTML)", { status: 502 }],
    ["a connection reset", { reset: true }],
  ])("%s twice, then success", async (_name, fault) => {
    const { e, api, retries } = await client();
    await api.token();
    e.faults.inject({ route: SETTINGS, times: 2, ...fault });
    const { application } = await getSettings(api);
    expect(application.log_level).toBe("info");
    expect(e.journal.count(SETTINGS)).toBe(3);
    expect(retries).toHaveLength(2);
    expect(e.journal.filter(SETTINGS).at(-1)?.status).toBe(200);
  });

  test("a persistent fault gives up after the attempts and says five identical failures once", async () => {
    const { e, api } = await client();
    e.faults.inject({ route: SETTINGS, status: 503, code: 1016 });
    const error = await rejection(getSettings(api));
    expect(error.code).toBe("WHATSAPP_API");
    expect(error.status).toBe(503);
    expect(error.apiCode).toBe(1016);
    // Five times the same failure is said once.
    expect(error.message).toBe(
      "GET /v1/settings/application failed: 503 1016 System overloaded (Injected fault) (gave up after 5 attempts, each failing the same way)",
    );
    expect(error.attempts).toHaveLength(5);
    expect(e.journal.count(SETTINGS)).toBe(5);
  });

  test("Retry-After is honoured", async () => {
    const { e, api, retries } = await client();
    await api.token();
    e.faults.inject({ route: SETTINGS, status: 429, retryAfter: 1, times: 1 });
    const started = performance.now();
    await getSettings(api);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(retries[0]).toMatch(/retrying in 1000 ms$/);
  });

  test("a Retry-After longer than the policy allows fails at once", async () => {
    const { e, api } = await client();
    await api.token();
    e.faults.inject({ route: SETTINGS, status: 429, retryAfter: 3600 });
    const error = await rejection(getSettings(api));
    expect(error.status).toBe(429);
    expect(e.journal.count(SETTINGS)).toBe(1);
  });

  test("a refused connection is retried and reported with its cause", async () => {
    const { e, api } = await client();
    await e.close();
    const error = await rejection(getSettings(api));
    expect(error.code).toBe("WHATSAPP_NETWORK");
    expect(error.message).toContain("ECONNREFUSED");
    // Seen through the wrapper, so even a restore knows it was never sent.
    expect(causeCode(error)).toBe("ECONNREFUSED");
    expect(certainlyNotApplied(error)).toBe(true);
    expect(error.message).toContain("gave up after 5 attempts");
  });

  test("validation errors are not retried", async () => {
    const { e, api } = await client();
    const error = await rejection(patchSettings(api, { log_level: "loud" }));
    expect(error).toMatchObject({ code: "WHATSAPP_API", status: 400, apiCode: 1009 });
    expect(e.journal.count("PATCH")).toBe(1);
  });
});

describe("nothing hangs", () => {
  test("a hung response hits timeoutMs, and the retry gets through", async () => {
    const { e, api } = await client({}, FAST, { timeoutMs: 200 });
    await api.token();
    e.faults.inject({ route: SETTINGS, hang: true, times: 1 });
    await getSettings(api);
    expect(e.journal.count(SETTINGS)).toBe(2);
  });

  test("responses that never come stop at the operation deadline", async () => {
    const { e, api } = await client({}, { ...FAST, attempts: 20, deadlineMs: 700 }, { timeoutMs: 200 });
    await api.token();
    e.faults.inject({ route: SETTINGS, hang: true });
    const started = performance.now();
    const error = await rejection(getSettings(api));
    expect(error.code).toBe("WHATSAPP_TIMEOUT");
    expect(error.message).toMatch(
      /no complete answer within (200 ms \(timeoutMs\)|the retry deadline \(700 ms after the first attempt\))/,
    );
    // 20 attempts of 200 ms would take over 4 s; the deadline stops it well before.
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(e.journal.count(SETTINGS)).toBeLessThan(6);
  });
});

describe("the provider across faults", () => {
  async function fastProvider(baseDelayMs = "10") {
    await provider.configure({ config: { get: (key: string) => ({ "whatsapp:retryBaseDelayMs": baseDelayMs })[key] } });
  }

  test("a Coreapp restarting mid-apply is waited for; refresh afterwards shows the live state", async () => {
    // Two phases of 300 ms: the create's first request meets the restart even on a busy machine,
    // and five attempts from 100 ms apart (0, 100, 300, 700, 1500 ms) outlast it.
    const e = await emulator({ restartPhaseMs: 300 });
    await fastProvider("100");
    const restarting = e.restart();
    const { id, outs } = await provider.create({ connection: connectionOf(e), sentStatus: true });
    await restarting;
    expect(e.journal.filter().some((r) => r.code === 1011)).toBe(true);
    expect(e.getSetting("sent_status")).toBe(true);
    expect((await provider.read(id, outs)).props).toMatchObject({ sentStatus: true });
  });

  test("a read-back that fails after the PATCH landed records what was applied (id + properties)", async () => {
    const e = await emulator();
    await fastProvider();
    // The read before the PATCH gets through; the read-back after it does not.
    e.faults.inject({ route: SETTINGS, status: 503, code: 1016, after: 1 });
    const error = await rejection(
      provider.create({ connection: connectionOf(e), sentStatus: true, logLevel: "error" }),
    );
    expect(error.message).toContain("GET /v1/settings/application failed: 503 1016");
    expect(error.id).toBe(`${e.url}/v1/settings/application`);
    expect(error.properties).toMatchObject({
      sentStatus: true,
      logLevel: "error",
      restartRequiredFields: ["logLevel"],
    });
    expect(e.getSetting("sent_status")).toBe(true);
  });

  test("a PATCH that keeps failing records the client as it was before, so the next up tries again", async () => {
    const e = await emulator();
    await fastProvider();
    e.faults.inject({ route: "PATCH /v1/settings/application", code: 1014 });
    const error = await rejection(provider.create({ connection: connectionOf(e), sentStatus: true }));
    expect(error.id).toBe(`${e.url}/v1/settings/application`);
    expect(error.properties).toMatchObject({ sentStatus: false });
    expect(e.getSetting("sent_status")).toBe(false);
    // next up: the recorded state differs from the program, so an update is planned
    expect(await provider.diff(error.id as string, error.properties as never, { sentStatus: true })).toEqual({
      changes: true,
    });
  });
});

describe("answers that are not what the API documents", () => {
  test.each([
    ["a string for settings", '{"settings":"x","meta":{}}', "application/json"],
    ["no settings at all", '{"meta":{"version":"v2.53.2"}}', "application/json"],
    ["a list for application", '{"settings":{"application":[]}}', "application/json"],
    ["an empty body", "", "application/json"],
    ["an HTML page", "<html><body>Welcome</body></html>", "text/html"],
  ])("%s is a shape error, not a crash or a pass", async (_name, body, contentType) => {
    const { e, api } = await client();
    await api.token();
    e.faults.inject({ route: SETTINGS, body, contentType, times: 1 });
    const error = await rejection(getSettings(api));
    expect(error.code).toBe("WHATSAPP_RESPONSE_SHAPE");
    expect(error.message).toMatch(/^GET \/v1\/settings\/application answered an unexpected body: /);
  });

  test("an HTML error page is an API error that says so", async () => {
    const { e, api } = await client({}, { ...FAST, attempts: 1 });
    await api.token();
    e.faults.inject({
      route: SETTINGS,
      status: 500,
      body: "<html>Internal Server Error</html>",
      contentType: "text/html",
    });
    const error = await rejection(getSettings(api));
    expect(error).toMatchObject({ code: "WHATSAPP_API", status: 500 });
    expect(error.message).toContain("not a WhatsApp API answer (text/html)");
  });

  test.each([
    [
      "a proxy's HTML page",
      502,
      "<html><head><title>502 Bad Gateway</title><style>body{}</style></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>",
      "text/html; charset=utf-8",
      "GET /v1/settings/application failed: 502 (not a WhatsApp API answer (text/html): 502 Bad Gateway 502 Bad Gateway nginx)",
    ],
    [
      "a framework's JSON error",
      500,
      '{"message":"Internal server error","path":"/v1/settings/application"}',
      "application/json",
      'GET /v1/settings/application failed: 500 (not a WhatsApp API answer (application/json): {"message":"Internal server error","path":"/v1/settings/application"})',
    ],
    [
      "a long page, cut short",
      403,
      `<p>Forbidden by policy. ${"x".repeat(400)}</p>`,
      "text/html",
      `GET /v1/settings/application failed: 403 (not a WhatsApp API answer (text/html): Forbidden by policy. ${"x".repeat(179)}…)`,
    ],
  ])(
    "an error answer outside the envelope (%s) is reported with its status and a short excerpt",
    async (_name, status, body, contentType, message) => {
      const { e, api } = await client({}, { ...FAST, attempts: 1 });
      await api.token();
      e.faults.inject({ route: SETTINGS, status, body, contentType });
      const error = await rejection(getSettings(api));
      expect(error).toMatchObject({ code: "WHATSAPP_API", status });
      expect(error.message).toBe(message);
    },
  );

  test("an excerpt never shows a secret the server echoes, not even the part of one at the cut", async () => {
    const { e, api } = await client({}, { ...FAST, attempts: 1 });
    const token = await api.token();
    const password = e.adminPassword;
    // The password straddles the excerpt's end: cut first, a prefix of it would survive.
    const body = `${"y".repeat(190)}${password} and ${token} again`;
    e.faults.inject({ route: SETTINGS, status: 500, body, contentType: "text/plain" });
    const error = await rejection(getSettings(api));
    for (const secret of [password, token, password.slice(0, 8), token.slice(0, 12)]) {
      expect(error.message).not.toContain(secret);
    }
    expect(error.message).toContain("[secret]");
  });

  test.each(["null", "empty", "meta"] as const)("a mutation answering %s is success", async (mutationBody) => {
    const e = await emulator({ mutationBody });
    const { outs } = await provider.create({ connection: connectionOf(e), sentStatus: true });
    expect(outs).toMatchObject({ sentStatus: true });
  });
});

describe("secrets stay out of messages", () => {
  test("failure paths with secrets in play never print them", async () => {
    const logged = captureWarnings();
    const e = await emulator();
    await provider.configure({ config: { get: (key: string) => ({ "whatsapp:retryBaseDelayMs": "5" })[key] } });
    const password = e.adminPassword;
    const webhook = "https://hooks.example.com/in?auth=hunter2-shared";
    const messages: string[] = [];
    const collect = async (promise: Promise<unknown>) => {
      try {
        await promise;
        messages.push("no failure");
      } catch (error) {
        messages.push(String((error as Error).message), String((error as Error).stack));
      }
    };
    // the client echoes a bad value back in its error details
    e.faults.inject({
      route: "PATCH /v1/settings/application",
      code: 1009,
      details: `Parameter 'webhooks.url' has invalid value '${webhook}'`,
      times: 1,
    });
    await collect(provider.create({ connection: connectionOf(e), webhooks: { url: webhook } }));
    await collect(
      provider.create({ connection: connectionOf(e, { password: "N0t-The-Passw0rd!" }), sentStatus: true }),
    );
    await collect(
      provider.create({
        connection: { baseUrl: e.url, token: "tok-3f9a8b7c6d5e", caCert: e.caCert },
        sentStatus: true,
      }),
    );
    e.faults.inject({ route: SETTINGS, status: 503 });
    await collect(provider.create({ connection: connectionOf(e), webhooks: { url: webhook } }));
    const check = await provider.check(
      {},
      { connection: connectionOf(e), webhooks: { url: webhook.replace("https", "http") } },
    );
    messages.push(JSON.stringify(check.failures));
    expect(messages).not.toContain("no failure");
    expect(messages.join("\n")).toContain(
      "Parameter 'webhooks.url' has invalid value 'https://hooks.example.com/in?[secret]'",
    );
    const text = [...messages, ...logged].join("\n");
    for (const secret of [password, "hunter2-shared", "N0t-The-Passw0rd!", "tok-3f9a8b7c6d5e"]) {
      expect(text).not.toContain(secret);
    }
  });
});
