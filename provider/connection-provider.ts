/**
 * An explicit connection to one client, for programs that manage several: pass it as
 * `{ provider }` and every resource given it talks to that client.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "./connection";
import type { Inputs } from "./inputs";

export type ConnectionArgs = Inputs<Connection>;

export class Provider {
  readonly name: string;
  /** The connection, kept secret in state. */
  readonly connection: pulumi.Output<Connection>;

  constructor(name: string, args: ConnectionArgs) {
    this.name = name;
    this.connection = pulumi.secret(pulumi.output(args) as pulumi.Output<Connection>);
  }
}

/** Resource options of this package: Pulumi's, with `provider` taking our `Provider`. */
export interface ResourceOptions extends Omit<pulumi.CustomResourceOptions, "provider"> {
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
