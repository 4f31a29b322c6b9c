/** The `TwoStepVerification` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { TwoStepVerificationArgs, TwoStepVerificationOutputs } from "../args.generated";
import type { ResourceOptions } from "../connection-provider";
import type { Outputs } from "../inputs";
import { RESOURCE_NAME } from "../model";
import { dynamicResource, registeredInputs } from "../registration";
import * as twoStepProvider from "./provider";
import { TwoStepVerificationModel } from "./schema";

/** The PIN last set (secret), when this resource enabled it, and the client it is on. */
export interface TwoStepVerification extends Outputs<TwoStepVerificationOutputs> {}

/**
 * Two-step verification of one client (`/v1/settings/account/two-step`) with a 6-digit PIN, kept
 * secret. The API cannot read it back, so refresh keeps state as it is. Deleting the resource
 * disables two-step verification (a security downgrade) when this stack enabled it; a
 * replacement on the same client keeps it enabled.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the generated output types
export class TwoStepVerification extends pulumi.dynamic.Resource {
  /**
   * @param name The resource's name in the stack.
   * @param args The PIN and, optionally, the client.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: TwoStepVerificationArgs, opts: ResourceOptions = {}) {
    super(
      ...dynamicResource(
        TwoStepVerificationModel,
        twoStepProvider,
        name,
        { ...registeredInputs(TwoStepVerificationModel, args, opts), [RESOURCE_NAME]: name },
        opts,
      ),
    );
  }
}
