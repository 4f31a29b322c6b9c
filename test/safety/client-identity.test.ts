/**
 * A client is identified by what it is, its registered number (`wa_id`), not only by the address
 * it is reached at. An address change that reaches the same client resets, deletes and restores
 * nothing, and state moves to the new address; a move to another client keeps its replacement;
 * a client without a number falls back to the address. Through Pulumi's dynamic-provider host,
 * counting what each emulated client received.
 */
import { describe, expect } from "vitest";
import type { Emulator } from "../emulator/index";
import { runEngine } from "../engine/deployment";
import { emulator } from "../support/emulator";
import { programFiles, rowPerProvider, rowsThrough } from "../support/native-plugin";
import { programOf } from "../support/program-dir";
import { configOf, connectionOf, isolateRestoreRecords, PROVIDERS, requests, startDeployment } from "./hosted";

/** The same client's address spelled with `localhost` instead of `127.0.0.1`: another address. */
function localhost(e: Emulator): string {
  return e.url.replace("127.0.0.1", "localhost");
}

/** A resource of this package (not the stack, nor a provider resource). */
function whatsapp(type: string): boolean {
  return type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");
}

/** Every request but logins and reads: what changed something on the client. */
function writes(e: Emulator): string[] {
  return requests(e).filter((r) => !r.startsWith("GET ") && r !== "POST /v1/users/login");
}

