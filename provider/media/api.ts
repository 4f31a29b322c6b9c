/**
 * The calls of `/v1/settings/application/media/providers`. Each hands the client the credentials
 * it sends or may read back as secrets, so every error is built without them.
 */
import { z } from "zod";
import type { WhatsAppClient } from "../client";
import { MediaProviderModel } from "./schema";

export const MEDIA_PROVIDERS = MediaProviderModel.path;

const MediaProviderEntrySchema = z.looseObject({
  name: z.string(),
  type: z.unknown().optional(),
  config: z.unknown().optional(),
});

export type MediaProviderEntry = z.infer<typeof MediaProviderEntrySchema>;

/** A client with no media providers may leave out any level below `settings`, or answer meta only. */
const MediaProvidersResponseSchema = z.looseObject({
  settings: z
    .looseObject({
      application: z
        .looseObject({
          media: z.looseObject({ providers: z.array(MediaProviderEntrySchema).nullish() }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

/** Every media provider on the client; `secrets` are cut from any error (the answer holds credentials). */
export async function listMediaProviders(api: WhatsAppClient, secrets: string[] = []): Promise<MediaProviderEntry[]> {
  const { data } = await api.request(
    "GET",
    MEDIA_PROVIDERS,
    MediaProvidersResponseSchema,
    "{settings: {application: {media: {providers: [...]}}}}",
    undefined,
    { secrets, emptyAs: "object" },
  );
  return data.settings?.application?.media?.providers ?? [];
}

/**
 * Adds a media provider, or overwrites the one of that name (the API takes exactly one per
 * POST). Sending the same element twice leaves the client as once, so it is retried like a PUT.
 */
export async function putMediaProvider(
  api: WhatsAppClient,
  provider: { name: string; type: string; config: unknown },
  secrets: string[],
): Promise<void> {
  await api.call("POST", MEDIA_PROVIDERS, [provider], { idempotent: true, secrets });
}

export async function deleteMediaProvider(api: WhatsAppClient, name: string, secrets: string[] = []): Promise<void> {
  await api.call("DELETE", `${MEDIA_PROVIDERS}/${encodeURIComponent(name)}`, undefined, { secrets });
}
