/**
 * A resource's id: the identity of its client, the API path the resource lives at and, for a
 * resource of which a client holds several, a key after `#` (`https://wa.example.com/v1/settings/backup#1f2e…`).
 * Written and read here only, so every resource's id has one form and reads back the same way.
 */
import type { ResourceModel } from "./model";

/** What an id says: the client (as written in the id), the resource's path and its key, if any. */
export interface ParsedId {
  client: string;
  path: string;
  key: string | undefined;
}

/** The id of `model`'s resource on `client`; `key` tells one of several apart (escaped in the id). */
export function formatId(model: Pick<ResourceModel, "path">, client: string, key?: string): string {
  return `${client}${model.path}${key === undefined ? "" : `#${encodeURIComponent(key)}`}`;
}

/**
 * The parts of an id, or `undefined` for one no resource of this package wrote. A client's base URL
 * never ends in `/v1` (connection.ts refuses it) and a resource's path holds `/v1/` once, at its
 * start, so the last `/v1/` before the key is where the client ends, whatever characters the path
 * holds (`/v1/settings/account/two-step`).
 */
export function parseId(id: string): ParsedId | undefined {
  const hash = id.indexOf("#");
  const head = hash < 0 ? id : id.slice(0, hash);
  const start = head.lastIndexOf("/v1/");
  if (start <= 0) return undefined;
  let key: string | undefined;
  try {
    key = hash < 0 ? undefined : decodeURIComponent(id.slice(hash + 1));
  } catch {
    return undefined;
  }
  return { client: head.slice(0, start), path: head.slice(start), key };
}