// A native deployment starts a plugin process per provider resource: slower on a loaded machine.
describe.each(PROVIDERS)("through the %s provider", { timeout: 120_000 }, (provider) => {
  const { row, both } = rowsThrough(provider);
  const start = (config?: Record<string, string>) => startDeployment(provider, config);

  // Each test starts Pulumi's provider host for several deployments: seconds each, more on a busy machine.
  describe("an address change that reaches the same client", { timeout: 120_000 }, () => {
    row(
      "in stack config (127.0.0.1 → localhost): an update that moves state, resets nothing, and preview says so",
      async () => {
        const e = await emulator({ waId: "15550003333" });
        e.setSetting("webhooks.url", "https://hooks.example.com/kept");
        const first = await start(configOf(e));
        const state = await first.up("ApplicationSettings", "settings", { logLevel: "warning" });
        expect(state.outputs).toMatchObject({ baseUrl: e.url, waId: "15550003333" });
        e.journal.clear();

        const moved = await start({ ...configOf(e), "whatsapp:baseUrl": localhost(e) });
        const inputs = await moved.check("ApplicationSettings", "settings", { logLevel: "warning" }, state.outputs);
        expect(await moved.diff("ApplicationSettings", "settings", state, inputs)).toMatchObject({
          changes: "some",
          replaces: [],
        });
        await expect
          .poll(() => moved.stderr)
          .toContain(
            `address change: ${e.url} and ${localhost(e)} are the same client (wa_id 15550003333); ` +
              `state moves to ${localhost(e)}, nothing is reset, deleted or restored`,
          );
        // Preview only read: one GET of each address.
        expect(writes(e)).toEqual([]);
        const updated = await moved.update("ApplicationSettings", "settings", state, inputs);
        expect(updated.outputs).toMatchObject({ baseUrl: localhost(e), waId: "15550003333", logLevel: "warning" });
        expect(e.journal.count("DELETE /v1/settings/application")).toBe(0);
        expect(writes(e)).toEqual([]);
        expect(e.getSetting("webhooks.url")).toBe("https://hooks.example.com/kept");
        expect(e.getSetting("log_level")).toBe("warning");

        // The next preview: nothing to do, nothing read.
        e.journal.clear();
        const next = await start({ ...configOf(e), "whatsapp:baseUrl": localhost(e) });
        const again = await next.check("ApplicationSettings", "settings", { logLevel: "warning" }, updated.outputs);
        expect(await next.diff("ApplicationSettings", "settings", updated, again)).toMatchObject({ changes: "none" });
        expect(requests(e)).toEqual([]);
      },
    );

    both(
      "in a resource's own connection, for settings, a media provider and a restore: nothing reset, deleted or restored",
      async () => {
        isolateRestoreRecords();
        const source = await emulator({ waId: "15550004444" });
        const e = await emulator({ waId: null });
        const deployment = await start();
        const backup = await deployment.up("SettingsBackup", "backup", {
          connection: connectionOf(source),
          password: "Backup-Passw0rd!",
        });
        const restoreInputs = (connection: Record<string, unknown>) => ({
          connection,
          data: backup.outputs.data,
          password: "Backup-Passw0rd!",
          healthTimeoutMs: 5_000,
        });
        const restore = await deployment.up("SettingsRestore", "restore", restoreInputs(connectionOf(e)));
        // The restore registered the target with the source's number, and recorded it.
        expect(restore.outputs).toMatchObject({ waId: "15550004444" });
        const settings = await deployment.up("ApplicationSettings", "settings", {
          connection: connectionOf(e),
          sentStatus: true,
        });
        const media = await deployment.up("MediaProvider", "cdn", {
          connection: connectionOf(e),
          name: "cdn",
          config: { bearer: "Cdn-Bearer-77" },
        });
        e.journal.clear();

        const next = await start();
        const moved = { ...connectionOf(e), baseUrl: localhost(e) };
        const cases = [
          ["ApplicationSettings", "settings", settings, { connection: moved, sentStatus: true }],
          ["MediaProvider", "cdn", media, { connection: moved, name: "cdn", config: { bearer: "Cdn-Bearer-77" } }],
          ["SettingsRestore", "restore", restore, restoreInputs(moved)],
        ] as const;
        for (const [kind, name, state, news] of cases) {
          const inputs = await next.check(kind, name, news, state.outputs);
          expect(await next.diff(kind, name, state, inputs), kind).toMatchObject({ changes: "some", replaces: [] });
          const updated = await next.update(kind, name, state, inputs);
          expect(updated.outputs.baseUrl, kind).toBe(localhost(e));
        }
        expect(writes(e)).toEqual([]);
        expect(e.getSetting("sent_status")).toBe(true);
        expect(e.journal.count("POST /v1/settings/restore")).toBe(0);
      },
    );
  });

  describe("another client, or one that cannot be told", { timeout: 120_000 }, () => {
    both(
      "a client registered under another number is another client: preview names the reset of the old one",
      async () => {
        const a = await emulator({ waId: "15550005555" });
        const b = await emulator({ waId: "15550006666" });
        const first = await start(configOf(a));
        const state = await first.up("ApplicationSettings", "settings", { logLevel: "warning" });
        const moved = await start(configOf(b));
        const inputs = await moved.check("ApplicationSettings", "settings", { logLevel: "warning" }, state.outputs);
        expect(await moved.diff("ApplicationSettings", "settings", state, inputs)).toMatchObject({
          replaces: ["connection"],
        });
        await expect
          .poll(() => moved.stderr)
          .toContain(`moving to ${b.url} (${b.url} is registered as 15550006666, not 15550005555)`);
        await expect
          .poll(() => moved.stderr)
          .toContain(`${a.url}: this step will send a reset (DELETE /v1/settings/application)`);
      },
    );

    row(
      "a client with no registered number is told by its address: another address replaces, and preview says why",
      async () => {
        const e = await emulator({ waId: null });
        const first = await start(configOf(e));
        const state = await first.up("ApplicationSettings", "settings", { logLevel: "warning" });
        expect(state.outputs.waId).toBe("");
        const moved = await start({ ...configOf(e), "whatsapp:baseUrl": localhost(e) });
        const inputs = await moved.check("ApplicationSettings", "settings", { logLevel: "warning" }, state.outputs);
        expect(await moved.diff("ApplicationSettings", "settings", state, inputs)).toMatchObject({
          replaces: ["connection"],
        });
        await expect
          .poll(() => moved.stderr)
          .toContain(`(${e.url} has no registered number (wa_id is empty), so the address decides)`);
        await expect.poll(() => moved.stderr).toContain("this step will send a reset");
      },
    );

    row(
      "a replacement whose diff could not tell (the new address did not answer then) still does not reset the same client",
      async () => {
        const e = await emulator({ waId: "15550007777" });
        const first = await start(configOf(e));
        const state = await first.up("ApplicationSettings", "settings", { logLevel: "warning" });
        e.journal.clear();
        // As Pulumi runs a replacement: create at the new address, then delete the old resource.
        const moved = await start({ ...configOf(e), "whatsapp:baseUrl": localhost(e) });
        const inputs = await moved.check("ApplicationSettings", "settings", { logLevel: "warning" }, state.outputs);
        const created = await moved.create("ApplicationSettings", "settings", inputs);
        expect(created.outputs).toMatchObject({ baseUrl: localhost(e), waId: "15550007777" });
        await moved.delete("ApplicationSettings", "settings", state);
        expect(e.journal.count("DELETE /v1/settings/application")).toBe(0);
        expect(writes(e)).toEqual([]);
        expect(e.getSetting("log_level")).toBe("warning");
        await expect
          .poll(() => moved.stderr)
          .toContain(
            `${e.url}: not reset: it is the client this deployment applied settings to at ${localhost(e)} (wa_id 15550007777)`,
          );
      },
    );
  });

  row(
    "a reset warning names only what the client really changed, read before and after the DELETE",
    async () => {
      const e = await emulator();
      const first = await start(configOf(e));
      const state = await first.up("ApplicationSettings", "settings", {
        logLevel: "error",
        callbackBackoffDelayMs: 5000,
      });
      // This client's own default back-off is 5000: after the DELETE it still answers 5000.
      e.faults.inject({
        route: "GET /v1/settings/application",
        after: 1,
        times: 1,
        body: JSON.stringify({
          settings: { application: { callback_backoff_delay_ms: 5000, log_level: "info", wa_id: "16315551019" } },
          meta: { api_status: "stable", version: "v2.53.2" },
        }),
      });
      const destroy = await start(configOf(e));
      await destroy.delete("ApplicationSettings", "settings", state);
      expect(e.journal.count("DELETE /v1/settings/application")).toBe(1);
      await expect.poll(() => destroy.stderr).toContain("changed back to the default: logLevel");
      expect(destroy.stderr).not.toMatch(/changed back to the default: [^\n]*callbackBackoffDelayMs/);
    },
    120_000,
  );

  row(
    "preview names a media provider's delete when a replacement will send it, with the client",
    async () => {
      const e = await emulator();
      const first = await start(configOf(e));
      const state = await first.up("MediaProvider", "cdn", { name: "cdn", config: { bearer: "Cdn-Bearer-88" } });
      e.journal.clear();
      const preview = await start(configOf(e));
      const inputs = await preview.check(
        "MediaProvider",
        "cdn",
        { name: "cdn-two", config: { bearer: "Cdn-Bearer-88" } },
        state.outputs,
      );
      expect(await preview.diff("MediaProvider", "cdn", state, inputs)).toMatchObject({ replaces: ["name"] });
      await expect
        .poll(() => preview.stderr)
        .toContain(
          `${e.url}: this step will send DELETE /v1/settings/application/media/providers/cdn: ` +
            'media provider "cdn" is deleted once "cdn-two" is created',
        );
      expect(requests(e)).toEqual([]);
    },
    120_000,
  );
});

