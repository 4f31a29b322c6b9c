import * as pulumi from "@pulumi/pulumi";
import { ApplicationSettings, Provider, SettingsBackup, SettingsRestore } from "pulumi-whatsapp-settings";

// Settings-only migration ("option 1" of the migration guide): back up the old client, restore
// onto the new one, then set up the webhook again there.
const config = new pulumi.Config();

const oldClient = new Provider("old", {
  baseUrl: config.require("oldBaseUrl"),
  username: "admin",
  password: config.requireSecret("oldPassword"),
  caCert: config.get("oldCaCert"),
});

const newClient = new Provider("new", {
  baseUrl: config.require("newBaseUrl"),
  username: "admin",
  password: config.requireSecret("newPassword"),
  caCert: config.get("newCaCert"),
});

// Step 1: back up the old client (it must be registered and running). Keep the password: the
// restore needs it, and so does anyone restoring this backup later.
const backup = new SettingsBackup(
  "old-client-backup",
  { password: config.requireSecret("backupPassword"), outputFile: config.get("backupFile") },
  { provider: oldClient },
);

// Step 2 (by hand): uninstall the old client, keeping its database.

// Step 3: restore onto the new client: it must be running and not registered yet. This happens
// once: contacts see a new security code afterwards.
const restore = new SettingsRestore(
  "new-client-restore",
  {
    data: backup.data,
    password: config.requireSecret("backupPassword"),
    expectedSha256: backup.sha256,
    healthTimeoutMs: config.getNumber("healthTimeoutMs") ?? 300_000,
  },
  { provider: newClient },
);

// Step 4: set up the webhook again on the new client, once it is back.
const settings = new ApplicationSettings(
  "new-client-settings",
  { webhooks: { url: config.requireSecret("webhookUrl") } },
  { provider: newClient, dependsOn: [restore] },
);

export const backupSha256 = backup.sha256;
export const restoredFrom = backup.apiVersion;
export const newClientNeedsRestart = restore.restartRequired;
export const newClientVersion = settings.apiVersion;
