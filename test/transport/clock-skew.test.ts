/**
 * A login whose `expires_after` is already past by the local clock (the client's clock runs
 * behind) must not make the provider log in before every call: one login per deployment, and
 * never a failed login. Through Pulumi's dynamic-provider host against the emulator's clock offset.
 */
import { describe, expect, test } from "vitest";
import { parseExpiry } from "../../provider/client";
import { formatExpiry } from "../emulator/auth";
import { suiteProgram, urnOf } from "../secrets/host";
import { connectionOf, emulator } from "../support/emulator";

const DAY = 86_400_000;
const program = suiteProgram();

describe("a client clock behind ours", () => {
  test("a whole deployment (create, refresh, update, a backup) logs in once and never fails a login", async () => {
    // Tokens last 7 days by the client's clock, which is 8 days behind: each expires_after is a day past.
    const e = await emulator({ clockOffsetMs: -8 * DAY, failedLoginLimit: 2 });
    const connection = connectionOf(e);
    const urn = urnOf("ApplicationSettings");
    const news = { connection, sentStatus: true, __provider: program().providers.ApplicationSettings };
    const checked = await program().host.check(urn, {}, news);
    const created = await program().host.create(urn, checked.inputs);
    const refreshed = await program().host.read(urn, created.id, created.properties, checked.inputs);
    const changed = await program().host.check(urn, refreshed.inputs, { ...news, logLevel: "error" });
    await program().host.update(urn, created.id, refreshed.properties, changed.inputs);
    const backup = { connection, password: "B4ckup-Passw0rd!", __provider: program().providers.SettingsBackup };
    await program().host.create(
      urnOf("SettingsBackup"),
      (await program().host.check(urnOf("SettingsBackup"), {}, backup)).inputs,
    );

    const logins = e.journal.filter("POST /v1/users/login");
    expect(logins).toHaveLength(1);
    expect(logins.every((entry) => entry.status === 200)).toBe(true);
    expect(e.journal.filter().filter((entry) => entry.status === 401)).toEqual([]);
    expect(e.journal.count()).toBeGreaterThanOrEqual(6);
    expect(e.getSetting("log_level")).toBe("error");
  });
});

describe("when a token is renewed", () => {
  const now = Date.parse("2026-11-23T12:00:00Z");
  test.each([
    ["an expiry 7 days ahead is believed", formatExpiry(now + 7 * DAY), now + 7 * DAY],
    ["an expiry a day past (a skewed clock) counts as 7 days", formatExpiry(now - DAY), now + 7 * DAY],
    ["an expiry inside the renewal margin counts as 7 days", formatExpiry(now + 30_000), now + 7 * DAY],
    ["an unreadable expiry counts as 7 days", "soon", now + 7 * DAY],
    ["no expiry counts as 7 days", undefined, now + 7 * DAY],
  ])("%s", (_name, text, expected) => {
    expect(parseExpiry(text, now)).toBe(expected);
  });
});
