/**
 * What a resource class hands `pulumi.dynamic.Resource`, derived from the resource's model: the
 * program's inputs with the secret ones wrapped, `undefined` placeholders for the outputs (so
 * Pulumi knows they exist during preview), the connection, and the options keeping secret
 * outputs secret.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "./args.generated";
import { connectionInput, pulumiOptions, type ResourceOptions } from "./connection-provider";
import { metaOf, outputOnlyKeys, type ResourceModel, secretOutputs } from "./model";

/** The inputs a resource registers: `args` as given, secrets wrapped, outputs as placeholders. */
export function registeredInputs(
  model: ResourceModel,
  args: { connection?: pulumi.Input<ConnectionArgs> | undefined } & object,
  opts: ResourceOptions,
): Record<string, unknown> {
  const { connection, ...own } = args;
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(own)) {
    // A key the model does not know (a typo) is refused by check; it may still hold a secret.
    const secret = !(key in model.inputs.shape) || metaOf(model, key)?.secret;
    props[key] = value !== undefined && secret ? pulumi.secret(value) : value;
  }
  for (const key of outputOnlyKeys(model)) props[key] = undefined;
  props.connection = connectionInput(connection, opts.provider);
  return props;
}

/** Pulumi's options for a resource: ours without `provider`, and its secret outputs kept secret. */
export function registeredOptions(model: ResourceModel, opts: ResourceOptions): pulumi.CustomResourceOptions {
  return pulumiOptions(opts, secretOutputs(model));
}

/** What `pulumi.dynamic.Resource` is constructed with, for a resource of `model` run by `lifecycle`. */
export function dynamicResource(
  model: ResourceModel,
  lifecycle: pulumi.dynamic.ResourceProvider,
  name: string,
  props: Record<string, unknown>,
  opts: ResourceOptions,
): [pulumi.dynamic.ResourceProvider, string, Record<string, unknown>, pulumi.CustomResourceOptions, string, string] {
  return [lifecycle, name, props, registeredOptions(model, opts), "whatsapp", model.type];
}
