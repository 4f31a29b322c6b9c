/** The `SettingsBackup` and `SettingsRestore` resources a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import { type ConnectionArgs, connectionInput, pulumiOptions, type ResourceOptions } from "../connection-provider";
import * as backupProvider from "./backup-provider";
import * as restoreProvider from "./restore-provider";

export interface SettingsBackupArgs {
  /** Encrypts the backup; stored secret. Keep it: a restore needs it together with `data`. */
  password: pulumi.Input<string>;
  /** Any values; when they change, a new backup is taken. */
  triggers?: pulumi.Input<unknown> | undefined;
  /** Also write the blob to this local file (mode 0600, written atomically). */
  outputFile?: pulumi.Input<string> | undefined;
  /** The client to back up; else the `provider` option's, else stack config. */
  connection?: pulumi.Input<ConnectionArgs> | undefined;
}

/**
 * A backup of one client's settings and registration (`POST /v1/settings/backup`). The client
 * must be registered and running. Deleting it only drops it from state.
 */
export class SettingsBackup extends pulumi.dynamic.Resource {
  /** The encrypted backup, secret in state. */
  declare readonly data: pulumi.Output<string>;
  declare readonly sha256: pulumi.Output<string>;
  declare readonly sizeBytes: pulumi.Output<number>;
  /** `meta.version` of the client the backup was taken on. */
  declare readonly apiVersion: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly baseUrl: pulumi.Output<string>;

  constructor(name: string, args: SettingsBackupArgs, opts: ResourceOptions = {}) {
    const props = {
      password: pulumi.secret(args.password),
      triggers: args.triggers,
      outputFile: args.outputFile,
      connection: connectionInput(args.connection, opts.provider),
      data: undefined,
      sha256: undefined,
      sizeBytes: undefined,
      apiVersion: undefined,
      createdAt: undefined,
      baseUrl: undefined,
    };
    super(
      backupProvider,
      name,
      props,
      pulumiOptions(opts, ["data", "password", "connection"]),
      "whatsapp",
      "SettingsBackup",
    );
  }
}

export interface SettingsRestoreArgs {
  /** The backup blob, usually another client's `SettingsBackup.data`; stored secret. */
  data: pulumi.Input<string>;
  /** The password the backup was taken with; stored secret. */
  password: pulumi.Input<string>;
  /** SHA-256 (hex) the data must have, e.g. `backup.sha256`; checked before anything is sent. */
  expectedSha256?: pulumi.Input<string> | undefined;
  /**
   * Any values; when they change, the backup is restored again. A new `data` alone restores
   * nothing (a restore shows every contact a new security code): change this on purpose.
   */
  triggers?: pulumi.Input<unknown> | undefined;
  /** Wait for the client to answer and report connected/connecting again. @default true */
  waitForHealthy?: pulumi.Input<boolean> | undefined;
  /** @default 300000 (5 minutes) */
  healthTimeoutMs?: pulumi.Input<number> | undefined;
  /** The client to restore onto; else the `provider` option's, else stack config. */
  connection?: pulumi.Input<ConnectionArgs> | undefined;
}

/**
 * Restores a backup onto a client (`POST /v1/settings/restore`), exactly once. Contacts see a new
 * security code afterwards. A registered client stops after the restore and must be restarted:
 * `restartRequired` says when it did not come back in time. Deleting it sends nothing.
 */
export class SettingsRestore extends pulumi.dynamic.Resource {
  declare readonly sha256: pulumi.Output<string>;
  /** The client stopped after the restore and had not come back within `healthTimeoutMs`. */
  declare readonly restartRequired: pulumi.Output<boolean>;
  declare readonly gatewayStatus: pulumi.Output<string>;
  declare readonly restoredAt: pulumi.Output<string>;
  declare readonly apiVersion: pulumi.Output<string>;
  declare readonly baseUrl: pulumi.Output<string>;

  constructor(name: string, args: SettingsRestoreArgs, opts: ResourceOptions = {}) {
    const props = {
      data: pulumi.secret(args.data),
      password: pulumi.secret(args.password),
      expectedSha256: args.expectedSha256,
      triggers: args.triggers,
      waitForHealthy: args.waitForHealthy,
      healthTimeoutMs: args.healthTimeoutMs,
      connection: connectionInput(args.connection, opts.provider),
      sha256: undefined,
      restartRequired: undefined,
      gatewayStatus: undefined,
      restoredAt: undefined,
      apiVersion: undefined,
      baseUrl: undefined,
    };
    super(
      restoreProvider,
      name,
      props,
      pulumiOptions(opts, ["data", "password", "connection"]),
      "whatsapp",
      "SettingsRestore",
    );
  }
}
