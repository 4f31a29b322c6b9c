import { describe, expect, test } from "vitest";
import { API_CODES, ApiError, NetworkError, ResponseShapeError, TimeoutError, TlsError } from "../../provider/errors";
import { attemptLimit, nextDelay, type RetryPolicy, retryDelay } from "../../provider/retry-policy";

const POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 2_000,
  deadlineMs: 10_000,
};
const system = (code: string) => Object.assign(new Error(code), { code });
const api = (status: number, apiCode?: number, retryAfterMs?: number) =>
  new ApiError({ method: "GET", path: "/v1/settings/application", status, apiCode, retryAfterMs });
const network = (code: string) =>
  new NetworkError(`GET https://wa/v1/settings/application: ${code}`, { cause: system(code) });

/** The delay after attempt 1, with the jitter at its middle, for an idempotent call just started. */
const first = (error: unknown, idempotent = true) =>
  nextDelay(error, { attempt: 1, elapsedMs: 0, idempotent, policy: POLICY, random: () => 0.5 });

describe("which failures are tried again", () => {
  test.each<[string, unknown, boolean, number | undefined]>([
    ["429 / 1015 (rate limit)", api(429, API_CODES.TOO_MANY_REQUESTS), true, 75],
    ["503 / 1016 (overloaded)", api(503, API_CODES.SYSTEM_OVERLOADED), true, 75],
    ["500 / 1011 (service not ready)", api(500, API_CODES.SERVICE_NOT_READY), true, 75],
    ["500 / 1014 (Coreapp unreachable)", api(500, API_CODES.INTERNAL_ERROR), true, 75],
    ["500 / 1017 (not primary master)", api(500, API_CODES.NOT_PRIMARY_MASTER), true, 75],
    ["500 / 1018 (not primary Coreapp)", api(500, API_CODES.NOT_PRIMARY_COREAPP), true, 75],
    ["502 from a proxy", api(502), true, 75],
    ["504 from a proxy", api(504), true, 75],
    ["a connection reset", network("ECONNRESET"), true, 75],
    ["a timeout", new TimeoutError("no complete answer"), true, 75],
    ["a refused connection", network("ECONNREFUSED"), true, 75],
    ["400 / 1009 (invalid value)", api(400, API_CODES.PARAMETER_INVALID), true, undefined],
    ["401 / 1005 (access denied)", api(401, API_CODES.ACCESS_DENIED), true, undefined],
    ["500 with no code", api(500), true, undefined],
    ["a body of the wrong shape", new ResponseShapeError("GET", "/v1/health", "not JSON"), true, undefined],
    ["a TLS refusal", new TlsError("TLS verification failed", { cause: system("CERT_HAS_EXPIRED") }), true, undefined],
    ["an error not of ours", new Error("boom"), true, undefined],
    ["503 on a call that must not repeat", api(503, API_CODES.SYSTEM_OVERLOADED), false, undefined],
    ["a reset on a call that must not repeat", network("ECONNRESET"), false, undefined],
    ["a timeout on a call that must not repeat", new TimeoutError("no complete answer"), false, undefined],
    ["a refused connection on a call that must not repeat (it was never sent)", network("ECONNREFUSED"), false, 75],
  ])("%s: idempotent %s, waits %s ms", (_name, error, idempotent, expected) => {
    expect(first(error, idempotent)).toBe(expected);
  });
});

describe("how long to wait", () => {
  test.each<[string, number, number, number]>([
    ["attempt 1, least jitter", 1, 0, 50],
    ["attempt 1, most jitter", 1, 0.999, 99.95],
    ["attempt 2 doubles", 2, 0, 100],
    ["attempt 3 doubles again", 3, 0.5, 300],
    ["attempt 5 is capped at maxDelayMs", 5, 0.5, 750],
    ["attempt 20 stays capped", 20, 0, 500],
  ])("backoff: %s", (_name, attempt, random, expected) => {
    expect(retryDelay(api(503), attempt, POLICY, () => random)).toBeCloseTo(expected, 6);
  });

  test.each<[string, number, number | undefined]>([
    ["Retry-After: 0 retries at once", 0, 0],
    ["Retry-After: 1 s is honoured over the backoff", 1_000, 1_000],
    ["Retry-After at the cap is honoured", 2_000, 2_000],
    ["Retry-After past the cap fails at once", 2_001, undefined],
    ["Retry-After of an hour fails at once", 3_600_000, undefined],
  ])("%s", (_name, retryAfterMs, expected) => {
    expect(first(api(429, API_CODES.TOO_MANY_REQUESTS, retryAfterMs))).toBe(expected);
  });
});

describe("when to stop", () => {
  const context = { idempotent: true, policy: POLICY, random: () => 0.5 };
  test.each<[string, number, number, number | undefined]>([
    ["attempt 4 of 5 may try once more", 4, 0, 600],
    ["attempt 5 of 5 is the last", 5, 0, undefined],
    ["a wait that ends before the deadline", 1, 9_925, 75],
    ["a wait that would end past the deadline", 1, 9_926, undefined],
    ["a call already past its deadline", 1, 20_000, undefined],
  ])("%s", (_name, attempt, elapsedMs, expected) => {
    expect(nextDelay(api(503), { ...context, attempt, elapsedMs })).toBe(expected);
  });

  test("a call allowed one attempt is never retried", () => {
    expect(nextDelay(api(503), { ...context, attempt: 1, elapsedMs: 0, policy: { ...POLICY, attempts: 1 } })).toBe(
      undefined,
    );
  });
});

describe("how long one attempt may take", () => {
  test.each<[string, number, number, { ms: number; name: string }]>([
    ["the first attempt gets timeoutMs even past the deadline", 1, 20_000, { ms: 3_000, name: "3000 ms (timeoutMs)" }],
    ["a retry with time left gets timeoutMs", 2, 7_000, { ms: 3_000, name: "3000 ms (timeoutMs)" }],
    [
      "a retry near the deadline gets what is left",
      2,
      8_000,
      { ms: 2_000, name: "the retry deadline (10000 ms after the first attempt)" },
    ],
    [
      "a retry past the deadline gets a millisecond",
      3,
      12_000,
      { ms: 1, name: "the retry deadline (10000 ms after the first attempt)" },
    ],
  ])("%s", (_name, attempt, elapsedMs, expected) => {
    expect(attemptLimit(attempt, elapsedMs, 3_000, POLICY)).toEqual(expected);
  });
});
