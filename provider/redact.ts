/**
 * Keeping secrets out of text meant for people: every message, log line and error this package
 * builds goes through `redact` with the secrets of the call it describes.
 */

/**
 * The forms a secret takes when a server echoes it back: as is, JSON-escaped (with or without
 * escaped slashes), percent-encoded (URI component and HTML form, either hex case) and inside
 * base64 at any of the three byte alignments.
 */
export function secretForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const percent = encodeURIComponent(secret);
  const lowerHex = percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
  const forms = [secret, json, json.replace(/\//g, "\\/"), percent, lowerHex];
  forms.push(percent.replace(/%20/g, "+"), lowerHex.replace(/%20/g, "+"));
  const bytes = Buffer.from(secret, "utf8");
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Only the characters that depend on the secret's bytes alone, whatever surrounds it.
    const inner = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (inner.length >= 8) forms.push(inner, inner.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return [...new Set(forms)].filter((form) => form.length > 0);
}

/**
 * A form too short to cut wherever it occurs (a 3-character password is inside many words): cut
 * where it stands alone, between characters that cannot be part of it, as an echo puts it.
 */
function standalone(form: string): RegExp {
  const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9%\\\\])${escaped}(?=$|[^A-Za-z0-9])`, "g");
}

// A URL's scheme and host, plain or with JSON-escaped slashes (`https:\/\/h\/wa`).
const URL_HEAD = String.raw`https?:(?:\\?\/){2}`;
const USER_INFO = new RegExp(String.raw`(${URL_HEAD})[^\s'"/\\@?#]+@`, "gi");
const QUERY = new RegExp(String.raw`(${URL_HEAD}(?:[^\s'"?#<>\\]|\\\/)*)([?#])(?:[^\s'"<>\\]|\\(?!"))*`, "gi");
// The same URL percent-encoded as a parameter value: `https%3A%2F%2Fh%2Fwa%3Fauth%3DS`.
const ENCODED_USER_INFO = /(https?%3A%2F%2F)(?:[^\s'"&%/@]|%(?!2F|40)[0-9A-F]{2})+%40/gi;
const ENCODED_QUERY = /(https?%3A%2F%2F(?:[^\s'"&%?#]|%(?!3F|23)[0-9A-F]{2})*)(%3F|%23)[^\s'"&<>]*/gi;

/**
 * Removes secrets from text meant for people: the given values in every form `secretForms`
 * knows, bearer and basic credentials, and the user info, query string and fragment of any URL,
 * plain, JSON-escaped or percent-encoded (webhook URLs carry their shared secret there).
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  const forms = secrets.flatMap((secret) => (secret ? secretForms(secret) : []));
  // Longest first, so a secret that contains another is removed whole.
  for (const form of forms.sort((a, b) => b.length - a.length)) {
    out = form.length >= 4 ? out.split(form).join("[secret]") : out.replace(standalone(form), "$1[secret]");
  }
  return out
    .replace(/(Bearer|Basic|Apikey)(\s|%20|\+)+(?:[A-Za-z0-9._~+/=-]|%[0-9A-F]{2}|\\\/)+/gi, "$1 [secret]")
    .replace(USER_INFO, "$1[secret]@")
    .replace(QUERY, "$1$2[secret]")
    .replace(ENCODED_USER_INFO, "$1[secret]%40")
    .replace(ENCODED_QUERY, "$1$2[secret]");
}

/**
 * The secret parts of every URL in a request body (user info, query string and its values,
 * fragment), so that a server echoing the body back cannot show them in a message.
 */
export function urlSecrets(value: unknown): string[] {
  if (typeof value === "string") {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return [];
    }
    const parts = [url.username, url.password, url.search.slice(1), url.hash.slice(1)];
    for (const [, param] of url.searchParams) parts.push(param);
    const query = value.search(/[?#]/);
    if (query >= 0) parts.push(value.slice(query + 1));
    return parts.filter((part) => part.length > 0);
  }
  if (Array.isArray(value)) return value.flatMap(urlSecrets);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(urlSecrets);
  return [];
}
