/** The `ApplicationSettings` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { ApplicationSettingsArgs, ApplicationSettingsOutputs, ApplicationSettingsValues } from "../args.generated";
import type { ResourceOptions } from "../connection-provider";
import type { Outputs } from "../inputs";
import { RESOURCE_NAME } from "../model";
import { dynamicResource, registeredInputs } from "../registration";
import { carriesSecret, fieldCarriesSecret, SECRET_GROUP_KEYS, secretFieldsOf } from "./inputs";
import * as settingsProvider from "./provider";
import { ApplicationSettingsModel } from "./schema";

/** Every managed setting, as applied and read back (`undefined` for the fields not managed), and what an apply reports. */
export interface ApplicationSettings extends Outputs<ApplicationSettingsValues & ApplicationSettingsOutputs> {}

/**
 * A group holding a field that may carry a secret (`webhooks.url` with `?auth=...`): Pulumi keeps
 * secret what was secret going in, member by member (`annotateSecrets` in pulumi/pulumi's
 * sdk/go/common/resource/plugin/provider_plugin.go), so when the group is written out as an
 * object only that field is made secret and its siblings (`maxConcurrentRequests`) stay visible in
 * a preview. A group given as one Output has one secret flag for all of it: then all of it.
 */
function secretOnlyWhereNeeded(key: string, group: unknown): unknown {
  const isPlainObject =
    typeof group === "object" &&
    group !== null &&
    !Array.isArray(group) &&
    !pulumi.Output.isInstance(group) &&
    typeof (group as { then?: unknown }).then !== "function";
  const fields = secretFieldsOf(key);
  if (!isPlainObject || fields.some((path) => path.includes("."))) {
    return pulumi
      .output(group as pulumi.Input<Record<string, unknown>>)
      .apply((value) => (carriesSecret(key, value) ? pulumi.secret(value) : value));
  }
  const copy: Record<string, unknown> = { ...(group as Record<string, unknown>) };
  for (const field of fields) {
    if (copy[field] === undefined) continue;
    copy[field] = pulumi
      .output(copy[field])
      .apply((value) => (fieldCarriesSecret(value) ? pulumi.secret(value) : value));
  }
  return copy;
}

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
      if (props[key] !== undefined) props[key] = secretOnlyWhereNeeded(key, props[key]);
    }
    super(
      ...dynamicResource(ApplicationSettingsModel, settingsProvider, name, { ...props, [RESOURCE_NAME]: name }, opts),
    );
  }
}
