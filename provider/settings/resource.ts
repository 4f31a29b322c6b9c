/** The `ApplicationSettings` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import { type ConnectionArgs, connectionInput, pulumiOptions, type ResourceOptions } from "../connection-provider";
import type { Inputs, Outputs } from "../inputs";
import { STORED_CONNECTION } from "../runtime";
import { webhooksCarrySecret } from "./inputs";
import * as settingsProvider from "./provider";
import type { ApplicationSettingsInput, ApplicationSettings as Settings } from "./schema";

/**
 * The settings to manage. Every field is optional: only the fields set here are managed, the
 * rest of the client is left as it is. See README's configuration table for defaults, allowed
 * values, the client version each field needs and which take effect only after a restart.
 */
export type ApplicationSettingsArgs = Inputs<ApplicationSettingsInput> & {
  /**
   * The client to manage; stored secret. Without it: the `provider` option's connection, else
   * stack config `whatsapp:*` / `WHATSAPP_*`.
   */
  connection?: pulumi.Input<ConnectionArgs> | undefined;
};

function carriesSecret(webhooks: unknown): boolean {
  return webhooksCarrySecret(webhooks);
}

export interface ApplicationSettings extends Outputs<Settings> {}

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
  declare readonly baseUrl: pulumi.Output<string>;
  /**
   * Other `ApplicationSettings` of the program managed this client too at the last apply: deleting
   * this one resets only its own fields, never the whole client.
   */
  declare readonly sharesClient: pulumi.Output<boolean>;

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
