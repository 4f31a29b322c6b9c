/**
 * Every failure the provider reports, as one hierarchy with stable `code`s. Match on `code`,
 * not `instanceof`: Pulumi loads this module again inside its provider process, so class
 * identity does not survive the trip.
 */

/**
 * Every error's stable `code`, written once, under the name of its class: `ErrorCode` and the
 * class behind each code are derived from it.
 */
export const ERROR_CODES = {
  ConfigError: "WHATSAPP_CONFIG",
  ApiError: "WHATSAPP_API",
  ResponseShapeError: "WHATSAPP_RESPONSE_SHAPE",
  NetworkError: "WHATSAPP_NETWORK",
  TlsError: "WHATSAPP_TLS",
  TimeoutError: "WHATSAPP_TIMEOUT",
  VersionError: "WHATSAPP_VERSION",
  FieldIgnoredError: "WHATSAPP_FIELD_IGNORED",
  InputError: "WHATSAPP_INVALID_INPUT",
  BackupIntegrityError: "WHATSAPP_BACKUP_INTEGRITY",
  WrongClientError: "WHATSAPP_WRONG_CLIENT",
  RestoreUnfinishedError: "WHATSAPP_RESTORE_UNFINISHED",
  NotOwnedError: "WHATSAPP_NOT_OWNED",
  UnsureClientError: "WHATSAPP_UNSURE_CLIENT",
  SettingsConflictError: "WHATSAPP_SETTINGS_CONFLICT",
  SharedClientError: "WHATSAPP_SHARED_CLIENT",
} as const;

/** The stable `code` of every error this package reports. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * The API's own numeric error codes (`errors[0].code` in a response) that the provider acts on,
 * named once here.
 */
export const API_CODES = {
  ACCESS_DENIED: 1005,
  NOT_FOUND: 1006,
  PARAMETER_MISSING: 1008,
  PARAMETER_INVALID: 1009,
  SERVICE_NOT_READY: 1011,
  INTERNAL_ERROR: 1014,
  TOO_MANY_REQUESTS: 1015,
  SYSTEM_OVERLOADED: 1016,
  NOT_PRIMARY_MASTER: 1017,
  NOT_PRIMARY_COREAPP: 1018,
} as const;

/**
 * What a failure is known by besides its own text, fixed when the error is built: the message is
 * composed from it once, so `message` and the `stack` Pulumi's provider host prints always agree.
 */
export interface ErrorContext {
  /** What the failure stopped, said first: "the client must be running … to take a backup". */
  during?: string | undefined;
  /** What to do about it, said after the failure. */
  hint?: string | undefined;
  /** Each failed attempt's message, the last included, when a call was tried more than once. */
  attempts?: ReadonlyArray<string> | undefined;
  cause?: unknown;
}

/** The attempts, said once when each failed the same way (a client that never answers). */
function attemptList(attempts: ReadonlyArray<string>): string {
  const texts = attempts.map((attempt) => attempt.replace(/^attempt \d+: /, ""));
  if (texts.every((text) => text === texts[0])) return ", each failing the same way";
  return `: ${attempts.join("; ")}`;
}

function compose(detail: string, context: ErrorContext): string {
  const attempts = context.attempts ?? [];
  return (
    (context.during ? `${context.during}: ` : "") +
    detail +
    (context.hint ? `; ${context.hint}` : "") +
    (attempts.length > 1 ? ` (gave up after ${attempts.length} attempts${attemptList(attempts)})` : "")
  );
}

export class WhatsAppError extends Error {
  readonly code: ErrorCode;
  /** The failure itself, without `during`, `hint` or `attempts`. */
  readonly detail: string;
  readonly during: string | undefined;
  readonly hint: string | undefined;
  readonly attempts: ReadonlyArray<string>;

  constructor(code: ErrorCode, detail: string, context: ErrorContext = {}) {
    super(compose(detail, context), context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.code = code;
    this.detail = detail;
    this.during = context.during;
    this.hint = context.hint;
    this.attempts = context.attempts ?? [];
  }
}

/** A connection that cannot be used as configured (missing base URL or credentials). */
export class ConfigError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["ConfigError"];
  constructor(message: string) {
    super(ERROR_CODES.ConfigError, message);
  }
}

