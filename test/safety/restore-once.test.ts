/**
 * A restore happens once per intent: its target client and its `triggers`, never the resource's
 * name nor the backup it follows. A rename, a create repeated after a failed one and a
 * deployment killed after the restore send nothing more; a new `triggers` value restores again,
 * and preview says so before anything is sent. Every case counts the restore POSTs the target
 * received.
 */

import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { runEngine } from "../engine/deployment";
import { emulator } from "../support/emulator";
import { programFiles, rowPerProvider, rowsThrough } from "../support/native-plugin";
import { programOf } from "../support/program-dir";
import { rejection } from "../support/rejection";
import { connectionOf, isolateRestoreRecords, PROVIDERS, startDeployment } from "./hosted";

const BACKUP_PASSWORD = "Backup-Passw0rd!";
const RESTORE = "POST /v1/settings/restore";

/**
 * How each provider's program reaches a client: the dynamic resource by its own `connection`, the
 * native one by an explicit provider of that client (one per client, as a fleet declares them).
 */
const MAKE = {
  dynamic: "const make = (Type, name, args, at) => new Type(name, { ...args, connection: client(at) });",
  native: [
    "const providers = {};",
    "const make = (Type, name, args, at) =>",
    "  new Type(name, args, { provider: (providers[at] ??= new ws.Provider(at, client(at))) });",
  ].join("\n"),
};

describe("a restore happens once per intent, through the engine stand-in", () => {
  rowPerProvider(
    "a SettingsRestore renamed without an alias sends no second restore; preview and up say when it was made (%s provider)",
    async (provider) => {
      isolateRestoreRecords();
      const source = await emulator({ waId: "15550001111" });
      const target = await emulator({ waId: null });
      const program = programOf(
        programFiles(
          provider,
          "program",
          `
const pulumi = require("@pulumi/pulumi");
const config = new pulumi.Config();
const client = (name) => ({
  baseUrl: config.require(name + "Url"),
  username: "admin",
  password: config.requireSecret(name + "Password"),
  caCert: config.require(name + "CaCert"),
});
${MAKE[provider]}
const password = config.requireSecret("backupPassword");
const backup = make(ws.SettingsBackup, "backup", { password }, "source");
make(ws.SettingsRestore, config.get("restoreName") || "restore", { data: backup.data, password, healthTimeoutMs: 5000 }, "target");
`,
        ),
      );
      const config = (restoreName: string) => ({
        sourceUrl: source.url,
        sourceCaCert: source.caCert as string,
        targetUrl: target.url,
        targetCaCert: target.caCert as string,
        restoreName,
      });
      const secrets = {
        sourcePassword: source.adminPassword,
        targetPassword: target.adminPassword,
        backupPassword: BACKUP_PASSWORD,
      };
      const run = (command: "preview" | "up", name: string) =>
        runEngine(command, { dir: program.dir, config: config(name), secrets });
      const warnings = (result: Awaited<ReturnType<typeof run>>) =>
        result.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);

      const preview = await run("preview", "restore");
      expect(preview.ok).toBe(true);
      // The backup is not taken yet: preview names the restore and the client all the same.
      expect(warnings(preview).join("\n")).toContain(
        `${target.url}: this step will send a restore (POST /v1/settings/restore): every contact sees a new security code`,
      );
      const first = await run("up", "restore");
      expect(first.ok).toBe(true);
      expect(target.journal.count(RESTORE)).toBe(1);
      const made = first.checkpoint.resources.find((r) => r.name === "restore")?.outputs;
      expect(made).toMatchObject({ alreadyRestored: false });

      // A refactor renames the resource, without an alias: Pulumi creates the new one, deletes the old.
      const renamedPreview = await run("preview", "new-client-restore");
      const steps = renamedPreview.steps
        .filter((s) => s.type.endsWith("SettingsRestore"))
        .map((s) => `${s.op} ${s.name}`);
      expect(steps).toEqual(["create new-client-restore", "delete restore"]);
      expect(warnings(renamedPreview).join("\n")).toContain(
        `${target.url}: a restore onto this client with these triggers (this backup) was already made at ` +
          `${made?.restoredAt}; creating the resource records it and sends nothing`,
      );
      const renamed = await run("up", "new-client-restore");
      expect(renamed.ok).toBe(true);
      expect(target.journal.count(RESTORE)).toBe(1);
      expect(warnings(renamed).join("\n")).toContain(`was made at ${made?.restoredAt}; it is recorded, not sent again`);
      expect(renamed.checkpoint.resources.find((r) => r.name === "new-client-restore")?.outputs).toMatchObject({
        alreadyRestored: true,
        restoredAt: made?.restoredAt,
        sha256: made?.sha256,
      });
      expect(source.journal.count("POST /v1/settings/backup")).toBe(1);
    },
    180_000,
  );
});

