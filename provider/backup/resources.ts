/** The `SettingsBackup` and `SettingsRestore` resources a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { SettingsBackupArgs, SettingsRestoreArgs } from "../args.generated";
import { connectionInput, pulumiOptions, type ResourceOptions } from "../connection-provider";
import * as backupProvider from "./backup-provider";
import * as restoreProvider from "./restore-provider";

/**
 * A backup of one client's settings and registration (`POST /v1/settings/backup`). The client
 * must be registered and running. Deleting it only drops it from state.
 */
export class SettingsBackup extends pulumi.dynamic.Resource {
  /** The encrypted backup, secret in state. */
  declare readonly data: pulumi.Output<string>;
  /** SHA-256 (hex) of `data`; give it to a restore as `expectedSha256`. */
  declare readonly sha256: pulumi.Output<string>;
  /** Length of `data` in bytes. */
  declare readonly sizeBytes: pulumi.Output<number>;
  /** `meta.version` of the client the backup was taken on. */
  declare readonly apiVersion: pulumi.Output<string>;
  /** When the backup was taken (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** The address of the client the backup was taken on. */
  declare readonly baseUrl: pulumi.Output<string>;

  /**
   * @param name The resource's name in the stack.
   * @param args The backup password and, optionally, triggers, a local file and the client.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
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

/**
 * Restores a backup onto a client (`POST /v1/settings/restore`), exactly once. Contacts see a new
 * security code afterwards. A registered client stops after the restore and must be restarted:
 * `restartRequired` says when it did not come back in time. Deleting it sends nothing.
 */
export class SettingsRestore extends pulumi.dynamic.Resource {
  /** SHA-256 (hex) of the restored data. */
  declare readonly sha256: pulumi.Output<string>;
  /** The client stopped after the restore and had not come back within `healthTimeoutMs`. */
  declare readonly restartRequired: pulumi.Output<boolean>;
  /** The gateway status `/v1/health` reported last, e.g. `connected`. */
  declare readonly gatewayStatus: pulumi.Output<string>;
  /** When the restore was sent (ISO 8601). */
  declare readonly restoredAt: pulumi.Output<string>;
  /** The client's `meta.version` at the restore, e.g. `v2.53.2`. */
  declare readonly apiVersion: pulumi.Output<string>;
  /** The address of the client restored onto. */
  declare readonly baseUrl: pulumi.Output<string>;

  /**
   * @param name The resource's name in the stack.
   * @param args The backup data and its password, and how to wait for the client afterwards.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
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