export interface ApiErrorInit {
  method: string;
  path: string;
  status: number;
  apiCode?: number | undefined;
  title?: string | undefined;
  details?: string | undefined;
  retryAfterMs?: number | undefined;
}

/** The API answered with an error: HTTP status plus the API's own error code, title and details. */
export class ApiError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["ApiError"];
  readonly status: number;
  readonly apiCode: number | undefined;
  readonly title: string | undefined;
  readonly details: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit, context?: ErrorContext) {
    const what = [init.status, init.apiCode, init.title].filter((part) => part !== undefined).join(" ");
    const details = init.details ? ` (${init.details})` : "";
    super(ERROR_CODES.ApiError, `${init.method} ${init.path} failed: ${what}${details}`, context);
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
  declare readonly code: (typeof ERROR_CODES)["ResponseShapeError"];
  readonly method: string;
  readonly path: string;
  readonly problem: string;

  constructor(method: string, path: string, problem: string, context?: ErrorContext) {
    super(ERROR_CODES.ResponseShapeError, `${method} ${path} answered an unexpected body: ${problem}`, context);
    this.method = method;
    this.path = path;
    this.problem = problem;
  }
}

export class NetworkError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["NetworkError"];
  constructor(message: string, context: ErrorContext) {
    super(ERROR_CODES.NetworkError, message, context);
  }
}

export class TlsError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["TlsError"];
  constructor(message: string, context: ErrorContext) {
    super(ERROR_CODES.TlsError, message, context);
  }
}

export class TimeoutError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["TimeoutError"];
  constructor(message: string, context: ErrorContext = {}) {
    super(ERROR_CODES.TimeoutError, message, context);
  }
}

/** A managed field the connected client is too old (or too new) to accept. */
export class VersionError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["VersionError"];
  constructor(message: string) {
    super(ERROR_CODES.VersionError, message);
  }
}

/** The client answered 200 to a write but did not keep a value. */
export class FieldIgnoredError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["FieldIgnoredError"];
  constructor(message: string) {
    super(ERROR_CODES.FieldIgnoredError, message);
  }
}

/** Inputs refused before any request was sent; one entry per property. */
export class InputError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["InputError"];
  readonly failures: ReadonlyArray<{ property: string; reason: string }>;

  constructor(failures: ReadonlyArray<{ property: string; reason: string }>) {
    super(ERROR_CODES.InputError, failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
    this.failures = failures;
  }
}

/** A backup blob that does not match the checksum it was promised to have. */
export class BackupIntegrityError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["BackupIntegrityError"];
  constructor(message: string) {
    super(ERROR_CODES.BackupIntegrityError, message);
  }
}

/**
 * The connection given now names another client than the one a resource is recorded on: nothing
 * was sent to either, because a reset or a read there would hit the wrong client.
 */
export class WrongClientError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["WrongClientError"];
  readonly recorded: string;
  readonly current: string;

  constructor(recorded: string, current: string) {
    super(
      ERROR_CODES.WrongClientError,
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
  declare readonly code: (typeof ERROR_CODES)["RestoreUnfinishedError"];
  readonly recordPath: string;

  constructor(init: { target: string; sha256: string; state: string; startedAt: string; recordPath: string }) {
    super(
      ERROR_CODES.RestoreUnfinishedError,
      `a restore of this backup (sha256 ${init.sha256.slice(0, 16)}…) onto ${init.target} was started at ` +
        `${init.startedAt} and never finished (${init.state === "accepted" ? "the client accepted it" : "it may or may not have reached the client"}; ` +
        "the deployment was interrupted). Nothing was sent now: a restore shows every contact a new security code. " +
        `Check the client's health and settings. If the restore landed, set "state": "adopt" in ${init.recordPath} ` +
        `to record it without sending again; to restore again on purpose, delete ${init.recordPath}. Then run up again`,
    );
    this.recordPath = init.recordPath;
  }
}

/**
 * The client already holds a media provider of the name a create asks for, and nothing says this
 * stack owns it: writing would take over someone else's credentials, and a later delete would
 * remove their provider. Nothing was sent.
 */
export class NotOwnedError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["NotOwnedError"];
  readonly client: string;
  /** The media provider's name on the client. */
  readonly provider: string;

  constructor(client: string, name: string) {
    super(
      ERROR_CODES.NotOwnedError,
      `the client at ${client} already has a media provider named ${JSON.stringify(name)} that this stack did not ` +
        "create; nothing was sent",
      {
        hint:
          "to take it over on purpose (its credentials are overwritten, and destroy deletes it), set adopt: true on " +
          "this MediaProvider; if this stack created it under another resource name, give the renamed resource an " +
          "alias instead; otherwise choose another name",
      },
    );
    this.client = client;
    this.provider = name;
  }
}

