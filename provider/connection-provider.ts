/**
 * An explicit connection to one client, for programs that manage several: pass it as
 * `{ provider }` and every resource given it talks to that client.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Connection, ConnectionArgs } from "./args.generated";

/**
 * One WhatsApp Business API client to talk to. Not a Pulumi provider resource: it carries a
 * connection that each resource given `{ provider }` stores (secret) as its own `connection`
 * input, so a program can manage several clients at once.
 *
 * ```ts
 * const eu = new Provider("eu", { baseUrl: "https://wa-eu.example.com:9090", username: "admin", password });
 * new ApplicationSettings("eu-settings", { logLevel: "warning" }, { provider: eu });
 * ```
 */
export class Provider {
  /** The name given to the constructor, for messages. */
  readonly name: string;
  /** The connection, kept secret in state. */
  readonly connection: pulumi.Output<Connection>;

  /**
   * @param name A name for this client, e.g. `"eu"`.
   * @param args Where the client is and how to log in: `baseUrl` plus `username` and `password` (preferred) or `token`.
   */
  constructor(name: string, args: ConnectionArgs) {
    this.name = name;
    this.connection = pulumi.secret(pulumi.output(args) as pulumi.Output<Connection>);
  }
}

/** Resource options of this package: Pulumi's, with `provider` taking our `Provider`. */
export interface ResourceOptions extends Omit<pulumi.CustomResourceOptions, "provider"> {
  /** The client this resource talks to, unless the resource has its own `connection`. */
  provider?: Provider;
}

/** The `connection` input for a resource: its own, else its provider's; `undefined` means stack config. */
export function connectionInput(
  own: pulumi.Input<ConnectionArgs> | undefined,
  provider: Provider | undefined,
): pulumi.Output<Connection> | undefined {
  if (own !== undefined) return pulumi.secret(pulumi.output(own) as pulumi.Output<Connection>);
  return provider?.connection;
}

/** Pulumi options without our `provider`, with `connection` and any extra outputs kept secret. */
export function pulumiOptions(opts: ResourceOptions, secretOutputs: string[]): pulumi.CustomResourceOptions {
  const { provider: _explicit, ...rest } = opts;
  return { ...rest, additionalSecretOutputs: [...(rest.additionalSecretOutputs ?? []), ...secretOutputs] };
}
