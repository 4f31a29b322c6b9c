/**
 * Both examples, unmodified, through the engine stand-in against emulated clients: Pulumi's own
 * program runner (ts-node with the example's tsconfig) and dynamic-provider host, our engine.
 * Every step is checked on the emulators' journals and on the checkpoint file.
 */
import { readFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { type Emulator, startEmulator } from "../emulator/index";
import { type EngineResult, runEngine } from "../engine/deployment";
import { call, login } from "../support/api";
import { copyExample } from "../support/program-dir";

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function emulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const e = await startEmulator({ https: true, ...options });
  running.push(e);
  return e;
}

/** Requests that change a client (a login is not a change). */
function writes(e: Emulator): string[] {
  return e.journal
    .filter()
    .filter((r) => r.method !== "GET" && r.path !== "/v1/users/login")
    .map((r) => `${r.method} ${r.path}`);
}

function ops(result: EngineResult): string[] {
  return result.steps.filter((s) => s.type !== "pulumi:pulumi:Stack").map((s) => `${s.op} ${s.name}`);
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

test("examples/basic: preview, up, no-op up, edit, drift and refresh, rename, another client, destroy", async () => {
  const a = await emulator();
  const b = await emulator();
  const program = copyExample("basic");
  let config: Record<string, string> = { ...clientConfig(a), logLevel: "warning" };
  const secrets: Record<string, string> = { "whatsapp:password": a.adminPassword, webhookUrl: WEBHOOK };
  const run = (command: "preview" | "up" | "refresh" | "destroy") =>
    runEngine(command, { dir: program.dir, config, secrets });
  const plaintext = () => [a.adminPassword, b.adminPassword, "basic-shared-secret"];

  const preview = await run("preview");
  expect(preview.ok).toBe(true);
  expect(ops(preview)).toEqual(["create whatsapp-settings"]);
  expect(preview.steps.find((s) => s.name === "whatsapp-settings")?.changes).toContainEqual(
    expect.objectContaining({ kind: "+", path: "webhooks", secret: true }),
  );
  expect(a.journal.count()).toBe(0);

  const up = await run("up");
  expect(up.ok).toBe(true);
  expect(ops(up)).toEqual(["create whatsapp-settings"]);
  expect(writes(a)).toEqual(["PATCH /v1/settings/application"]);
  expect(a.getSetting("webhooks.url")).toBe(WEBHOOK);
  expect(up.outputs.apiVersion).toBe(a.version);
  expectNoPlaintext(up, plaintext());

  a.journal.clear();
  const again = await run("up");
  expect(ops(again)).toEqual(["same whatsapp-settings"]);
  expect(a.journal.count()).toBe(0);

  config = { ...config, logLevel: "error" };
  const edited = await run("up");
  expect(ops(edited)).toEqual(["update whatsapp-settings"]);
  expect(edited.steps[1]?.changes).toContainEqual({
    kind: "~",
    path: "logLevel",
    before: "warning",
    after: "error",
    secret: false,
  });
  expect(writes(a)).toEqual(["PATCH /v1/settings/application"]);
  expect(a.getSetting("log_level")).toBe("error");

  a.journal.clear();
  a.setSetting("callback_backoff_delay_ms", 5000);
  const refresh = await run("refresh");
  expect(refresh.steps.find((s) => s.name === "whatsapp-settings")?.changes).toContainEqual(
    expect.objectContaining({ path: "callbackBackoffDelayMs", before: 3000, after: 5000 }),
  );
  expect(writes(a)).toEqual([]);
  expect(ops(await run("up"))).toEqual(["update whatsapp-settings"]);
  expect(a.getSetting("callback_backoff_delay_ms")).toBe(3000);

  // A rename without `aliases` is, as in Pulumi, a create of the new name and a delete of the old.
  a.journal.clear();
  program.write("index.ts", program.read("index.ts").replace('"whatsapp-settings"', '"client-settings"'));
  const renamed = await run("up");
  expect(renamed.ok).toBe(true);
  expect(ops(renamed)).toEqual(["create client-settings", "delete whatsapp-settings"]);
  // The delete must not reset what the new resource just applied on the same client.
  expect(writes(a)).not.toContain("DELETE /v1/settings/application");
  expect(a.getSetting("log_level")).toBe("error");
  expectNoPlaintext(renamed, plaintext());

  a.journal.clear();
  const destroy = await run("destroy");
  expect(destroy.ok).toBe(true);
  expect(ops(destroy)).toEqual(["delete client-settings"]);
  expect(writes(a)).toEqual(["DELETE /v1/settings/application"]);
  expect(destroy.checkpoint.resources).toEqual([]);
}, 300_000);

test("examples/basic moved to another client: a replacement whose delete reaches the old client only", async () => {
  const a = await emulator();
  const b = await emulator();
  const program = copyExample("basic");
  const secrets = (e: Emulator) => ({ "whatsapp:password": e.adminPassword, webhookUrl: WEBHOOK });
  const first = await runEngine("up", { dir: program.dir, config: clientConfig(a), secrets: secrets(a) });
  expect(first.ok).toBe(true);
  a.journal.clear();

  const moved = await runEngine("up", { dir: program.dir, config: clientConfig(b), secrets: secrets(b) });
  const text = moved.diagnostics.map((d) => d.message).join("\n");
  expect(moved.steps.find((s) => s.name === "whatsapp-settings")?.op).toBe("replace");
  // Create on the new client first, then the old resource's delete resets the old client only.
  expect(moved.ok).toBe(true);
  expect(writes(b)).toEqual(["PATCH /v1/settings/application"]);
  expect(writes(a)).toEqual(["DELETE /v1/settings/application"]);
  expect(text).toContain(`${a.url}: reset every application setting`);
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
