/**
 * Both examples, unmodified, through the engine stand-in against emulated clients: Pulumi's own
 * program runner (ts-node with the example's tsconfig) and dynamic-provider host, our engine.
 * Every step is checked on the emulators' journals and on the checkpoint file.
 */
import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import type { Emulator } from "../emulator/index";
import { type EngineResult, runEngine } from "../engine/deployment";
import { summaryLines } from "../engine/summary";
import { call, login } from "../support/api";
import { emulator } from "../support/emulator";
import { copyExample } from "../support/program-dir";
import { writeLines as writes } from "../support/provider";

function ops(result: EngineResult): string[] {
  return result.steps.filter((s) => s.type !== "pulumi:pulumi:Stack").map((s) => `${s.op} ${s.name}`);
}

const MEDIA = "/v1/settings/application/media/providers";

/** The writes of the settings resources: every write but those to the media providers. */
function settingsWrites(e: Emulator): string[] {
  return writes(e).filter((w) => !w.includes(MEDIA));
}

/** Every request to the media providers' paths, reads too, sorted: the two providers run in parallel. */
function mediaRequests(e: Emulator): string[] {
  return e.journal
    .filter()
    .filter((r) => r.path.startsWith(MEDIA))
    .map((r) => `${r.method} ${r.path} → ${r.status}`)
    .sort();
}

/**
 * examples/basic's two providers added to a client, sorted: for each, a GET finding none of its
 * name, a POST of a one-element list and a GET to confirm it.
 */
const BOTH_ADDED = [
  `GET ${MEDIA} → 200`,
  `GET ${MEDIA} → 200`,
  `GET ${MEDIA} → 200`,
  `GET ${MEDIA} → 200`,
  `POST ${MEDIA} → 200`,
  `POST ${MEDIA} → 200`,
];

/** examples/basic's steps: the settings in the engine's order, the media providers sorted (they run in parallel). */
function basicOps(result: EngineResult): { settings: string[]; media: string[] } {
  const steps = result.steps.filter((s) => s.type !== "pulumi:pulumi:Stack");
  const of = (type: string) => steps.filter((s) => s.type.endsWith(`:${type}`)).map((s) => `${s.op} ${s.name}`);
  const settings = of("ApplicationSettings");
  const media = of("MediaProvider").sort();
  expect(settings.length + media.length).toBe(steps.length);
  return { settings, media };
}

/** The media providers a client lists, as it holds them (credentials in clear text, as its GET answers). */
async function mediaProviders(e: Emulator): Promise<unknown[]> {
  const reply = await call(e, "GET", MEDIA, { token: await login(e) });
  return reply.json.settings.application.media.providers;
}

function expectNoPlaintext(result: EngineResult, secrets: string[]): void {
  const file = readFileSync(result.stateFile, "utf8");
  for (const secret of secrets) expect(file).not.toContain(secret);
  const shown = JSON.stringify([result.steps, result.diagnostics]);
  for (const secret of secrets) expect(shown).not.toContain(secret);
}

function clientConfig(e: Emulator) {
  return { "whatsapp:baseUrl": e.url, "whatsapp:username": "admin", "whatsapp:caCert": e.caCert as string };
}

const WEBHOOK = "https://hooks.example.com/whatsapp?auth=basic-shared-secret";
const CDN_TOKEN = "Cdn-Bearer-3e9f61d2";
const IMAGES_PASSWORD = "Images-Basic-8a47c05b";
const MEDIA_SECRETS = { cdnToken: CDN_TOKEN, imagesPassword: IMAGES_PASSWORD };
const MEDIA_CONFIG = { imagesUsername: "media" };
/** What examples/basic's two providers are on a client, credentials and all. */
const PROVIDERS = [
  { name: "cdn", type: "www", config: { bearer: CDN_TOKEN } },
  { name: "images", type: "www", config: { basic: { username: "media", password: IMAGES_PASSWORD } } },
];

/**
 * The media hosts' credentials appear in nothing a run leaves or shows: the state file, the
 * engine's steps, diagnostics, stack outputs and printed summary, the clients' journals.
 */
