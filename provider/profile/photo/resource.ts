/** The `ProfilePhoto` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { ProfilePhotoArgs, ProfilePhotoOutputs } from "../../args.generated";
import type { ResourceOptions } from "../../connection-provider";
import type { Outputs } from "../../inputs";
import { RESOURCE_NAME } from "../../model";
import { dynamicResource, registeredInputs } from "../../registration";
import * as photoProvider from "./provider";
import { ProfilePhotoModel } from "./schema";

/** The file applied (by its SHA-256), what the client answered after the upload, and the client. */
export interface ProfilePhoto extends Outputs<ProfilePhotoOutputs> {}

/**
 * The profile photo of one client (`/v1/settings/profile/photo`), uploaded from a local JPEG or
 * PNG file of at most 5 MB. A changed file is a change even under the same path; refresh compares
 * the client's photo with the one it answered after the upload; deleting the resource removes it.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the generated output types
export class ProfilePhoto extends pulumi.dynamic.Resource {
  /**
   * @param name The resource's name in the stack.
   * @param args The image file and, optionally, the client.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: ProfilePhotoArgs, opts: ResourceOptions = {}) {
    super(
      ...dynamicResource(
        ProfilePhotoModel,
        photoProvider,
        name,
        { ...registeredInputs(ProfilePhotoModel, args, opts), [RESOURCE_NAME]: name },
        opts,
      ),
    );
  }
}
