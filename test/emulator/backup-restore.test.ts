import { describe, expect, test } from "vitest";
import { call, login } from "../support/api";
import { emulator, plainEmulator, settingsOf as settings } from "../support/emulator";

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
