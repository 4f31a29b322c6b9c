/** The `BusinessProfile` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { BusinessProfileArgs, BusinessProfileOutputs } from "../../args.generated";
import type { ResourceOptions } from "../../connection-provider";
import type { Outputs } from "../../inputs";
import { dynamicResource, registeredInputs } from "../../registration";
import * as businessProvider from "./provider";
import { BusinessProfileModel } from "./schema";

/** The managed properties as applied and read back, and the client they are on. */
export interface BusinessProfile extends Outputs<BusinessProfileOutputs> {}

/**
 * The business profile of one client (`/v1/settings/business/profile`): address, description,
 * e-mail, industry and websites. Only the properties given are managed; one removed from the
 * program is cleared, except the industry, which the client cannot clear. Refresh reads them back;
 * deleting the resource leaves the profile on the client (the API cannot remove it).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the generated output types
export class BusinessProfile extends pulumi.dynamic.Resource {
  /**
   * @param name The resource's name in the stack.
   * @param args The properties to manage and, optionally, the client.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: BusinessProfileArgs, opts: ResourceOptions = {}) {
    super(
      ...dynamicResource(
        BusinessProfileModel,
        businessProvider,
        name,
        registeredInputs(BusinessProfileModel, args, opts),
        opts,
      ),
    );
  }
}
