/** The calls of `/v1/settings/profile/about`: GET answers the text, PATCH `{text}` sets it. */
import { z } from "zod";
import type { WhatsAppClient } from "../client";
import { ProfileAboutModel } from "./schema";

const PATH = ProfileAboutModel.path;

/** A client that never had a text set may leave out any level below `settings` (assumed: it reads as ""). */
const AboutResponseSchema = z.looseObject({
  settings: z
    .looseObject({
      profile: z.looseObject({ about: z.looseObject({ text: z.string().nullish() }).nullish() }).nullish(),
    })
    .nullish(),
});

/** The client's "About" text, `""` when it answers none. */
export async function getAbout(api: WhatsAppClient): Promise<string> {
  const { data } = await api.request(
    "GET",
    PATH,
    AboutResponseSchema,
    "{settings: {profile: {about: {text}}}}",
    undefined,
    {
      emptyAs: "object",
    },
  );
  return data.settings?.profile?.about?.text ?? "";
}

/** Sets the text; the same PATCH twice leaves the client as once. */
export async function setAbout(api: WhatsAppClient, text: string): Promise<void> {
  await api.call("PATCH", PATH, { text });
}
