/** The `ApplicationSettings` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { ApplicationSettingsArgs, ApplicationSettingsValues } from "../args.generated";
import { connectionInput, pulumiOptions, type ResourceOptions } from "../connection-provider";
import type { Outputs } from "../inputs";
import { STORED_CONNECTION } from "../runtime";
import { webhooksCarrySecret } from "./inputs";
import * as settingsProvider from "./provider";

function carriesSecret(webhooks: unknown): boolean {
  return webhooksCarrySecret(webhooks);
}

/** Every managed setting, as applied and read back (`undefined` for the fields not managed). */
export interface ApplicationSettings extends Outputs<ApplicationSettingsValues> {}

/**
 * The application settings of one WhatsApp Business API client. Create adopts the client's
 * settings object (it always exists) and sets the managed fields; delete resets the **whole**
 * client to its defaults (use `retainOnDelete: true` to keep them).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the output type of every setting
export class ApplicationSettings extends pulumi.dynamic.Resource {
  /** Whether a change of this deployment takes effect only after a Coreapp restart. */
  declare readonly restartRequired: pulumi.Output<boolean>;
  /** camelCase paths of the restart-required settings this deployment changed. */
  declare readonly restartRequiredFields: pulumi.Output<string[]>;
  /** The client's `meta.version`, e.g. `v2.53.2`. */
  declare readonly apiVersion: pulumi.Output<string>;
  /** The address of the client this resource manages. */
  declare readonly baseUrl: pulumi.Output<string>;
  /**
   * Other `ApplicationSettings` of the program managed this client too at the last apply: deleting
   * this one resets only its own fields, never the whole client.
   */
  declare readonly sharesClient: pulumi.Output<boolean>;

  /**
   * @param name The resource's name in the stack.
   * @param args The settings to manage, and optionally the client (`connection`).
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: ApplicationSettingsArgs = {}, opts: ResourceOptions = {}) {
    const { connection, ...settings } = args;
    const props: Record<string, unknown> = {
      ...settings,
      restartRequired: undefined,
      restartRequiredFields: undefined,
      apiVersion: undefined,
      baseUrl: undefined,
      sharesClient: undefined,
      connection: connectionInput(connection, opts.provider),
    };
    if (settings.webhooks !== undefined) {
      // A shared secret rides in the webhook URL's query string: keep the whole group secret then.
      props.webhooks = pulumi
        .output(settings.webhooks)
        .apply((webhooks) => (carriesSecret(webhooks) ? pulumi.secret(webhooks) : webhooks));
    }
    super(
      settingsProvider,
      name,
      props,
      pulumiOptions(opts, ["connection", STORED_CONNECTION]),
      "whatsapp",
      "ApplicationSettings",
    );
  }
}
