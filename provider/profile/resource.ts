/** The `ProfileAbout` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { ProfileAboutArgs, ProfileAboutOutputs } from "../args.generated";
import type { ResourceOptions } from "../connection-provider";
import type { Outputs } from "../inputs";
import { dynamicResource, registeredInputs } from "../registration";
import * as aboutProvider from "./provider";
import { ProfileAboutModel } from "./schema";

/** The text as applied and read back, and the client it is on. */
export interface ProfileAbout extends Outputs<ProfileAboutOutputs> {}

/**
 * The "About" text of one client's WhatsApp profile (`/v1/settings/profile/about`), at most 139
 * characters. Refresh reads it back; deleting the resource leaves the text on the client (the API
 * cannot remove it).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the generated output types
export class ProfileAbout extends pulumi.dynamic.Resource {
  /**
   * @param name The resource's name in the stack.
   * @param args The text and, optionally, the client.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: ProfileAboutArgs, opts: ResourceOptions = {}) {
    super(
      ...dynamicResource(ProfileAboutModel, aboutProvider, name, registeredInputs(ProfileAboutModel, args, opts), opts),
    );
  }
}
