/**
 * The one sentence preview says before a step that cannot be undone: a restore, a settings reset,
 * a media provider's delete, disabling two-step verification. Pulumi runs `check` (for a create)
 * and `diff` (for an update or a replacement) during preview as well as during `up`, and shows a
 * provider's warnings there, so calling this from those two steps names the operation and the
 * client before anything is sent.
 * A plain removal is never shown to the provider during preview (Pulumi asks no check or diff of a
 * resource the program no longer declares): README says how preview shows those.
 */
import * as pulumi from "@pulumi/pulumi";

/** Warns that this step will send `operation` to `client`, and what follows from it. */
export function warnIrreversible(operation: string, client: string, consequence: string): void {
  pulumi.log.warn(`${client}: this step will send ${operation}: ${consequence}`);
}
