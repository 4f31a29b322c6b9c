/** `ProfilePhoto`, described once: the client's profile photo, given as a local image file. */
import { z } from "zod";
import { property, resourceModel } from "../../model";

/** The largest photo the client takes: 5 MB, read as 5 × 1024 × 1024 bytes. */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
const FILE_REASON = "must be the path of a JPEG or PNG file of at most 5 MB";

export const ProfilePhotoModel = resourceModel({
  type: "ProfilePhoto",
  path: "/v1/settings/profile/photo",
  description:
    "The profile photo of a client (`/v1/settings/profile/photo`), uploaded from a local JPEG or PNG file and told apart by its SHA-256, so a changed file shows as a change. Deleting the resource removes the photo.",
  inputs: z.strictObject({
    file: property(z.string({ error: FILE_REASON }).min(1, FILE_REASON), {
      description:
        "The path of the image on the machine running Pulumi (relative to the program's directory), e.g. `logo.png`. Check reads it: a new content is a change even under the same path.",
      allowed: "the path of a JPEG or PNG file of at most 5 MB",
    }),
  }),
  outputs: z.object({
    sha256: property(z.string(), {
      description:
        "SHA-256 (hex) of the file applied; check puts the file's current one here, so a changed file shows as a diff.",
    }),
    contentType: property(z.string(), { description: 'The image type sent, `"image/jpeg"` or `"image/png"`.' }),
    sizeBytes: property(z.number(), { description: "The size of the file applied, in bytes." }),
    clientSha256: property(z.string(), {
      description:
        "SHA-256 (hex) of the photo the client answered after the upload (clients scale it); refresh compares the client's photo with it.",
    }),
    setAt: property(z.string(), {
      description:
        "When this resource uploaded the photo (ISO 8601). A delete leaves the photo to a replacement on the same client created later in the deployment.",
    }),
    waId: property(z.string(), {
      description:
        'The client\'s registered number (`wa_id`), read at create, `""` when it has none: two resources reaching one number at two addresses are one client, so a second fails and a delete leaves the photo to the one the program declares.',
    }),
    apiVersion: property(z.string(), { description: "The client's `meta.version` at the last apply or refresh." }),
    baseUrl: property(z.string(), { description: "The client this resource manages (its normalized base URL)." }),
  }),
  storesConnection: true,
});