/**
 * A resource whose next step would be irreversible (a restore made again) names another address,
 * and whether it is another client or the same one reached another way could not be told: the
 * step is not taken on a guess. Nothing was sent.
 */
export class UnsureClientError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["UnsureClientError"];
  readonly from: string;
  readonly to: string;

  constructor(init: { from: string; to: string; why: string; consequence: string; onPurpose: string }) {
    super(
      ERROR_CODES.UnsureClientError,
      `${init.to} may be the client at ${init.from} under another address, or another client (${init.why}); ` +
        `${init.consequence} is not done on a guess, and nothing was sent`,
      {
        hint: `run again once both addresses answer, when the provider can tell; ${init.onPurpose}`,
      },
    );
    this.from = init.from;
    this.to = init.to;
  }
}

/**
 * Two `ApplicationSettings` of the deployment set one field of one client to different values,
 * reaching it at two addresses: found only once the client's registered number is read, so after
 * check. Both would apply and the last write would win unseen. Nothing was sent for this one.
 */
export class SettingsConflictError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["SettingsConflictError"];
  readonly client: string;
  /** The other address the same client (the same `wa_id`) is reached at. */
  readonly otherAddress: string;
  readonly fields: ReadonlyArray<string>;

  constructor(client: string, otherAddress: string, fields: ReadonlyArray<string>) {
    super(
      ERROR_CODES.SettingsConflictError,
      `${fields.join(", ")}: another ApplicationSettings of this program sets ${fields.length > 1 ? "them" : "it"} to ` +
        `another value on the same client, reached at ${otherAddress} (the same registered number as ${client}); ` +
        "nothing was sent for this resource",
      {
        hint:
          "two resources setting one field of one client overwrite each other: set it in one of them, and reach " +
          "one client by one address",
      },
    );
    this.client = client;
    this.otherAddress = otherAddress;
    this.fields = fields;
  }
}

/** A resource holding an object on a client, as `SharedClientError` names it. */
export interface ClientHolder {
  /** The client: `wa_id 1631555…`, or its address when its number is not known. */
  readonly client: string;
  readonly resource: string;
  readonly address: string;
}

/**
 * Two resources of one type (`TwoStepVerification`, `ProfilePhoto`) manage one client, which holds
 * one of what they set: each would overwrite the other, and removing either would remove what the
 * other still declares. Found once the client's registered number is read (the two reach it at two
 * addresses, which check cannot tell apart). Nothing was sent for this resource.
 */
export class SharedClientError extends WhatsAppError {
  declare readonly code: (typeof ERROR_CODES)["SharedClientError"];
  readonly client: string;
  readonly resources: readonly [string, string];

  constructor(type: string, what: string, mine: ClientHolder, other: ClientHolder) {
    const at = (holder: ClientHolder) => `${type} ${JSON.stringify(holder.resource)} at ${holder.address}`;
    super(
      ERROR_CODES.SharedClientError,
      `${at(mine)} and ${at(other)} manage one client (${mine.client}), which holds ${what}; nothing was sent for ` +
        JSON.stringify(mine.resource),
      { hint: "keep one of them, and reach one client by one address" },
    );
    this.client = mine.client;
    this.resources = [mine.resource, other.resource];
  }
}

