/** The calls of `/v1/settings/application`: its path, what it answers, and the three verbs used. */
import { z } from "zod";
import type { Meta, WhatsAppClient } from "../client";
import { ApplicationSettingsModel } from "./schema";

const PATH = ApplicationSettingsModel.path;

/** What `GET /v1/settings/application` answers, checked before the provider reads a value. */
const SettingsResponseSchema = z.looseObject({
  settings: z.looseObject({ application: z.record(z.string(), z.unknown()) }),
});

/** The client's settings object, as it answers it (wire names). */
export async function getSettings(
  api: WhatsAppClient,
): Promise<{ application: Record<string, unknown>; meta: Meta | undefined }> {
  const { data, meta } = await api.request("GET", PATH, SettingsResponseSchema, "{settings: {application: {...}}}");
  return { application: data.settings.application, meta };
}

/** Sets the fields of `body` (wire names; a group goes whole). */
export async function patchSettings(api: WhatsAppClient, body: Record<string, unknown>): Promise<void> {
  await api.call("PATCH", PATH, body);
}

/** Puts every setting of the client back to its default: see reset.ts, its only caller. */
export async function deleteSettings(api: WhatsAppClient): Promise<void> {
  await api.call("DELETE", PATH);
}