function expectCredentialsHidden(result: EngineResult, clients: Emulator[]): void {
  const seen: Record<string, string> = {
    // A first preview writes no state file.
    "state file": existsSync(result.stateFile) ? readFileSync(result.stateFile, "utf8") : "",
    "engine output": JSON.stringify([result.steps, result.diagnostics, result.outputs, summaryLines(result)]),
    journals: JSON.stringify(clients.map((e) => e.journal.entries)),
  };
  for (const [where, text] of Object.entries(seen)) {
    expect(
      [CDN_TOKEN, IMAGES_PASSWORD].filter((credential) => text.includes(credential)),
      where,
    ).toEqual([]);
  }
}

test("examples/basic: preview, up, no-op up, edit, drift and refresh, rename, destroy; another client receives nothing", async () => {
  const a = await emulator();
  const b = await emulator();
  const program = copyExample("basic");
  let config: Record<string, string> = { ...clientConfig(a), logLevel: "warning", ...MEDIA_CONFIG };
  const secrets: Record<string, string> = {
    "whatsapp:password": a.adminPassword,
    webhookUrl: WEBHOOK,
    ...MEDIA_SECRETS,
  };
  const run = (command: "preview" | "up" | "refresh" | "destroy") =>
    runEngine(command, { dir: program.dir, config, secrets });
  const plaintext = () => [a.adminPassword, b.adminPassword, "basic-shared-secret"];

  const preview = await run("preview");
  expect(preview.ok).toBe(true);
  expect(basicOps(preview)).toEqual({
    settings: ["create whatsapp-settings"],
    media: ["create cdn", "create images"],
  });
  // Only the URL, which carries the shared secret, is hidden: the rest of the group shows.
  expect(preview.steps.find((s) => s.name === "whatsapp-settings")?.changes).toContainEqual({
    kind: "+",
    path: "webhooks",
    after: { url: "[secret]", maxConcurrentRequests: 6, message: { sent: true, delivered: true, read: false } },
    secret: false,
  });
  for (const name of ["cdn", "images"]) {
    expect(preview.steps.find((s) => s.name === name)?.changes).toContainEqual(
      expect.objectContaining({ kind: "+", path: "config", secret: true }),
    );
  }
  expect(a.journal.count()).toBe(0);
  expectCredentialsHidden(preview, [a, b]);

  const up = await run("up");
  expect(up.ok).toBe(true);
  expect(basicOps(up)).toEqual({ settings: ["create whatsapp-settings"], media: ["create cdn", "create images"] });
  expect(settingsWrites(a)).toEqual(["PATCH /v1/settings/application"]);
  expect(a.getSetting("webhooks.url")).toBe(WEBHOOK);
  expect(up.outputs.apiVersion).toBe(a.version);
  expectNoPlaintext(up, plaintext());
  expect(mediaRequests(a)).toEqual(BOTH_ADDED);
  // The journal masks the credentials each POST sent.
  expect(
    a.journal
      .filter(`POST ${MEDIA}`)
      .flatMap((r) => r.body as Array<{ name: string }>)
      .sort((x, y) => x.name.localeCompare(y.name)),
  ).toEqual([
    { name: "cdn", type: "www", config: { bearer: "[secret]" } },
    { name: "images", type: "www", config: { basic: { username: "media", password: "[secret]" } } },
  ]);
  expect(up.outputs.mediaProviders).toEqual(["cdn", "images"]);
  expectCredentialsHidden(up, [a, b]);
  expect(await mediaProviders(a)).toEqual(PROVIDERS);

  a.journal.clear();
  const again = await run("up");
  expect(basicOps(again)).toEqual({ settings: ["same whatsapp-settings"], media: ["same cdn", "same images"] });
  expect(a.journal.count()).toBe(0);

  config = { ...config, logLevel: "error" };
  const edited = await run("up");
  expect(basicOps(edited)).toEqual({ settings: ["update whatsapp-settings"], media: ["same cdn", "same images"] });
  expect(edited.steps.find((s) => s.name === "whatsapp-settings")?.changes).toContainEqual({
    kind: "~",
    path: "logLevel",
    before: "warning",
    after: "error",
    secret: false,
  });
  config = { ...config, maxConcurrentRequests: "12" };
  const previewed = await run("preview");
  // The restart-required change the README walks through, visible though webhooks.url is a secret.
  expect(previewed.steps.find((s) => s.name === "whatsapp-settings")?.changes).toContainEqual({
    kind: "~",
    path: "webhooks.maxConcurrentRequests",
    before: 6,
    after: 12,
    secret: false,
  });
  expectCredentialsHidden(previewed, [a, b]);
  for (const result of [preview, previewed]) {
    expect(JSON.stringify([result.steps, summaryLines(result)])).not.toContain("basic-shared-secret");
  }
  config = { ...config, maxConcurrentRequests: "6" };
  expect(writes(a)).toEqual(["PATCH /v1/settings/application"]);
  expect(a.getSetting("log_level")).toBe("error");

  a.journal.clear();
  a.setSetting("callback_backoff_delay_ms", 5000);
  const refresh = await run("refresh");
  expect(refresh.steps.find((s) => s.name === "whatsapp-settings")?.changes).toContainEqual(
    expect.objectContaining({ path: "callbackBackoffDelayMs", before: 3000, after: 5000 }),
  );
  expect(writes(a)).toEqual([]);
  // Refresh reads each provider back by name; the same credentials are no drift.
  expect(mediaRequests(a)).toEqual([`GET ${MEDIA} → 200`, `GET ${MEDIA} → 200`]);
  expect(refresh.steps.filter((s) => s.type.endsWith(":MediaProvider")).map((s) => s.changes)).toEqual([[], []]);
  expectCredentialsHidden(refresh, [a, b]);
  a.journal.clear();
  expect(basicOps(await run("up"))).toEqual({
    settings: ["update whatsapp-settings"],
    media: ["same cdn", "same images"],
  });
  expect(a.getSetting("callback_backoff_delay_ms")).toBe(3000);
  expect(mediaRequests(a)).toEqual([]);

  // A rename without `aliases` is, as in Pulumi, a create of the new name and a delete of the old.
  a.journal.clear();
  program.write("index.ts", program.read("index.ts").replace('"whatsapp-settings"', '"client-settings"'));
  const renamed = await run("up");
  expect(renamed.ok).toBe(true);
  expect(basicOps(renamed)).toEqual({
    settings: ["create client-settings", "delete whatsapp-settings"],
    media: ["same cdn", "same images"],
  });
  // The delete must not reset what the new resource just applied on the same client.
  expect(writes(a)).not.toContain("DELETE /v1/settings/application");
  expect(a.getSetting("log_level")).toBe("error");
  expectNoPlaintext(renamed, plaintext());
  expect(mediaRequests(a)).toEqual([]);
  expectCredentialsHidden(renamed, [a, b]);

  a.journal.clear();
  const destroy = await run("destroy");
  expect(destroy.ok).toBe(true);
  expect(basicOps(destroy)).toEqual({ settings: ["delete client-settings"], media: ["delete cdn", "delete images"] });
  expect(settingsWrites(a)).toEqual(["DELETE /v1/settings/application"]);
  expect(mediaRequests(a)).toEqual([`DELETE ${MEDIA}/cdn → 200`, `DELETE ${MEDIA}/images → 200`]);
  expect(destroy.checkpoint.resources).toEqual([]);
  expectCredentialsHidden(destroy, [a, b]);
  expect(await mediaProviders(a)).toEqual([]);
  // The other client was only a password in the plaintext checks: nothing ever reached it.
  expect(b.journal.count()).toBe(0);
}, 300_000);

