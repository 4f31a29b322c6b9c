/** Pulumi's output wrapper applied to the properties of a resource's generated output shape. */
import type * as pulumi from "@pulumi/pulumi";

/** The resource's output properties for a shape; each keeps the JSDoc of its property. */
export type Outputs<T> = { readonly [K in keyof T]-?: pulumi.Output<T[K]> };
