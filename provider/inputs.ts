/** Pulumi's output wrapper applied to the properties of a settings shape. */
import type * as pulumi from "@pulumi/pulumi";

/** The resource's output properties for a settings shape; each keeps the JSDoc of its field. */
export type Outputs<T> = { readonly [K in keyof T]-?: pulumi.Output<T[K] | undefined> };
