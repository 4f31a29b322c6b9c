/** The `SettingsBackup` and `SettingsRestore` resources a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type {
  SettingsBackupArgs,
  SettingsBackupOutputs,
  SettingsRestoreArgs,
  SettingsRestoreOutputs,
} from "../args.generated";
import type { ResourceOptions } from "../connection-provider";
import type { Outputs } from "../inputs";
import { dynamicResource, registeredInputs } from "../registration";
import * as backupProvider from "./backup-provider";
import * as restoreProvider from "./restore-provider";
import { SettingsBackupModel, SettingsRestoreModel } from "./schema";

/** The backup and what is known of it; `data` is secret. */
export interface SettingsBackup extends Outputs<SettingsBackupOutputs> {}

/**
 * A backup of one client's settings and registration (`POST /v1/settings/backup`). The client
 * must be registered and running. Deleting it only drops it from state.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the generated output types
export class SettingsBackup extends pulumi.dynamic.Resource {
  /**
   * @param name The resource's name in the stack.
   * @param args The backup password and, optionally, triggers, a local file and the client.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: SettingsBackupArgs, opts: ResourceOptions = {}) {
    const props = registeredInputs(SettingsBackupModel, args, opts);
    super(...dynamicResource(SettingsBackupModel, backupProvider, name, props, opts));
  }
}

/** What the restore did and how the client came back. */
export interface SettingsRestore extends Outputs<SettingsRestoreOutputs> {}

/**
 * Restores a backup onto a client (`POST /v1/settings/restore`), exactly once. Contacts see a new
 * security code afterwards. A registered client stops after the restore and must be restarted:
 * `restartRequired` says when it did not come back in time. Deleting it sends nothing.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the generated output types
export class SettingsRestore extends pulumi.dynamic.Resource {
  /**
   * @param name The resource's name in the stack.
   * @param args The backup data and its password, and how to wait for the client afterwards.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: SettingsRestoreArgs, opts: ResourceOptions = {}) {
    const props = registeredInputs(SettingsRestoreModel, args, opts);
    super(...dynamicResource(SettingsRestoreModel, restoreProvider, name, props, opts));
  }
}
