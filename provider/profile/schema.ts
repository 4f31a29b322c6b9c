/** `ProfileAbout`, described once: the client's "About" text, and what an apply reports. */
import { z } from "zod";
import { property, resourceModel } from "../model";

/** The longest "About" text the API takes, in characters (code points, so an emoji counts once). */
export const ABOUT_MAX_CHARACTERS = 139;
const TEXT_REASON = `must be a non-empty text of at most ${ABOUT_MAX_CHARACTERS} characters`;

export const ProfileAboutModel = resourceModel({
  type: "ProfileAbout",
  path: "/v1/settings/profile/about",
  description:
    'The "About" text of a client\'s WhatsApp profile (`/v1/settings/profile/about`). The API has no way to remove it: deleting the resource leaves the text on the client.',
  inputs: z.strictObject({
    text: property(
      z
        .string({ error: TEXT_REASON })
        .min(1, TEXT_REASON)
        .refine((text) => [...text].length <= ABOUT_MAX_CHARACTERS, TEXT_REASON),
      {
        description: "The text people see under the business's name, e.g. `Open 9-17, Mon-Fri`.",
        allowed: `1 to ${ABOUT_MAX_CHARACTERS} characters`,
      },
    ),
  }),
  outputs: z.object({
    text: property(z.string(), {
      description: "The text as the client holds it, read back after each apply and refresh.",
    }),
    apiVersion: property(z.string(), { description: "The client's `meta.version` at the last apply or refresh." }),
    baseUrl: property(z.string(), { description: "The client this resource manages (its normalized base URL)." }),
  }),
  storesConnection: true,
});
