/** The `MediaProvider` resource a Pulumi program declares. */
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../args.generated";
import { connectionInput, pulumiOptions, type ResourceOptions } from "../connection-provider";
import { STORED_CONNECTION } from "../runtime";
import * as mediaProvider from "./provider";

/** How the client authenticates to the media host: exactly one of the two forms. */
export type MediaProviderConfigArgs =
  | {
      /** Sent as `Authorization: Bearer <token>` when the client fetches media from the host. */
      bearer: pulumi.Input<string>;
    }
  | {
      /** HTTP basic credentials for the host. */
      basic: pulumi.Input<{ username: pulumi.Input<string>; password: pulumi.Input<string> }>;
    };

export interface MediaProviderArgs {
  /**
   * The provider's name on the client, which media messages refer to: 1 to 200 letters, `_` or
   * `-`. A new name replaces the resource (the new one is added before the old one is deleted).
   */
  name: pulumi.Input<string>;
  /** The kind of host; the API allows only `"www"` (HTTP(S) hosts). @default "www" */
  type?: pulumi.Input<"www"> | undefined;
  /** `{ bearer }` or `{ basic: { username, password } }`; stored secret. A change updates it in place. */
  config: pulumi.Input<MediaProviderConfigArgs>;
  /**
   * The client to manage; stored secret. Without it: the `provider` option's connection, else
   * stack config `whatsapp:*` / `WHATSAPP_*`.
   */
  connection?: pulumi.Input<ConnectionArgs> | undefined;
}

/**
 * A media provider of one WhatsApp Business API client
 * (`/v1/settings/application/media/providers`): a host the client may fetch media from by URL,
 * with a bearer token or basic credentials. Refresh reads it back by name (and forgets it when
 * the client no longer lists it); delete removes it from the client.
 */
export class MediaProvider extends pulumi.dynamic.Resource {
  /** The provider's name on the client. */
  declare readonly name: pulumi.Output<string>;
  /** The kind of host, `"www"`. */
  declare readonly type: pulumi.Output<string>;
  /** The credentials as the client holds them; secret, also after a refresh reads them back. */
  declare readonly config: pulumi.Output<MediaProviderConfigArgs>;
  /** The client this provider is on (its normalized base URL). */
  declare readonly baseUrl: pulumi.Output<string>;

  /**
   * @param name The resource's name in the stack.
   * @param args The provider's name, type and credentials and, optionally, the client.
   * @param opts Pulumi's resource options; `provider` takes a {@link Provider} of this package.
   */
  constructor(name: string, args: MediaProviderArgs, opts: ResourceOptions = {}) {
    const props = {
      name: args.name,
      type: args.type,
      config: pulumi.secret(args.config),
      connection: connectionInput(args.connection, opts.provider),
      baseUrl: undefined,
    };
    super(
      mediaProvider,
      name,
      props,
      pulumiOptions(opts, ["config", "connection", STORED_CONNECTION]),
      "whatsapp",
      "MediaProvider",
    );
  }
}