test("examples/basic moved to another client: a replacement whose delete reaches the old client only", async () => {
  const a = await emulator();
  const b = await emulator();
  const program = copyExample("basic");
  const secrets = (e: Emulator) => ({ "whatsapp:password": e.adminPassword, webhookUrl: WEBHOOK, ...MEDIA_SECRETS });
  const config = (e: Emulator) => ({ ...clientConfig(e), ...MEDIA_CONFIG });
  const first = await runEngine("up", { dir: program.dir, config: config(a), secrets: secrets(a) });
  expect(first.ok).toBe(true);
  a.journal.clear();

  const moved = await runEngine("up", { dir: program.dir, config: config(b), secrets: secrets(b) });
  const text = moved.diagnostics.map((d) => d.message).join("\n");
  expect(moved.steps.find((s) => s.name === "whatsapp-settings")?.op).toBe("replace");
  expect(basicOps(moved)).toEqual({
    settings: ["replace whatsapp-settings"],
    media: ["replace cdn", "replace images"],
  });
  // Create on the new client first, then the old resource's delete resets the old client only.
  expect(moved.ok).toBe(true);
  expect(settingsWrites(b)).toEqual(["PATCH /v1/settings/application"]);
  expect(settingsWrites(a)).toEqual(["DELETE /v1/settings/application"]);
  expect(text).toContain(`${a.url}: reset every application setting`);
  // The providers likewise: added to the new client, deleted from the old one by name.
  expect(mediaRequests(b)).toEqual(BOTH_ADDED);
  expect(mediaRequests(a)).toEqual([`DELETE ${MEDIA}/cdn → 200`, `DELETE ${MEDIA}/images → 200`]);
  expectCredentialsHidden(moved, [a, b]);
  expect(await mediaProviders(b)).toEqual(PROVIDERS);
  expect(await mediaProviders(a)).toEqual([]);
}, 180_000);

