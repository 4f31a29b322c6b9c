/**
 * One client, as an explicit provider of the native `whatsapp` plugin: a fleet program declares
 * one per client and passes it as the `provider` option of that client's resources. Written by
 * hand (the generated SDK re-exports it): it is the same for every resource of the registry.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../args.generated";

export class Provider extends pulumi.ProviderResource {
  constructor(name: string, args: ConnectionArgs, opts?: pulumi.ResourceOptions) {
    super("whatsapp", name, { ...args, password: secret(args.password), token: secret(args.token) }, opts);
  }
}

/** The credentials are secret before they reach the engine, whatever the program passed. */
function secret(value: pulumi.Input<string> | undefined): pulumi.Output<string> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}