/** Every error class, under its name: `ERROR_CODES` gives its code. */
export const ERROR_CLASSES = {
  ConfigError,
  ApiError,
  ResponseShapeError,
  NetworkError,
  TlsError,
  TimeoutError,
  VersionError,
  FieldIgnoredError,
  InputError,
  BackupIntegrityError,
  WrongClientError,
  RestoreUnfinishedError,
  NotOwnedError,
  UnsureClientError,
  SettingsConflictError,
  SharedClientError,
} as const;

/** The class behind each code, so that `isWhatsAppError(e, code)` narrows without a cast. */
export type ErrorClasses = {
  [K in keyof typeof ERROR_CODES as (typeof ERROR_CODES)[K]]: InstanceType<(typeof ERROR_CLASSES)[K]>;
};

/**
 * True when `error` is one of ours (with `code`: that one), whichever copy of this module created
 * it: the test is the code, never `instanceof`.
 */
export function isWhatsAppError(error: unknown): error is WhatsAppError;
export function isWhatsAppError<C extends ErrorCode>(error: unknown, code: C): error is ErrorClasses[C];
export function isWhatsAppError(error: unknown, code?: ErrorCode): boolean {
  const actual = (error as { code?: unknown } | undefined)?.code;
  if (!(error instanceof Error) || typeof actual !== "string") return false;
  return code === undefined ? actual.startsWith("WHATSAPP_") : actual === code;
}

/** What a failed HTTP call is reported as: what the client and the retry loop build and rebuild. */
const CALL_ERRORS = [
  ERROR_CODES.ApiError,
  ERROR_CODES.ResponseShapeError,
  ERROR_CODES.NetworkError,
  ERROR_CODES.TlsError,
  ERROR_CODES.TimeoutError,
] as const;
export type CallError = ErrorClasses[(typeof CALL_ERRORS)[number]];

/** Whether `error` is a failed HTTP call, so that `withContext` can build it again. */
export function isCallError(error: unknown): error is CallError {
  return CALL_ERRORS.some((code) => isWhatsAppError(error, code));
}

/**
 * The same failure built again, with the same class, code and fields, and more context: what it
 * stopped, a hint, the attempts before it. The original becomes its `cause`, so `causeCode` and
 * `certainlyNotApplied` still see what lies beneath; nothing of the original is changed.
 */
export function withContext<E extends CallError>(error: E, context: Omit<ErrorContext, "cause">): E;
export function withContext(error: CallError, more: Omit<ErrorContext, "cause">): CallError {
  const context: ErrorContext = {
    during: more.during ?? error.during,
    hint: more.hint ?? error.hint,
    attempts: more.attempts ?? error.attempts,
    cause: error,
  };
  switch (error.code) {
    case "WHATSAPP_API":
      return new ApiError(error, context);
    case "WHATSAPP_RESPONSE_SHAPE":
      return new ResponseShapeError(error.method, error.path, error.problem, context);
    case "WHATSAPP_NETWORK":
      return new NetworkError(error.detail, context);
    case "WHATSAPP_TLS":
      return new TlsError(error.detail, context);
    case "WHATSAPP_TIMEOUT":
      return new TimeoutError(error.detail, context);
  }
}

/**
 * The system or library code behind an error (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`), looking
 * through `cause` and past this package's own codes.
 */
export function causeCode(error: unknown): string | undefined {
  let fallback: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth++) {
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
  if (isWhatsAppError(error, "WHATSAPP_API")) return error.status < 500;
  if (!isWhatsAppError(error)) return false;
  switch (error.code) {
    case "WHATSAPP_TLS":
    case "WHATSAPP_CONFIG":
    case "WHATSAPP_INVALID_INPUT":
    case "WHATSAPP_VERSION":
    case "WHATSAPP_BACKUP_INTEGRITY":
    case "WHATSAPP_NOT_OWNED":
    case "WHATSAPP_UNSURE_CLIENT":
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
