/**
 * The HTTP client for one WhatsApp Business API client: login and token reuse, the response
 * envelope, typed errors, timeouts and retries of idempotent calls. It knows no endpoint but
 * login: each resource folder's `api.ts` holds its paths, bodies and answers' schemas and calls
 * through `call` and `request`. Transports and tokens live
 * in a `Sessions` object the caller owns, never at module scope, so Pulumi can serialize the
 * provider and one provider process reuses one connection and one login per client.
 */
import { createHash } from "node:crypto";
import * as undici from "undici";
import { z } from "zod";
import type { Connection } from "./connection";
import { connectionSecrets } from "./connection";
import {
  ApiError,
  type CallError,
  causeCode,
  isCallError,
  isWhatsAppError,
  NetworkError,
  ResponseShapeError,
  TimeoutError,
  TlsError,
  withContext,
} from "./errors";
import { redact, urlSecrets } from "./redact";
import { attemptLimit, DEFAULT_RETRY, nextDelay, type RetryPolicy } from "./retry-policy";

export { DEFAULT_RETRY, type RetryPolicy } from "./retry-policy";

const MetaSchema = z.looseObject({ api_status: z.string().optional(), version: z.string().optional() });
const ErrorSchema = z.looseObject({ code: z.number(), title: z.string().optional(), details: z.string().optional() });
const EnvelopeSchema = z.looseObject({ meta: MetaSchema.optional(), errors: z.array(ErrorSchema).optional() });
const LoginSchema = z.looseObject({
  users: z.array(z.looseObject({ token: z.string().min(1), expires_after: z.string().optional() })).min(1),
});
export type Meta = z.infer<typeof MetaSchema>;

/** The one endpoint the transport knows: where it logs in. */
const LOGIN = "/v1/users/login";
const DEFAULT_TIMEOUT_MS = 30_000;
/** Longest TCP connect and TLS handshake (or `timeoutMs` when shorter): a client that accepts and never answers fails in this. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How much of an answer outside the API's envelope an error quotes. */
const EXCERPT_CHARS = 200;
/** Tokens are renewed this long before they lapse, so a long deployment never sends a dying one. */
const RENEW_EARLY_MS = 60_000;
/** What the API documents for a token's life, assumed when `expires_after` cannot be believed. */
const TOKEN_LIFETIME_MS = 7 * 86_400_000;
const TOKEN_HINT = "the token may have expired (tokens last 7 days): prefer username and password, which are renewed";
const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
]);

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Per-process state shared by every call: one undici Agent per TLS setting (each pools
 * keep-alive connections per origin) and one token per client and user, with logins in flight
 * shared so a fleet of resources logs in once per client.
 */
export class Sessions {
  readonly agents = new Map<string, undici.Agent>();
  readonly tokens = new Map<string, CachedToken>();
  readonly logins = new Map<string, Promise<CachedToken>>();
  /**
   * Logins that failed in a way another try would only repeat (wrong credentials, which count
   * toward the client's lockout; a client that never answers; TLS): the rest of the deployment
   * reports them without sending another.
   */
  readonly failedLogins = new Map<string, CallError>();