test("examples/migrate-settings: preview, up once, no-op up, a resource removed, destroy", async () => {
  const old = await emulator({ waId: "15550001111" });
  const fresh = await emulator({ waId: null });
  await call(old, "PATCH", "/v1/settings/application", {
    token: await login(old),
    body: { sent_status: true, log_level: "error", callback_backoff_delay_ms: 4500 },
  });
  old.journal.clear();
  const program = copyExample("migrate-settings");
  const config = {
    oldBaseUrl: old.url,
    oldCaCert: old.caCert as string,
    newBaseUrl: fresh.url,
    newCaCert: fresh.caCert as string,
    healthTimeoutMs: "5000",
  };
  const secrets = {
    oldPassword: old.adminPassword,
    newPassword: fresh.adminPassword,
    backupPassword: "Backup-Passw0rd!",
    webhookUrl: "https://hooks.example.com/new?auth=moved-secret",
  };
  const run = (command: "preview" | "up" | "destroy") => runEngine(command, { dir: program.dir, config, secrets });

  const preview = await run("preview");
  expect(preview.ok).toBe(true);
  expect(ops(preview)).toEqual(["create old-client-backup", "create new-client-restore", "create new-client-settings"]);
  expect([...old.journal.filter(), ...fresh.journal.filter()]).toEqual([]);

  const up = await run("up");
  expect(up.ok).toBe(true);
  expect(ops(up)).toEqual(["create old-client-backup", "create new-client-restore", "create new-client-settings"]);
  expect(fresh.registered).toBe(true);
  expect(fresh.getSetting("log_level")).toBe("error");
  expect(fresh.getSetting("webhooks.url")).toBe(secrets.webhookUrl);
  expect(old.journal.count("POST /v1/settings/backup")).toBe(1);
  expect(fresh.journal.count("POST /v1/settings/restore")).toBe(1);
  const blob = up.checkpoint.resources.find((r) => r.name === "old-client-backup")?.outputs.data;
  const backupData = (blob as { value: string }).value;
  expect(backupData.length).toBeGreaterThan(100);
  expectNoPlaintext(up, [backupData, "Backup-Passw0rd!", "moved-secret", old.adminPassword, fresh.adminPassword]);

  old.journal.clear();
  fresh.journal.clear();
  const again = await run("up");
  expect(ops(again)).toEqual(["same old-client-backup", "same new-client-restore", "same new-client-settings"]);
  expect([...writes(old), ...writes(fresh)]).toEqual([]);

  // The webhook settings leave the program: deleted after it runs, on the client in state.
  program.write(
    "index.ts",
    program
      .read("index.ts")
      .replace(/\/\/ Step 4:[\s\S]*?\n\);\n/, "")
      .replace(/export const newClientVersion.*\n/, ""),
  );
  const removed = await run("up");
  expect(removed.ok).toBe(true);
  expect(ops(removed)).toContain("delete new-client-settings");
  expect(writes(fresh)).toEqual(["DELETE /v1/settings/application"]);
  expect(writes(old)).toEqual([]);
  // Nothing restored again.
  expect(fresh.journal.count("POST /v1/settings/restore")).toBe(0);

  old.journal.clear();
  fresh.journal.clear();
  const destroy = await run("destroy");
  expect(destroy.ok).toBe(true);
  expect(ops(destroy)).toEqual(["delete new-client-restore", "delete old-client-backup"]);
  // The backup and the restore are records: deleting them sends nothing.
  expect([...writes(old), ...writes(fresh)]).toEqual([]);
  expect(destroy.checkpoint.resources).toEqual([]);
}, 300_000);
