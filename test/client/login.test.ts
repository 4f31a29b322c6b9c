/**
 * How the provider's client logs in and renews its token, through the settings provider against the
 * emulator: one login per client and provider process, one renewal when a token stops working,
 * and a failure that says what to do when nothing can renew it.
 */
import { describe, expect, test } from "vitest";
import { health } from "../../provider/backup/api";
import { WhatsAppClient } from "../../provider/client";
import { login } from "../support/api";
import { checked, connectionOf, emulator, settingsProvider as provider } from "../support/provider";
import { rejection } from "../support/rejection";

describe("logging in", () => {
  test("one login per client per provider process, however many resources", async () => {
    const e = await emulator();
    const connection = connectionOf(e);
    await Promise.all(
      Array.from({ length: 5 }, async () => provider.create(await checked({}, { connection, heartbeatInterval: 7 }))),
    );
    expect(e.journal.count("POST /v1/users/login")).toBe(1);
  });

  test("bad credentials fail at once, without repeated logins", async () => {
    const e = await emulator();
    const inputs = await checked(
      {},
      { connection: connectionOf(e, { password: "Wr0ng-Passw0rd!" }), sentStatus: true },
    );
    await expect(provider.create(inputs)).rejects.toThrow(
      "POST /v1/users/login failed: 401 1005 Access denied (Invalid credentials)",
    );
    expect(e.journal.count("POST /v1/users/login")).toBe(1);
  });

  test("bad credentials: one failed login per client per deployment, for resources starting at once and later", async () => {
    const e = await emulator();
    const connection = connectionOf(e, { password: "Wr0ng-Passw0rd!" });
    const inputs = await Promise.all(
      [7, 8, 9].map((heartbeatInterval) => checked({}, { connection, heartbeatInterval })),
    );
    const atOnce = await Promise.allSettled(inputs.map((each) => provider.create(each)));
    expect(atOnce.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
    const later = await rejection(provider.create(inputs[0] as Record<string, unknown>));
    expect(later.message).toBe(
      `not sent: logging in to ${e.url} already failed in this deployment (one try per client): ` +
        "POST /v1/users/login failed: 401 1005 Access denied (Invalid credentials)",
    );
    // The client locks an account out after 30 failed logins an hour: this deployment spent one.
    expect(e.journal.count("POST /v1/users/login")).toBe(1);
  });
});

test("a restore's health polling never repeats a login its credentials failed", async () => {
  const e = await emulator();
  const api = new WhatsAppClient(connectionOf(e, { password: "Wr0ng-Passw0rd!" }) as never);
  await expect(api.token()).rejects.toThrow("401 1005 Access denied");
  for (let poll = 0; poll < 3; poll++) await expect(health(api)).rejects.toThrow(/^not sent: logging in to /);
  expect(e.journal.count("POST /v1/users/login")).toBe(1);
  await api.sessions.close();
});

describe("a token that stops working", () => {
  test("an expired or revoked token is renewed once, then the call succeeds", async () => {
    const e = await emulator();
    const connection = connectionOf(e);
    const { id, outs } = await provider.create(await checked({}, { connection, sentStatus: true }));
    e.revokeTokens();
    e.journal.clear();
    await provider.read(id, outs);
    expect(e.journal.entries.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "GET /v1/settings/application 401",
      "POST /v1/users/login 200",
      "GET /v1/settings/application 200",
    ]);
  });

  test("a token that expires mid-deployment (by the client's clock) is renewed once", async () => {
    const e = await emulator({ tokenLifetimeSeconds: 3600 });
    const { id, outs } = await provider.create(await checked({}, { connection: connectionOf(e), sentStatus: true }));
    e.clock.advance(3_601_000);
    e.journal.clear();
    expect((await provider.read(id, outs)).props).toMatchObject({ sentStatus: true });
    expect(e.journal.entries.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "GET /v1/settings/application 401",
      "POST /v1/users/login 200",
      "GET /v1/settings/application 200",
    ]);
  });

  test("an expired bearer token without credentials to renew it says what to do", async () => {
    const e = await emulator();
    const token = await login(e);
    e.revokeTokens();
    const inputs = await checked({}, { connection: { baseUrl: e.url, token, caCert: e.caCert }, sentStatus: true });
    await expect(provider.create(inputs)).rejects.toThrow(
      "GET /v1/settings/application failed: 401 1005 Access denied (Missing or invalid authentication credentials); the token may have expired (tokens last 7 days): prefer username and password, which are renewed",
    );
  });
});
