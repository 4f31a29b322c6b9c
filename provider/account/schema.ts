/** `TwoStepVerification`, described once: the client's two-step verification PIN, a secret. */
import { z } from "zod";
import { property, resourceModel } from "../model";

const PIN_REASON = "must be exactly 6 digits, as a string";

export const TwoStepVerificationModel = resourceModel({
  type: "TwoStepVerification",
  path: "/v1/settings/account/two-step",
  description:
    "Two-step verification of a client (`/v1/settings/account/two-step`): registering its number again needs the PIN. Deleting the resource disables it, a security downgrade, and only when this stack enabled it.",
  inputs: z.strictObject({
    pin: property(z.string({ error: PIN_REASON }).regex(/^\d{6}$/, PIN_REASON), {
      description:
        "The 6-digit PIN registering the number again asks for. A change sets the new PIN. Never shown in messages.",
      allowed: "exactly 6 digits, as a string",
      secret: true,
    }),
  }),
  outputs: z.object({
    pin: property(z.string(), { description: "The PIN last set.", secret: true }),
    enabledAt: property(z.string(), {
      description:
        "When this resource's create enabled two-step verification (ISO 8601). A delete leaves it to a replacement on the same client created later in the deployment.",
    }),
    waId: property(z.string(), {
      description:
        'The client\'s registered number (`wa_id`), read at create, `""` when it has none: two resources reaching one number at two addresses are one client, so a second fails and a delete leaves the PIN to the one the program declares.',
    }),
    apiVersion: property(z.string(), { description: "The client's `meta.version` at the last apply." }),
    baseUrl: property(z.string(), { description: "The client this resource manages (its normalized base URL)." }),
  }),
  storesConnection: true,
});
