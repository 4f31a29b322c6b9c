/**
 * The image a `ProfilePhoto` uploads, read from the program's machine: its type told by its first
 * bytes (not its name), its size, and its SHA-256, which state keeps instead of the bytes.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { PHOTO_MAX_BYTES } from "./schema";

export interface PhotoFile {
  bytes: Buffer;
  contentType: "image/jpeg" | "image/png";
  sha256: string;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

export function sha256Of(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The image at `path`, or why it cannot be uploaded (a check failure's reason). */
export function readPhoto(path: string): PhotoFile | { problem: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an unexpected error";
    return { problem: `cannot be read (${code}): must be the path of a JPEG or PNG file of at most 5 MB` };
  }
  if (bytes.length > PHOTO_MAX_BYTES) {
    return { problem: `must be at most 5 MB (${PHOTO_MAX_BYTES} bytes); the file has ${bytes.length} bytes` };
  }
  const contentType = bytes.subarray(0, PNG.length).equals(PNG)
    ? "image/png"
    : bytes.subarray(0, JPEG.length).equals(JPEG)
      ? "image/jpeg"
      : undefined;
  if (contentType === undefined) return { problem: "must be a JPEG or PNG image; the file's first bytes are neither" };
  return { bytes, contentType, sha256: sha256Of(bytes) };
}
