/**
 * A resource's properties as Pulumi's dynamic-provider contract hands them to the lifecycle steps
 * and takes them back (inputs, olds, news, outputs): untyped until checked.
 */
export type Props = Record<string, unknown>;
