import { afterEach, expect, test } from "vitest";
import { type Emulator, startEmulator } from "../emulator/index";
import { call, login } from "../support/api";
import { deploy } from "./deploy";
import { secretsOf } from "./engine";
import { exampleProgram } from "./example-program";
import { runMockedProgram } from "./mocked-program";

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function emulator(options: Parameters<typeof startEmulator>[0]): Promise<Emulator> {
  const e = await startEmulator({ https: true, ...options });
  running.push(e);
  return e;
}

test("examples/migrate-settings moves settings and registration to a new client, once", async () => {
  const old = await emulator({ waId: "15550001111" });
  const fresh = await emulator({ waId: null });
  await call(old, "PATCH", "/v1/settings/application", {
    token: await login(old),
    body: { sent_status: true, log_level: "error", callback_backoff_delay_ms: 4500 },
  });
  const dir = exampleProgram("migrate-settings");
  const project = "whatsapp-migrate-settings";
  const config = Object.fromEntries(
    Object.entries({
      oldBaseUrl: old.url,
      oldPassword: old.adminPassword,
      oldCaCert: old.caCert as string,
      newBaseUrl: fresh.url,
      newPassword: fresh.adminPassword,
      newCaCert: fresh.caCert as string,
      backupPassword: "Backup-Passw0rd!",
      webhookUrl: "https://hooks.example.com/new?auth=moved-secret",
      healthTimeoutMs: "5000",
    }).map(([key, value]) => [`${project}:${key}`, value]),
  );
  const secretConfig = ["oldPassword", "newPassword", "backupPassword", "webhookUrl"].map((k) => `${project}:${k}`);

  // What the program asks the engine to keep secret.
  const registrations = runMockedProgram(dir, "./index.js", {
    PROJECT: project,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretConfig),
  });
  const secrets = Object.fromEntries(registrations.map((r) => [r.name, secretsOf(r).sort()]));
  expect(secrets).toEqual({
    "old-client-backup": ["connection", "data", "password"],
    "new-client-restore": ["connection", "data", "password"],
    "new-client-settings": ["clientConnection", "connection", "webhooks"],
  });

  // Preview first: nothing exists yet, the restore's data is unknown, and nothing is sent.
  old.journal.clear();
  const preview = await deploy("preview", dir, { project, config, secretConfig });
  expect(preview.operations.map((o) => `${o.operation} ${o.urn.split("::").pop()}`)).toEqual([
    "create old-client-backup",
    "create new-client-restore",
    "create new-client-settings",
  ]);
  expect([...old.journal.filter(), ...fresh.journal.filter()].map((r) => `${r.method} ${r.path}`)).toEqual([]);

  const first = await deploy("up", dir, { project, config, secretConfig });
  expect(first.operations.map((o) => `${o.operation} ${o.urn.split("::").pop()}`)).toEqual([
    "create old-client-backup",
    "create new-client-restore",
    "create new-client-settings",
  ]);
  expect(fresh.registered).toBe(true);
  expect(fresh.getSetting("sent_status")).toBe(true);
  expect(fresh.getSetting("log_level")).toBe("error");
  expect(fresh.getSetting("callback_backoff_delay_ms")).toBe(4500);
  expect(fresh.getSetting("webhooks.url")).toBe("https://hooks.example.com/new?auth=moved-secret");
  const restore = first.state.find((s) => s.urn.endsWith("new-client-restore"));
  expect(restore?.outputs).toMatchObject({ restartRequired: false, gatewayStatus: "connected" });

  // The state a state file would hold, with the secret properties encrypted: no blob, no password.
  const blob = first.state.find((s) => s.urn.endsWith("old-client-backup"))?.outputs.data as string;
  expect(blob.length).toBeGreaterThan(100);
  const stored = JSON.stringify(
    first.state.map((entry) => {
      const keep = secrets[entry.urn.split("::").pop() as string] ?? [];
      const mask = (props: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, keep.includes(k) ? "[secret]" : v]));
      return { ...entry, inputs: mask(entry.inputs), outputs: mask(entry.outputs) };
    }),
  );
  for (const secret of [blob, "Backup-Passw0rd!", "moved-secret", old.adminPassword, fresh.adminPassword]) {
    expect(stored).not.toContain(secret);
  }

  // Running it again changes nothing and restores nothing.
  const second = await deploy("up", dir, { project, config, secretConfig });
  expect(second.operations.map((o) => o.operation)).toEqual(["same", "same", "same"]);
  expect(fresh.journal.count("POST /v1/settings/restore")).toBe(1);
  expect(old.journal.count("POST /v1/settings/backup")).toBe(1);

  // Destroy: the backup and the restore send nothing; the new client's settings are reset.
  old.journal.clear();
  fresh.journal.clear();
  await deploy("destroy", dir, { project, config, secretConfig });
  expect(old.journal.count()).toBe(0);
  expect(fresh.journal.filter().map((r) => `${r.method} ${r.path}`)).toEqual([
    "POST /v1/users/login",
    "GET /v1/settings/application",
    "DELETE /v1/settings/application",
  ]);
}, 120_000);