rowPerProvider(
  "through the engine stand-in (%s provider), stack config 127.0.0.1 → localhost updates settings and media in place: the webhook, log level and provider stay",
  async (provider) => {
    const e = await emulator({ waId: "15550002468" });
    e.setSetting("webhooks.url", "https://hooks.example.com/kept");
    const program = programOf(
      programFiles(
        provider,
        "program",
        `new ws.ApplicationSettings("settings", { logLevel: "warning" });
new ws.MediaProvider("cdn", { name: "cdn", config: { bearer: "Cdn-Bearer-2468" } });
`,
      ),
    );
    const run = (command: "preview" | "up", baseUrl: string) =>
      runEngine(command, {
        dir: program.dir,
        config: { "whatsapp:baseUrl": baseUrl, "whatsapp:username": "admin", "whatsapp:caCert": e.caCert as string },
        secrets: { "whatsapp:password": e.adminPassword },
      });
    const ops = (result: Awaited<ReturnType<typeof run>>) =>
      result.steps.filter((step) => whatsapp(step.type)).map((step) => `${step.op} ${step.name}`);
    expect((await run("up", e.url)).ok).toBe(true);
    e.journal.clear();

    // Pulumi's step generator (pkg/resource/deploy/step_generator.go): a diff without replaceKeys is an update.
    const preview = await run("preview", localhost(e));
    expect(ops(preview)).toEqual(["update settings", "update cdn"]);
    const said = preview.diagnostics.map((d) => d.message).join("\n");
    expect(said).toContain(`address change: ${e.url} and ${localhost(e)} are the same client (wa_id 15550002468)`);
    expect(said).not.toContain("this step will send");
    const up = await run("up", localhost(e));
    expect(up.ok).toBe(true);
    expect(ops(up)).toEqual(["update settings", "update cdn"]);
    expect(writes(e)).toEqual([]);
    expect(e.getSetting("webhooks.url")).toBe("https://hooks.example.com/kept");
    expect(e.getSetting("log_level")).toBe("warning");
    const resources = up.checkpoint.resources.filter((r) => whatsapp(r.type));
    expect(resources.map((r) => r.outputs.baseUrl)).toEqual([localhost(e), localhost(e)]);
    const after = await run("preview", localhost(e));
    expect(ops(after)).toEqual(["same settings", "same cdn"]);
  },
  180_000,
);
