/**
 * Every failure the provider reports, as one hierarchy with stable `code`s. Match on `code`,
 * not `instanceof`: Pulumi loads this module again inside its provider process, so class
 * identity does not survive the trip.
 */

export type ErrorCode =
  | "WHATSAPP_INVALID_INPUT"
  | "WHATSAPP_CONFIG"
  | "WHATSAPP_API"
  | "WHATSAPP_RESPONSE_SHAPE"
  | "WHATSAPP_NETWORK"
  | "WHATSAPP_TLS"
  | "WHATSAPP_TIMEOUT"
  | "WHATSAPP_VERSION"
  | "WHATSAPP_FIELD_IGNORED"
  | "WHATSAPP_BACKUP_INTEGRITY"
  | "WHATSAPP_WRONG_CLIENT"
  | "WHATSAPP_RESTORE_UNFINISHED";

export class WhatsAppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A connection that cannot be used as configured (missing base URL or credentials). */
export class ConfigError extends WhatsAppError {
  constructor(message: string) {
    super("WHATSAPP_CONFIG", message);
  }
}

/** The API answered with an error: HTTP status plus the API's own error code, title and details. */
export class ApiError extends WhatsAppError {
  readonly status: number;
  readonly apiCode: number | undefined;
  readonly title: string | undefined;
  readonly details: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    method: string;
    path: string;
    status: number;
    apiCode?: number | undefined;
    title?: string | undefined;
    details?: string | undefined;
    retryAfterMs?: number | undefined;
  }) {
    const what = [init.status, init.apiCode, init.title].filter((part) => part !== undefined).join(" ");
    const details = init.details ? ` (${init.details})` : "";
    super("WHATSAPP_API", `${init.method} ${init.path} failed: ${what}${details}`);
    this.status = init.status;
    this.apiCode = init.apiCode;
    this.title = init.title;
    this.details = init.details;
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** A 2xx answer whose body is not what the API documents: kept apart from HTTP failures. */
export class ResponseShapeError extends WhatsAppError {
  constructor(method: string, path: string, problem: string) {
    super("WHATSAPP_RESPONSE_SHAPE", `${method} ${path} answered an unexpected body: ${problem}`);
  }
}

export class NetworkError extends WhatsAppError {
  constructor(message: string, cause: unknown) {
    super("WHATSAPP_NETWORK", message, { cause });
  }
}

export class TlsError extends WhatsAppError {
  constructor(message: string, cause: unknown) {
    super("WHATSAPP_TLS", message, { cause });
  }
}

export class TimeoutError extends WhatsAppError {
  constructor(message: string, cause?: unknown) {
    super("WHATSAPP_TIMEOUT", message, { cause });
  }
}

/** A managed field the connected client is too old (or too new) to accept. */
export class VersionError extends WhatsAppError {
  constructor(message: string) {
    super("WHATSAPP_VERSION", message);
  }
}

/** The client answered 200 to a write but did not keep a value. */
export class FieldIgnoredError extends WhatsAppError {
  constructor(message: string) {
    super("WHATSAPP_FIELD_IGNORED", message);
  }
}

/** Inputs refused before any request was sent; one entry per property. */
export class InputError extends WhatsAppError {
  readonly failures: ReadonlyArray<{ property: string; reason: string }>;

  constructor(failures: ReadonlyArray<{ property: string; reason: string }>) {
    super("WHATSAPP_INVALID_INPUT", failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
    this.failures = failures;
  }
}

/** A backup blob that does not match the checksum it was promised to have. */
export class BackupIntegrityError extends WhatsAppError {
  constructor(message: string) {
    super("WHATSAPP_BACKUP_INTEGRITY", message);
  }
}

/**
 * The connection given now names another client than the one a resource is recorded on: nothing
 * was sent to either, because a reset or a read there would hit the wrong client.
 */
export class WrongClientError extends WhatsAppError {
  readonly recorded: string;
  readonly current: string;

  constructor(recorded: string, current: string) {
    super(
      "WHATSAPP_WRONG_CLIENT",
      `this resource is recorded on the client at ${recorded}, but its connection now names ${current}; ` +
        `nothing was sent to either. Point the connection (whatsapp:baseUrl and its credentials) back at ${recorded} ` +
        "for this deployment, or keep that client as it is with the retainOnDelete option, or forget the resource " +
        "with `pulumi state delete <urn>`",
    );
    this.recorded = recorded;
    this.current = current;
  }
}

/**
 * A restore of the same data onto the same client was started earlier by a process that did not
 * finish it: it may have landed, so it is not sent again without being told.
 */
export class RestoreUnfinishedError extends WhatsAppError {
  readonly recordPath: string;

  constructor(init: { target: string; sha256: string; state: string; startedAt: string; recordPath: string }) {
    super(
      "WHATSAPP_RESTORE_UNFINISHED",
      `a restore of this backup (sha256 ${init.sha256.slice(0, 16)}…) onto ${init.target} was started at ` +
        `${init.startedAt} and never finished (${init.state === "accepted" ? "the client accepted it" : "it may or may not have reached the client"}; ` +
        "the deployment was interrupted). Nothing was sent now: a restore shows every contact a new security code. " +
        `Check the client's health and settings. If the restore landed, set "state": "adopt" in ${init.recordPath} ` +
        `to record it without sending again; to restore again on purpose, delete ${init.recordPath}. Then run up again`,
    );
    this.recordPath = init.recordPath;
  }
}

/** True when `error` is one of ours, whichever copy of this module created it. */
export function isWhatsAppError(error: unknown): error is WhatsAppError {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("WHATSAPP_");
}

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
  return [...new Set(forms)].filter((form) => form.length >= 4);
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
  const forms = secrets.flatMap((secret) => (secret && secret.length >= 4 ? secretForms(secret) : []));
  // Longest first, so a secret that contains another is removed whole.
  for (const form of forms.sort((a, b) => b.length - a.length)) out = out.split(form).join("[secret]");
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

/**
 * Sets a message after the fact and keeps `stack` in step: Node prints `stack`, which holds the
 * message an error was built with, and Pulumi's provider host writes it to its stderr.
 */
export function replaceMessage(error: Error, message: string): void {
  const old = error.message;
  // Read before the message changes: V8 formats `stack` on first access.
  const stack = error.stack;
  error.message = message;
  if (typeof stack === "string") {
    const at = stack.indexOf(old);
    error.stack = at >= 0 ? stack.slice(0, at) + message + stack.slice(at + old.length) : `${error.name}: ${message}`;
  }
}

/**
 * The system or library code behind an error (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`), looking
 * through `cause` and past this package's own codes.
 */
export function causeCode(error: unknown): string | undefined {
  let fallback: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && !code.startsWith("WHATSAPP_")) {
      // A generic socket failure says less than what caused it, if anything did.
      if (!code.startsWith("UND_ERR_SOCKET")) return code;
      fallback ??= code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return fallback;
}

/**
 * Whether a failed call certainly changed nothing on the client: the API answered with a 4xx, or
 * the request never left (no connection, TLS refused, no usable configuration).
 */
export function certainlyNotApplied(error: unknown): boolean {
  if (!isWhatsAppError(error)) return false;
  switch (error.code) {
    case "WHATSAPP_API":
      return ((error as { status?: number }).status ?? 500) < 500;
    case "WHATSAPP_TLS":
    case "WHATSAPP_CONFIG":
    case "WHATSAPP_INVALID_INPUT":
    case "WHATSAPP_VERSION":
    case "WHATSAPP_BACKUP_INTEGRITY":
      return true;
    case "WHATSAPP_NETWORK":
      return causeCode(error) === "ECONNREFUSED";
    default:
      return false;
  }
}

/**
 * Marks a failure that came after the client may have changed: Pulumi records the resource with
 * `properties` (what the client now holds) instead of forgetting it, so the next `up` converges
 * from there rather than starting over.
 */
export function partlyApplied(error: unknown, id: string, properties: Record<string, unknown>): Error {
  const wrapped = error instanceof Error ? error : new Error(String(error));
  Object.assign(wrapped, { id, properties, reasons: [wrapped.message] });
  return wrapped;
}