// A native deployment starts a plugin process per provider resource: slower on a loaded machine.
describe.each(PROVIDERS)(
  "a restore happens once per intent, through the %s provider",
  { timeout: 120_000 },
  (provider) => {
    const start = (config?: Record<string, string>) => startDeployment(provider, config);
    const { row, both } = rowsThrough(provider);

    /** A registered source's backup, and the checked inputs of its restore onto an unregistered target. */
    async function backupFor(extra: Record<string, unknown> = {}) {
      isolateRestoreRecords();
      const source = await emulator({ waId: "15550001111" });
      const target = await emulator({ waId: null });
      const deployment = await start();
      const backup = await deployment.up("SettingsBackup", "backup", {
        connection: connectionOf(source),
        password: BACKUP_PASSWORD,
      });
      const inputs = (more: Record<string, unknown> = {}) =>
        deployment.check("SettingsRestore", "restore", {
          connection: { ...connectionOf(target), ...extra },
          data: backup.outputs.data,
          password: BACKUP_PASSWORD,
          healthTimeoutMs: 5_000,
          ...more,
        });
      return { source, target, deployment, inputs };
    }

    row(
      "a create whose restore answer dripped past timeoutMs fails without inviting a repeat, and a plain second create sends nothing",
      async () => {
        const { target, inputs } = await backupFor({ timeoutMs: 1_000 });
        // The client applies the restore, then its answer drips in a byte every 300 ms, past the timeout.
        target.faults.inject({ route: RESTORE, dripMs: 300, dripForever: true, times: 1 });
        const checked = await inputs();
        const first = await start();
        const failed = await rejection(first.create("SettingsRestore", "restore", checked));
        expect(failed.message).toContain("it is not retried");
        expect(failed.message).toContain("give this resource a new `triggers` value");
        expect(failed.message).not.toContain("--replace");
        expect(target.journal.count(RESTORE)).toBe(1);
        expect(target.registered).toBe(true);

        // The engine kept nothing of the failed create: the next plain `up` creates it again.
        const next = await start();
        const created = await next.create("SettingsRestore", "restore", checked);
        expect(target.journal.count(RESTORE)).toBe(1);
        expect(created.outputs).toMatchObject({ alreadyRestored: true, gatewayStatus: "not checked" });
        await expect.poll(() => next.stderr).toContain("its answer never came; it is recorded, not sent again");
      },
    );

    both(
      "a deployment that stopped after the restore returned, before its checkpoint, does not restore again",
      async () => {
        const { target, inputs } = await backupFor();
        const checked = await inputs();
        const first = await start();
        const made = await first.create("SettingsRestore", "restore", checked);
        // Killed before the checkpoint was written: state has no trace of the restore.
        await first.kill();
        expect(target.journal.count(RESTORE)).toBe(1);

        const next = await start();
        const again = await next.create("SettingsRestore", "restore", checked);
        expect(target.journal.count(RESTORE)).toBe(1);
        expect(again.outputs).toMatchObject({ alreadyRestored: true, restoredAt: made.outputs.restoredAt });
        await expect.poll(() => next.stderr).toContain(`was made at ${made.outputs.restoredAt}`);
      },
    );

    row(
      "triggers name one intent whatever their key order; a new value restores again, and its preview says so",
      async () => {
        const { target, inputs } = await backupFor();
        const first = await start();
        const made = await first.create(
          "SettingsRestore",
          "restore",
          await inputs({ triggers: { reason: "migration", week: 1 } }),
        );
        expect(target.journal.count(RESTORE)).toBe(1);

        const next = await start();
        // The same triggers spelled in another key order, under another name: the same restore.
        await next.create("SettingsRestore", "renamed", await inputs({ triggers: { week: 1, reason: "migration" } }));
        expect(target.journal.count(RESTORE)).toBe(1);

        // Restoring again on purpose: a new triggers value, a replacement preview warns about.
        const again = await inputs({ triggers: { reason: "migration", week: 2 } });
        expect(await next.diff("SettingsRestore", "restore", made, again)).toMatchObject({ replaces: ["triggers"] });
        await expect
          .poll(() => next.stderr)
          .toContain(
            `${target.url}: this step will send a restore (POST /v1/settings/restore): the replacement restores`,
          );
        await next.create("SettingsRestore", "restore", again);
        expect(target.journal.count(RESTORE)).toBe(2);
      },
    );

    row(
      "a restore renamed while its backup was taken again sends nothing, and says how to restore the new backup",
      async () => {
        const { target, deployment, inputs } = await backupFor();
        const first = await start();
        const made = await first.create("SettingsRestore", "restore", await inputs());
        // The backup its data follows is taken again (a new password): new data, under a new name.
        const newer = await deployment.up("SettingsBackup", "backup-2", {
          connection: connectionOf(target),
          password: "Another-Backup-Passw0rd!",
        });
        const next = await start();
        const renamed = await next.create("SettingsRestore", "renamed", {
          ...(await inputs()),
          data: newer.outputs.data,
          password: "Another-Backup-Passw0rd!",
        });
        expect(target.journal.count(RESTORE)).toBe(1);
        expect(renamed.outputs).toMatchObject({ alreadyRestored: true, restoredAt: made.outputs.restoredAt });
        await expect.poll(() => next.stderr).toContain("the backup is now");
        await expect
          .poll(() => next.stderr)
          .toContain("To restore again on purpose, give this resource a new `triggers` value");
      },
    );

    row("a record an earlier version wrote under the backup's hash still guards its restore", async () => {
      const records = isolateRestoreRecords();
      const target = await emulator({ waId: null });
      const identity = target.url.replace(/\/$/, "");
      const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);
      const sha256 = "ab".repeat(32);
      writeFileSync(
        join(records, `${short(identity)}-${sha256.slice(0, 32)}.json`),
        JSON.stringify({ target: identity, sha256, state: "done", startedAt: "2026-01-02T03:04:05.000Z" }),
      );
      const deployment = await start();
      const created = await deployment.up("SettingsRestore", "restore", {
        connection: connectionOf(target),
        data: "b".repeat(64),
        password: BACKUP_PASSWORD,
      });
      expect(target.journal.count(RESTORE)).toBe(0);
      expect(created.outputs).toMatchObject({ alreadyRestored: true, restoredAt: "2026-01-02T03:04:05.000Z" });
    });

    row("a restore whose new address cannot be told apart from its client is not made again on a guess", async () => {
      const { target, inputs } = await backupFor();
      const deployment = await start();
      const made = await deployment.create("SettingsRestore", "restore", await inputs());
      // Another spelling of the same client, which does not answer who it is right now (it restarts).
      const moved = await inputs({
        connection: { ...connectionOf(target), baseUrl: target.url.replace("127.0.0.1", "localhost") },
      });
      target.faults.inject({ route: "GET /v1/settings/application", status: 503, code: 1011, times: 4 });
      const refused = await rejection(deployment.diff("SettingsRestore", "restore", made, moved));
      expect(refused.message).toContain(`may be the client at ${target.url} under another address, or another client`);
      expect(refused.message).toContain("who answers could not be read (WHATSAPP_API)");
      expect(refused.message).toContain("is not done on a guess, and nothing was sent");
      expect(refused.message).toContain("give this resource a new `triggers` value");
      expect(target.journal.count(RESTORE)).toBe(1);

      // Once it answers, the same number makes it an address change: an update, nothing restored.
      target.faults.clear();
      expect(await deployment.diff("SettingsRestore", "restore", made, moved)).toMatchObject({ replaces: [] });
      // A new triggers value is the intent to restore there, answer or not.
      target.faults.inject({ route: "GET /v1/settings/application", status: 503, code: 1011, times: 4 });
      const onPurpose = { ...moved, triggers: { reason: "again" } };
      expect(await deployment.diff("SettingsRestore", "restore", made, onPurpose)).toMatchObject({
        replaces: expect.arrayContaining(["triggers"]),
      });
      expect(target.journal.count(RESTORE)).toBe(1);
    });

    row("without triggers, left out and null are one intent", async () => {
      const { target, inputs } = await backupFor();
      const first = await start();
      await first.create("SettingsRestore", "restore", await inputs());
      const next = await start();
      await next.create("SettingsRestore", "restore", { ...(await inputs()), triggers: null });
      expect(target.journal.count(RESTORE)).toBe(1);
    });
  },
);
