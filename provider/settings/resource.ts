/** The `ApplicationSettings` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { ApplicationSettingsArgs, ApplicationSettingsOutputs, ApplicationSettingsValues } from "../args.generated";
import type { ResourceOptions } from "../connection-provider";
import type { Outputs } from "../inputs";
import { registeredInputs, registeredOptions } from "../registration";
import { carriesSecret, SECRET_GROUP_KEYS } from "./inputs";
import * as settingsProvider from "./provider";
import { ApplicationSettingsModel } from "./schema";

/** Every managed setting, as applied and read back (`undefined` for the fields not managed), and what an apply reports. */
export interface ApplicationSettings extends Outputs<ApplicationSettingsValues & ApplicationSettingsOutputs> {}

/**
 * The application settings of one WhatsApp Business API client. Create adopts the client's
 * settings object (it always exists) and sets the managed fields; delete resets the **whole**
 * client to its defaults (use `retainOnDelete: true` to keep them).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the generated output types
export class ApplicationSettings extends pulumi.dynamic.Resource {
  /**
   * @param name The resource's name in the stack.
   * @param args The settings to manage, and optionally the client (`connection`).
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: ApplicationSettingsArgs = {}, opts: ResourceOptions = {}) {
    const props = registeredInputs(ApplicationSettingsModel, args, opts);
    for (const key of SECRET_GROUP_KEYS) {
      // A shared secret rides in the webhook URL's query string: keep the whole group secret then.
      if (props[key] !== undefined) {
        props[key] = pulumi
          .output(props[key])
          .apply((value) => (carriesSecret(key, value) ? pulumi.secret(value) : value));
      }
    }
    super(
      settingsProvider,
      name,
      props,
      registeredOptions(ApplicationSettingsModel, opts),
      "whatsapp",
      "ApplicationSettings",
    );
  }
}
