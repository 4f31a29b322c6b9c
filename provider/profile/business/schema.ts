/**
 * `BusinessProfile`, described once: the business's address, description, e-mail, industry and
 * websites, each managed only when the program gives it.
 */
import { z } from "zod";
import { property, resourceModel } from "../../model";

/**
 * The industries the API accepts, as Meta's reference page spells them. A copy of the reference
 * elsewhere writes the second one `Beauty, Spa, and Salon`; which spelling clients accept is not
 * verified.
 */
export const BUSINESS_VERTICALS = [
  "Automotive",
  "Beauty, Spa and Salon",
  "Clothing and Apparel",
  "Education",
  "Entertainment",
  "Event Planning and Service",
  "Finance and Banking",
  "Food and Grocery",
  "Public Service",
  "Hotel and Lodging",
  "Medical and Health",
  "Non-profit",
  "Professional Services",
  "Shopping and Retail",
  "Travel and Transportation",
  "Restaurant",
  "Other",
] as const;

export const MAX_WEBSITES = 2;
const TEXT_LIMITS = { address: 256, description: 256, email: 128, website: 256 } as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const WEBSITE = /^https?:\/\/\S+$/i;

/** Counted in code points, as the About text is: an emoji is one character. */
const atMost = (limit: number) => (text: string) => [...text].length <= limit;

function text(limit: number, description: string) {
  const reason = `must be a text of at most ${limit} characters`;
  return property(z.string({ error: reason }).refine(atMost(limit), reason).optional(), {
    description,
    allowed: `at most ${limit} characters; \`""\` clears it`,
  });
}

const EMAIL_REASON = `must be an e-mail address of at most ${TEXT_LIMITS.email} characters, or "" to clear it`;
const VERTICAL_REASON = `must be one of: ${BUSINESS_VERTICALS.join("; ")}`;
const WEBSITES_REASON = `must be a list of at most ${MAX_WEBSITES} URLs starting with http:// or https://, each at most ${TEXT_LIMITS.website} characters`;

export const BusinessProfileModel = resourceModel({
  type: "BusinessProfile",
  path: "/v1/settings/business/profile",
  description:
    "The business profile of a client (`/v1/settings/business/profile`): address, description, e-mail, industry and websites. Only the properties a program gives are managed. The API has no way to remove the profile: deleting the resource leaves it on the client.",
  inputs: z.strictObject({
    address: text(
      TEXT_LIMITS.address,
      "The business's address. Removed from the program, it is cleared on the client.",
    ),
    description: text(
      TEXT_LIMITS.description,
      "What the business does. Removed from the program, it is cleared on the client.",
    ),
    email: property(
      z
        .string({ error: EMAIL_REASON })
        .refine((value) => value === "" || (EMAIL.test(value) && atMost(TEXT_LIMITS.email)(value)), EMAIL_REASON)
        .optional(),
      {
        description: "The e-mail address people may contact the business at. Removed from the program, it is cleared.",
        allowed: `an e-mail address of at most ${TEXT_LIMITS.email} characters; \`""\` clears it`,
      },
    ),
    vertical: property(z.enum(BUSINESS_VERTICALS, { error: VERTICAL_REASON }).optional(), {
      description:
        "The business's industry. Once set, the client cannot clear it: check refuses removing it from the program (set another value, or delete the resource, which leaves the profile as it is).",
      allowed: BUSINESS_VERTICALS.join("; "),
      shown: true,
    }),
    websites: property(
      z
        .array(
          z
            .string({ error: WEBSITES_REASON })
            .regex(WEBSITE, WEBSITES_REASON)
            .refine(atMost(TEXT_LIMITS.website), WEBSITES_REASON),
          { error: WEBSITES_REASON },
        )
        .max(MAX_WEBSITES, WEBSITES_REASON)
        .optional(),
      {
        description: "The business's websites, e.g. its site and a social media page. `[]` clears them.",
        allowed: `at most ${MAX_WEBSITES} URLs starting with http:// or https://, each at most ${TEXT_LIMITS.website} characters`,
      },
    ),
  }),
  outputs: z.object({
    address: property(z.string().optional(), { description: "The address as the client holds it." }),
    description: property(z.string().optional(), { description: "The description as the client holds it." }),
    email: property(z.string().optional(), { description: "The e-mail address as the client holds it." }),
    vertical: property(z.string().optional(), { description: "The industry as the client holds it." }),
    websites: property(z.array(z.string()).optional(), { description: "The websites as the client holds them." }),
    apiVersion: property(z.string(), { description: "The client's `meta.version` at the last apply or refresh." }),
    baseUrl: property(z.string(), { description: "The client this resource manages (its normalized base URL)." }),
  }),
  storesConnection: true,
  partialWritesSince: "2.23",
});

/** The properties of the profile, in the order the API documents them. */
export const PROFILE_KEYS = ["address", "description", "email", "vertical", "websites"] as const;
export type ProfileKey = (typeof PROFILE_KEYS)[number];
export type Profile = { [K in ProfileKey]?: K extends "websites" ? string[] : string };

/** What a property holds when nothing sets it, and what clearing it sends. */
export const CLEARED: Required<Profile> = { address: "", description: "", email: "", vertical: "", websites: [] };
