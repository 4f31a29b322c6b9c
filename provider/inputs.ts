/** Pulumi's input and output wrappers applied through nested settings objects. */
import type * as pulumi from "@pulumi/pulumi";

type Leaf = string | number | boolean | null | undefined;

/** Every property may be a value, a promise or an Output (or left undefined), at every level. */
export type Inputs<T> = {
  [K in keyof T]?:
    | (T[K] extends Leaf | readonly unknown[] ? pulumi.Input<T[K]> : pulumi.Input<Inputs<NonNullable<T[K]>>>)
    | undefined;
};

/** The resource's output properties for a settings shape. */
export type Outputs<T> = { readonly [K in keyof T]-?: pulumi.Output<T[K] | undefined> };
