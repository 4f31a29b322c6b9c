/**
 * pulumi-whatsapp-settings: the settings of a self-hosted WhatsApp Business API client as code.
 */

export {
  SettingsBackup,
  type SettingsBackupArgs,
  SettingsRestore,
  type SettingsRestoreArgs,
} from "./backup/resources";
export { DEFAULT_RETRY, type RetryPolicy, Sessions, WhatsAppClient } from "./client";
export { type Connection, ConnectionSchema } from "./connection";
export { type ConnectionArgs, Provider, type ResourceOptions } from "./connection-provider";
export {
  ApiError,
  BackupIntegrityError,
  ConfigError,
  type ErrorCode,
  FieldIgnoredError,
  InputError,
  isWhatsAppError,
  NetworkError,
  ResponseShapeError,
  TimeoutError,
  TlsError,
  VersionError,
  WhatsAppError,
} from "./errors";
export { MediaProvider, type MediaProviderArgs, type MediaProviderConfigArgs } from "./media/resource";
export { ApplicationSettings, type ApplicationSettingsArgs } from "./settings/resource";
export {
  type ApplicationSettingsInput,
  ApplicationSettingsSchema,
  FIELDS,
  type Field,
  type SettingMeta,
} from "./settings/schema";
