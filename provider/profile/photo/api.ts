/** The calls of `/v1/settings/profile/photo`: POST the image's bytes, GET them back, DELETE the photo. */
import type { WhatsAppClient } from "../../client";
import { isWhatsAppError } from "../../errors";
import { ProfilePhotoModel } from "./schema";

const PATH = ProfilePhotoModel.path;

/** Uploads the photo; the same bytes twice leave the client as once. */
export async function uploadPhoto(api: WhatsAppClient, bytes: Buffer, contentType: string): Promise<void> {
  await api.call("POST", PATH, bytes, { contentType, idempotent: true });
}

/**
 * The photo's bytes as the client answers them, `undefined` when it has none (assumed: a 404, or
 * an answer that is no image).
 */
export async function downloadPhoto(api: WhatsAppClient): Promise<Buffer | undefined> {
  try {
    const { bytes } = await api.call("GET", PATH, undefined, { bytes: true });
    return bytes !== undefined && bytes.length > 0 ? bytes : undefined;
  } catch (error) {
    if (isWhatsAppError(error, "WHATSAPP_API") && error.status === 404) return undefined;
    throw error;
  }
}

export async function deletePhoto(api: WhatsAppClient): Promise<void> {
  await api.call("DELETE", PATH);
}