  agent(connection: Connection): undici.Agent {
    const connectMs = Math.min(CONNECT_TIMEOUT_MS, connection.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const key = `${connection.insecureSkipVerify ? "insecure" : "verify"}\n${connectMs}\n${connection.caCert ?? ""}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const connect: Record<string, unknown> = {};
      if (connection.caCert) connect.ca = connection.caCert;
      if (connection.insecureSkipVerify) connect.rejectUnauthorized = false;
      // One connection per client: calls to one client are sequential anyway, and with more undici
      // opens a second socket (a second TLS handshake) after every POST or PATCH.
      connect.timeout = connectMs;
      agent = new undici.Agent({ connect, keepAliveTimeout: 30_000, connections: 1 });
      this.agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    this.agents.clear();
  }
}

export interface ClientOptions {
  sessions?: Sessions;
  retry?: RetryPolicy;
  /** Called before each retry, for progress lines. */
  onRetry?: (message: string) => void;
}

/** How one call is made. */
export interface CallOptions {
  /** Whether it may be sent again after a failure that may have reached the client; default: not a POST. */
  idempotent?: boolean;
  /** Values cut from any error the call ends with (the body's secrets, credentials in an answer). */
  secrets?: string[];
  /** Tries at most; default: the retry policy's. */
  attempts?: number;
  /** `request` only: what an empty answer is checked as (`{}` for calls that may answer nothing). */
  emptyAs?: "object";
  /** The body is these raw bytes of this media type (`image/png`), sent as they are instead of as JSON. */
  contentType?: string;
  /** A successful answer outside the JSON envelope (an image) is kept as `Exchange.bytes`. */
  bytes?: true;
}

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  meta: Meta | undefined;
  /** With `CallOptions.bytes`: a successful answer that is not JSON, as it came. */
  bytes?: Buffer;
}

/** How a call's body is sent and its answer read, when not as JSON. */
type Format = Pick<CallOptions, "contentType" | "bytes">;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * When to renew a token, from its `expires_after` (`2026-11-29 10:00:00+00:00`). Unreadable
 * expiries, and expiries already (nearly) past by the local clock, which only a clock skewed
 * against the client's produces for a token just issued, count as the documented 7 days: a token
 * the client no longer takes answers 401 and is renewed once, whereas believing the skewed expiry
 * would log in again before every call.
 */
export function parseExpiry(text: string | undefined, now: number): number {
  const parsed = text ? Date.parse(text.replace(" ", "T")) : Number.NaN;
  return Number.isFinite(parsed) && parsed - RENEW_EARLY_MS > now ? parsed : now + TOKEN_LIFETIME_MS;
}

export class WhatsAppClient {
  readonly connection: Connection;
  /** The connection's own secrets, cut from every message a call of this client builds. */
  private readonly connectionSecrets: readonly string[];
  readonly sessions: Sessions;
  private readonly retry: RetryPolicy;
  private readonly onRetry: ((message: string) => void) | undefined;
  /** `meta.version` of the last answer that carried one. */
  version: string | undefined;

  constructor(connection: Connection, options: ClientOptions = {}) {
    this.connection = { ...connection, baseUrl: connection.baseUrl.replace(/\/+$/, "") };
    this.connectionSecrets = connectionSecrets(this.connection);
    this.sessions = options.sessions ?? new Sessions();
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.onRetry = options.onRetry;
  }

  /**
   * An authenticated call whose answer must have `schema`'s shape (`{}` stands for an empty
   * answer); any other shape is a `ResponseShapeError` saying what was `expected`.
   */
  async request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    expected: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<{ data: T; meta: Meta | undefined; status: number }> {
    const reply = await this.call(method, path, body, options);
    const parsed = schema.safeParse(reply.body ?? (options.emptyAs === "object" ? {} : undefined));
    if (!parsed.success) throw new ResponseShapeError(method, path, `expected ${expected}`);
    return { data: parsed.data, meta: reply.meta, status: reply.status };
  }

  /**
   * The first error a 2xx answer's envelope carries, as the `ApiError` it stands for: some calls
   * report refusals there. `secrets` are cut from what it quotes.
   */
  static refusalIn(reply: { status: number; body: unknown }, method: string, path: string, secrets: string[]) {
    const first = EnvelopeSchema.safeParse(reply.body ?? {}).data?.errors?.[0];
    if (!first) return undefined;
    return new ApiError({
      method,
      path,
      status: reply.status,
      apiCode: first.code,
      title: first.title,
      details: first.details === undefined ? undefined : redact(first.details, secrets),
    });
  }

  /**
   * Lets the next call log in again when this deployment's login failed for want of an answer (a
   * client restarting); one refused for its credentials stays failed (each would count toward the
   * lockout).
   */
  retryUnansweredLogin(): void {
    const failed = this.sessions.failedLogins.get(this.tokenKey());
    if (failed && !isWhatsAppError(failed, "WHATSAPP_API")) this.sessions.failedLogins.delete(this.tokenKey());
  }

  /** Logs in (or reuses this process's token for the client and user) and returns the token. */
  async token(): Promise<string> {
    if (!this.connection.username || !this.connection.password) {
      return this.connection.token as string;
    }
    const key = this.tokenKey();
    const cached = this.sessions.tokens.get(key);
    if (cached && cached.expiresAt - RENEW_EARLY_MS > Date.now()) return cached.token;
    const failed = this.sessions.failedLogins.get(key);
    if (failed) {
      throw withContext(failed, {
        during: `not sent: logging in to ${this.connection.baseUrl} already failed in this deployment (one try per client)`,
      });
    }
    let pending = this.sessions.logins.get(key);
    if (!pending) {
      pending = this.login()
        .catch((error: unknown) => {
          if (isCallError(error) && repeatsOnRetry(error)) this.sessions.failedLogins.set(key, error);
          throw error;
        })
        .finally(() => this.sessions.logins.delete(key));
      this.sessions.logins.set(key, pending);
    }
    return (await pending).token;
  }

  /** One token per client and credentials: a changed password must log in again, not reuse. */
  private tokenKey(): string {
    const { baseUrl, username = "", password = "" } = this.connection;
    return `${baseUrl}\n${username}\n${createHash("sha256").update(password).digest("hex")}`;
  }

  private async login(): Promise<CachedToken> {
    const { username, password } = this.connection;
    const basic = Buffer.from(`${username}:${password}`).toString("base64");
    // 401 is not retried: failed logins count toward the client's lockout.
    const reply = await this.send(
      "POST",
      LOGIN,
      undefined,
      { authorization: `Basic ${basic}` },
      {
        idempotent: true,
        secrets: [],
      },
    );
    const parsed = LoginSchema.safeParse(reply.body);
    if (!parsed.success) throw new ResponseShapeError("POST", LOGIN, "expected {users: [{token}]}");
    const user = parsed.data.users[0] as { token: string; expires_after?: string };
    const cached = { token: user.token, expiresAt: parseExpiry(user.expires_after, Date.now()) };
    this.sessions.tokens.set(this.tokenKey(), cached);
    return cached;
  }

  /** An authenticated call: on 401 the token is renewed once (when there are credentials to renew it with). */
  async call(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Exchange> {
    const canRelogin = Boolean(this.connection.username && this.connection.password);
    const sendWith = (token: string) =>
      this.send(
        method,
        path,
        body,
        { authorization: `Bearer ${token}` },
        {
          idempotent: options.idempotent ?? method !== "POST",
          // A webhook URL in the body carries its shared secret: an echo of the body must not show it.
          secrets: [...(options.secrets ?? []), ...(options.contentType === undefined ? urlSecrets(body) : [])],
          ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
          format: {
            ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
            ...(options.bytes === undefined ? {} : { bytes: options.bytes }),
          },
        },
      );
    // Login failures surface as they are: retrying them only feeds the client's lockout counter.
    const token = await this.token();
    try {
      return await sendWith(token);
    } catch (error) {
      if (!isWhatsAppError(error, "WHATSAPP_API") || error.status !== 401) throw error;
      if (!canRelogin) throw withContext(error, { hint: TOKEN_HINT });
      if (this.sessions.tokens.get(this.tokenKey())?.token === token) this.sessions.tokens.delete(this.tokenKey());
      return await sendWith(await this.token());
    }
  }

  /** One request, tried again while the retry policy says so; the error it ends with lists every attempt. */
  private async send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    options: { idempotent: boolean; secrets: string[]; attempts?: number; format?: Format },
  ): Promise<Exchange> {
    const policy = { ...this.retry, attempts: options.attempts ?? this.retry.attempts };
    const started = Date.now();
    const secrets = [...options.secrets, ...this.connectionSecrets, headers.authorization?.split(" ")[1]];
    const timeoutMs = this.connection.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const failures: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const limit = attemptLimit(attempt, Date.now() - started, timeoutMs, policy);
      let error: CallError;
      try {
        return await this.exchange(method, path, body, headers, limit, secrets, options.format ?? {});
      } catch (caught) {
        if (!isCallError(caught)) throw caught;
        error = caught;
      }
      failures.push(`attempt ${attempt}: ${error.message}`);
      const elapsedMs = Date.now() - started;
      const delayMs = nextDelay(error, {
        attempt,
        elapsedMs,
        idempotent: options.idempotent,
        policy,
        random: Math.random,
      });
      if (delayMs === undefined) throw failures.length > 1 ? withContext(error, { attempts: failures }) : error;
      this.onRetry?.(`${error.message}; retrying in ${Math.round(delayMs)} ms`);
      await sleep(delayMs);
    }
  }

  private async exchange(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    limit: { ms: number; name: string },
    secrets: ReadonlyArray<string | undefined>,
    format: Format,
  ): Promise<Exchange> {
    const url = `${this.connection.baseUrl}${path}`;
    const raw = format.contentType !== undefined && body instanceof Uint8Array;
    // One signal for headers and body together: undici's own timeouts restart on every chunk, so a
    // body that drips a byte at a time would never time out.
    const signal = AbortSignal.timeout(limit.ms);
    let response: undici.Dispatcher.ResponseData;
    let content: Buffer;
    try {
      response = await undici.request(url, {
        method: method as undici.Dispatcher.HttpMethod,
        headers: {
          accept: format.bytes ? "*/*" : "application/json",
          ...(body === undefined ? {} : { "content-type": raw ? (format.contentType as string) : "application/json" }),
          ...headers,
        },
        body: body === undefined ? null : raw ? body : JSON.stringify(body),
        dispatcher: this.sessions.agent(this.connection),
        signal,
      });
      content = Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      throw this.transportError(method, path, error, limit.name, signal.aborted, secrets);
    }
    const type = String(response.headers["content-type"] ?? "");
    if (format.bytes && response.statusCode >= 200 && response.statusCode < 300 && !type.includes("json")) {
      return {
        status: response.statusCode,
        headers: response.headers,
        body: undefined,
        meta: undefined,
        bytes: content,
      };
    }
    const text = content.toString("utf8");
    let parsed: unknown;
    if (text.trim() !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.statusCode >= 200 && response.statusCode < 300) {
          throw new ResponseShapeError(method, path, "not JSON");
        }
        throw new ApiError({
          method,
          path,
          status: response.statusCode,
          details: notAnApiAnswer(response.headers["content-type"], text, secrets),
          retryAfterMs: retryAfter(response.headers["retry-after"]),
        });
      }
    }
    const envelope = EnvelopeSchema.safeParse(parsed ?? {});
    const meta = envelope.success ? envelope.data.meta : undefined;
    if (meta?.version) this.version = meta.version;
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const first = envelope.success ? envelope.data.errors?.[0] : undefined;
      // A proxy's or a framework's JSON error: what it said is all there is to go on.
      const outside = first === undefined && text.trim() !== "";
      throw new ApiError({
        method,
        path,
        status: response.statusCode,
        apiCode: first?.code,
        title: first?.title === undefined ? undefined : redact(first.title, secrets),
        details: outside
          ? notAnApiAnswer(response.headers["content-type"], text, secrets)
          : first?.details === undefined
            ? undefined
            : redact(first.details, secrets),
        retryAfterMs: retryAfter(response.headers["retry-after"]),
      });
    }
    return { status: response.statusCode, headers: response.headers, body: parsed, meta };
  }

  /** What a request that got no answer is reported as; its message is redacted as it is built. */
  private transportError(
    method: string,
    path: string,
    error: unknown,
    limit: string,
    timedOut: boolean,
    secrets: ReadonlyArray<string | undefined>,
  ): CallError {
    const code = causeCode(error);
    const where = redact(`${method} ${this.connection.baseUrl}${path}`, secrets);
    if (code && TLS_CODES.has(code)) {
      return new TlsError(
        `${where}: TLS verification failed (${code}). Set caCert to the PEM of the CA that signed the client's certificate, ` +
          "or insecureSkipVerify: true for a throwaway set-up.",
        { cause: error },
      );
    }
    if (code === "UND_ERR_CONNECT_TIMEOUT" && !timedOut) {
      const tls = this.connection.baseUrl.startsWith("https:") ? " and TLS handshake" : "";
      const connectMs = Math.min(CONNECT_TIMEOUT_MS, this.connection.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      return new TimeoutError(`${where}: no connection${tls} within ${connectMs} ms`, { cause: error });
    }
    if (timedOut || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
      return new TimeoutError(`${where}: no complete answer within ${limit}`, { cause: error });
    }
    const reason = redact(error instanceof Error ? error.message : String(error), secrets);
    return new NetworkError(`${where}: ${code ? `${code} ` : ""}${reason}`, { cause: error });
  }
}

/** A failed login that another try would only repeat: it is not tried again in this deployment. */
function repeatsOnRetry(error: CallError): boolean {
  if (isWhatsAppError(error, "WHATSAPP_API")) return [401, 403, 429].includes(error.status);
  return isWhatsAppError(error, "WHATSAPP_TIMEOUT") || isWhatsAppError(error, "WHATSAPP_TLS");
}

/**
 * An answer outside the API's envelope (a proxy's HTML page, a framework's JSON): its type and a
 * short excerpt, secrets cut out before it is shortened so that no part of one survives the cut.
 */
export function notAnApiAnswer(
  contentType: string | string[] | undefined,
  text: string,
  secrets: ReadonlyArray<string | undefined>,
): string {
  const type = String(contentType ?? "no content type").split(";")[0];
  const readable = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const clean = redact(readable, secrets);
  const excerpt = clean.length > EXCERPT_CHARS ? `${clean.slice(0, EXCERPT_CHARS)}…` : clean;
  return `not a WhatsApp API answer (${redact(type ?? "", secrets)})${excerpt ? `: ${excerpt}` : ""}`;
}

function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
