/**
 * What every resource's check shares (provider/check.ts): which refused values a failure may
 * repeat, what `null` means, and when stack config must be there.
 */
import { describe, expect, test } from "vitest";
import * as backupProvider from "../provider/backup/backup-provider";
import * as restoreProvider from "../provider/backup/restore-provider";
import * as mediaProvider from "../provider/media/provider";
import * as settingsProvider from "../provider/settings/provider";

type Props = Record<string, unknown>;
type Check = (olds: Props, news: Props) => Promise<{ failures: Array<{ property: string; reason: string }> }>;

/** A secret that looks like the short words a failure may repeat elsewhere. */
const WORD = "Hunter2-pass";
const connection = { baseUrl: "https://wa.example.com:9090", username: "admin", password: "Adm1n-Passw0rd!" };
const backup = { connection, password: "Backup-Passw0rd!" };
const restore = { connection, data: "blob", password: "Backup-Passw0rd!" };

describe("a refused value of a connection, a backup or a restore is never repeated, however short", () => {
  test.each<[string, Check, Props, string]>([
    ["restore.expectedSha256", restoreProvider.check, { ...restore, expectedSha256: WORD }, "expectedSha256"],
    ["restore.healthTimeoutMs", restoreProvider.check, { ...restore, healthTimeoutMs: WORD }, "healthTimeoutMs"],
    ["restore.waitForHealthy", restoreProvider.check, { ...restore, waitForHealthy: WORD }, "waitForHealthy"],
    ["restore.data", restoreProvider.check, { ...restore, data: 4821 }, "data"],
    ["backup.password", backupProvider.check, { ...backup, password: 73519 }, "password"],
    [
      "connection.timeoutMs",
      backupProvider.check,
      { ...backup, connection: { ...connection, timeoutMs: WORD } },
      "connection.timeoutMs",
    ],
    [
      "connection.insecureSkipVerify",
      backupProvider.check,
      { ...backup, connection: { ...connection, insecureSkipVerify: WORD } },
      "connection.insecureSkipVerify",
    ],
    ["media.config", mediaProvider.check, { connection, name: "cdn", config: WORD }, "config"],
  ])("%s", async (_title, check, news, property) => {
    const { failures } = await check({}, news);
    expect(failures.map((f) => f.property)).toEqual([property]);
    const text = JSON.stringify(failures);
    for (const value of [WORD, "4821", "73519"]) expect(text).not.toContain(value);
  });

  test("a media provider's name and type are repeated: they are never secrets", async () => {
    const { failures } = await mediaProvider.check(
      {},
      { connection, name: "my cdn", type: "WWW", config: { bearer: "cdn-token-0123" } },
    );
    expect(failures.map((f) => f.reason)).toEqual([
      'must be 1 to 200 characters, each a letter (A-Z, a-z), `_` or `-`; got "my cdn"',
      'must be one of: "www"; got "WWW"',
    ]);
  });
});

describe("null and left-out values", () => {
  test("null is refused where there is no default: a restore's integrity check is never skipped", async () => {
    const { failures } = await restoreProvider.check({}, { ...restore, expectedSha256: null });
    expect(failures).toEqual([{ property: "expectedSha256", reason: "must be 64 hexadecimal characters (a SHA-256)" }]);
  });

  test("null takes the default where there is one", async () => {
    const checked = await mediaProvider.check(
      {},
      { connection, name: "cdn", type: null, config: { bearer: "cdn-token-0123" } },
    );
    expect(checked).toMatchObject({ failures: [], inputs: { type: "www" } });
  });

  test("a setting follows the same rule: null leaves it to the client's default, and a key that is no setting is refused", async () => {
    const left = await settingsProvider.check({}, { connection, logLevel: null, webhooks: null, sentStatus: true });
    expect(left.failures).toEqual([]);
    expect(left.inputs).toMatchObject({ sentStatus: true });
    expect(left.inputs).not.toHaveProperty("logLevel");
    expect(left.inputs).not.toHaveProperty("webhooks");
    const typo = await settingsProvider.check({}, { connection, logLevl: null });
    expect(typo.failures.map((f) => f.property)).toEqual(["logLevl"]);
  });
});

describe("stack config is needed where the resource will reach its client", () => {
  test.each<[string, Check, Props]>([
    ["a backup", backupProvider.check, { password: "Backup-Passw0rd!" }],
    ["a restore", restoreProvider.check, { data: "blob", password: "Backup-Passw0rd!" }],
  ])("%s already done passes check with the stack config gone; a new one does not", async (_title, check, news) => {
    expect((await check({ ...news, baseUrl: connection.baseUrl }, news)).failures).toEqual([]);
    expect((await check({}, news)).failures.map((f) => f.property)).toEqual(["connection"]);
  });

  test("a media provider, which refresh and delete reach later, needs it every time", async () => {
    const news = { name: "cdn", config: { bearer: "cdn-token-0123" } };
    const { failures } = await mediaProvider.check({ ...news, baseUrl: connection.baseUrl }, news);
    expect(failures.map((f) => f.property)).toEqual(["connection"]);
  });
});
