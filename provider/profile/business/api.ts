/** The calls of `/v1/settings/business/profile`: GET answers the profile, POST sets properties of it. */
import { z } from "zod";
import type { WhatsAppClient } from "../../client";
import { BusinessProfileModel, CLEARED, PROFILE_KEYS, type Profile } from "./schema";

const PATH = BusinessProfileModel.path;

/** A client with no profile yet may leave out any level below `settings`, and any property (assumed: they read as cleared). */
const ProfileResponseSchema = z.looseObject({
  settings: z
    .looseObject({
      business: z
        .looseObject({
          profile: z
            .looseObject({
              address: z.string().nullish(),
              description: z.string().nullish(),
              email: z.string().nullish(),
              vertical: z.string().nullish(),
              websites: z.array(z.string()).nullish(),
            })
            .nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

/** Every property of the client's profile, a missing one as cleared; and the client's version. */
export async function getProfile(
  api: WhatsAppClient,
): Promise<{ profile: Required<Profile>; version: string | undefined }> {
  const { data, meta } = await api.request(
    "GET",
    PATH,
    ProfileResponseSchema,
    "{settings: {business: {profile: {address, description, email, vertical, websites}}}}",
    undefined,
    { emptyAs: "object" },
  );
  const held = data.settings?.business?.profile ?? {};
  const profile = { ...CLEARED };
  for (const key of PROFILE_KEYS) {
    const value = held[key];
    if (value !== undefined && value !== null) Object.assign(profile, { [key]: value });
  }
  return { profile, version: meta?.version ?? api.version };
}

/** Sets the properties in `body`; the same POST twice leaves the client as once. */
export async function postProfile(api: WhatsAppClient, body: Profile): Promise<void> {
  await api.call("POST", PATH, body, { idempotent: true });
}
