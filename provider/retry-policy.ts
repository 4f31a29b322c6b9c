/**
 * When a failed call is tried again and after how long: pure decisions over the error, the attempt
 * number and the time spent, so that the loop in `client.ts` stays a few lines and the policy can
 * be tested as a table.
 */
import { API_CODES, causeCode, isWhatsAppError } from "./errors";

export interface RetryPolicy {
  /** Attempts for idempotent calls, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest `Retry-After` honoured; a longer one fails at once. */
  maxRetryAfterMs: number;
  /** No retry starts past this long after the first attempt of a call. */
  deadlineMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  deadlineMs: 120_000,
};

// The documented "try again" answers: rate limit, Coreapp not ready or restarting, overload, shard routing.
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const RETRY_API_CODES = new Set<number>([
  API_CODES.SERVICE_NOT_READY,
  API_CODES.INTERNAL_ERROR,
  API_CODES.TOO_MANY_REQUESTS,
  API_CODES.SYSTEM_OVERLOADED,
  API_CODES.NOT_PRIMARY_MASTER,
  API_CODES.NOT_PRIMARY_COREAPP,
]);

/** A refused connection never reached the client, so even a call that must not repeat may try again. */
export function neverSent(error: unknown): boolean {
  return isWhatsAppError(error, "WHATSAPP_NETWORK") && causeCode(error) === "ECONNREFUSED";
}

/** A failure that a later attempt of the same request may not meet. */
export function isTransient(error: unknown): boolean {
  if (isWhatsAppError(error, "WHATSAPP_API")) {
    return RETRY_STATUSES.has(error.status) || RETRY_API_CODES.has(error.apiCode ?? 0);
  }
  return isWhatsAppError(error, "WHATSAPP_NETWORK") || isWhatsAppError(error, "WHATSAPP_TIMEOUT");
}

/**
 * How long to wait before attempt `attempt + 1`: the server's `Retry-After` when it sent one,
 * otherwise capped exponential backoff with jitter over its upper half (`random` in [0, 1)).
 */
export function retryDelay(error: unknown, attempt: number, policy: RetryPolicy, random: () => number): number {
  const retryAfterMs = isWhatsAppError(error, "WHATSAPP_API") ? error.retryAfterMs : undefined;
  if (retryAfterMs !== undefined) return retryAfterMs;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return exponential / 2 + random() * (exponential / 2);
}

export interface RetryContext {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** Time since the first attempt of the call started. */
  elapsedMs: number;
  /** Whether sending the request twice does what sending it once does. */
  idempotent: boolean;
  policy: RetryPolicy;
  random: () => number;
}

/** The wait before the next attempt, or `undefined` when the call stops with this error. */
export function nextDelay(error: unknown, { attempt, elapsedMs, idempotent, policy, random }: RetryContext) {
  if (!(neverSent(error) || (idempotent && isTransient(error))) || attempt >= policy.attempts) return undefined;
  const retryAfterMs = isWhatsAppError(error, "WHATSAPP_API") ? error.retryAfterMs : undefined;
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return undefined;
  const delayMs = retryDelay(error, attempt, policy, random);
  return elapsedMs + delayMs > policy.deadlineMs ? undefined : delayMs;
}

/**
 * How long one attempt may take: `timeoutMs`, except that a retry never runs past the deadline
 * (it gets what is left of it). `name` says which limit it was, for the timeout's message.
 */
export function attemptLimit(attempt: number, elapsedMs: number, timeoutMs: number, policy: RetryPolicy) {
  const left = policy.deadlineMs - elapsedMs;
  if (attempt === 1 || left >= timeoutMs) return { ms: timeoutMs, name: `${timeoutMs} ms (timeoutMs)` };
  return { ms: Math.max(1, left), name: `the retry deadline (${policy.deadlineMs} ms after the first attempt)` };
}
