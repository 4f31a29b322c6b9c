/**
 * Backup blobs: scrypt turns the password into a key, AES-256-GCM seals the payload, so a wrong
 * password and a flipped byte are both caught by the authentication tag. The blob is opaque
 * base64, like the client's `ENCRYPTED_BACKUP_DATA`.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

const MAGIC = Buffer.from("WAEMUBK1");
const SCRYPT = { N: 1 << 14, r: 8, p: 1 } as const;

function key(password: string, salt: Buffer): Buffer {
  return scryptSync(password, salt, 32, SCRYPT);
}

export function sealBackup(payload: unknown, password: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(password, salt), iv);
  cipher.setAAD(MAGIC);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]);
  return Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), sealed]).toString("base64");
}

/** The payload, or `undefined` when the password is wrong or the data is not an intact backup. */
export function openBackup(data: string, password: string): unknown {
  const blob = Buffer.from(data, "base64");
  if (blob.length < MAGIC.length + 44 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const salt = blob.subarray(MAGIC.length, MAGIC.length + 16);
  const iv = blob.subarray(MAGIC.length + 16, MAGIC.length + 28);
  const tag = blob.subarray(MAGIC.length + 28, MAGIC.length + 44);
  const sealed = blob.subarray(MAGIC.length + 44);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(password, salt), iv);
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(sealed), decipher.final()]);
    return JSON.parse(plain.toString("utf8"));
  } catch {
    return undefined;
  }
}
