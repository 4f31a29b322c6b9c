/**
 * pulumi-whatsapp-settings: the settings of a self-hosted WhatsApp Business API client as code.
 *
 * The public surface is plain: resources, their generated `...Args` interfaces, the enum types
 * and value lists, `Provider` and the errors. Its declarations mention only `@pulumi/pulumi`'s
 * types and ours, so they compile under any tsconfig without `skipLibCheck`. The resource classes
 * are exported from their own modules rather than from the registry (`resources.ts`), whose
 * declarations name zod's types; test/architecture.test.ts holds this list to the registry's.
 */

export { TwoStepVerification } from "./account/resource";
export {
  type ApplicationSettingsArgs,
  type ApplicationSettingsGarbagecollectorEnableArgs,
  type ApplicationSettingsGarbagecollectorEnableValues,
  type ApplicationSettingsMediaArgs,
  type ApplicationSettingsMediaValues,
  type ApplicationSettingsOutputs,
  type ApplicationSettingsValues,
  type ApplicationSettingsWebhooksArgs,
  type ApplicationSettingsWebhooksMessageArgs,
  type ApplicationSettingsWebhooksMessageValues,
  type ApplicationSettingsWebhooksValues,
  type BusinessProfileArgs,
  type BusinessProfileOutputs,
  type Connection,
  type ConnectionArgs,
  LOG_LEVELS,
  type LogLevel,
  MAX_CONCURRENT_REQUESTS,
  type MaxConcurrentRequests,
  MEDIA_TYPES,
  type MediaProviderArgs,
  type MediaProviderConfig,
  type MediaProviderConfigArgs,
  type MediaProviderOutputs,
  type MediaType,
  type ProfileAboutArgs,
  type ProfileAboutOutputs,
  type ProfilePhotoArgs,
  type ProfilePhotoOutputs,
  type SettingsBackupArgs,
  type SettingsBackupOutputs,
  type SettingsRestoreArgs,
  type SettingsRestoreOutputs,
  type TwoStepVerificationArgs,
  type TwoStepVerificationOutputs,
} from "./args.generated";
export { SettingsBackup, SettingsRestore } from "./backup/resources";
export { Provider, type ResourceOptions } from "./connection-provider";
export {
  ApiError,
  BackupIntegrityError,
  ConfigError,
  type ErrorCode,
  FieldIgnoredError,
  InputError,
  isWhatsAppError,
  NetworkError,
  NotOwnedError,
  ResponseShapeError,
  RestoreUnfinishedError,
  SettingsConflictError,
  SharedClientError,
  TimeoutError,
  TlsError,
  UnsureClientError,
  VersionError,
  WhatsAppError,
  WrongClientError,
} from "./errors";
export { MediaProvider } from "./media/resource";
/** The same resources served by the native `whatsapp` provider, with one `native.Provider` per client. */
export * as native from "./native/sdk.generated";
export { BusinessProfile } from "./profile/business/resource";
export { ProfilePhoto } from "./profile/photo/resource";
export { ProfileAbout } from "./profile/resource";
export { ApplicationSettings } from "./settings/resource";
