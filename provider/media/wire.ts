/** What `GET /v1/settings/application/media/providers` answers, checked before the provider reads it. */
import { z } from "zod";

export const MEDIA_PROVIDERS = "/v1/settings/application/media/providers";

const MediaProviderEntrySchema = z.looseObject({
  name: z.string(),
  type: z.unknown().optional(),
  config: z.unknown().optional(),
});

export type MediaProviderEntry = z.infer<typeof MediaProviderEntrySchema>;

/** A client with no media providers may leave out any level below `settings`, or answer meta only. */
export const MediaProvidersResponseSchema = z.looseObject({
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
