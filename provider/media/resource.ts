/** The `MediaProvider` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { MediaProviderArgs, MediaProviderOutputs } from "../args.generated";
import type { ResourceOptions } from "../connection-provider";
import type { Outputs } from "../inputs";
import { RESOURCE_NAME } from "../model";
import { dynamicResource, registeredInputs } from "../registration";
import * as mediaProvider from "./provider";
import { MediaProviderModel } from "./schema";

/** The provider as the client holds it; `config` is secret. */
export interface MediaProvider extends Outputs<MediaProviderOutputs> {}

/**
 * A media provider of one WhatsApp Business API client
 * (`/v1/settings/application/media/providers`): a host the client may fetch media from by URL,
 * with a bearer token or basic credentials. Refresh reads it back by name (and forgets it when
 * the client no longer lists it); delete removes it from the client.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the generated output types
export class MediaProvider extends pulumi.dynamic.Resource {
  /**
   * @param name The resource's name in the stack.
   * @param args The provider's name, type and credentials and, optionally, the client.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: MediaProviderArgs, opts: ResourceOptions = {}) {
    // Its name rides along so that check can name both resources when two claim one provider.
    const props = { ...registeredInputs(MediaProviderModel, args, opts), [RESOURCE_NAME]: name };
    super(...dynamicResource(MediaProviderModel, mediaProvider, name, props, opts));
  }
}
