/**
 * Fault injection: latency, error answers for the next N or a seeded fraction of requests on a
 * route, connection resets, responses that never come or drip in a byte at a time, error answers
 * that echo the request back, and answers with numbers and booleans spelled as strings. Seeded so
 * a failing run repeats.
 */

/** How an `echo` fault spells the request it repeats. */
export type EchoForm = "plain" | "json" | "percent" | "form" | "base64";

export interface FaultRule {
  /** `"PATCH /v1/settings/application"`, a path, or a pattern matched against `"METHOD /path"`. */
  route?: string | RegExp;
  /** Answer with this HTTP status and API error code (the code's own status when omitted). */
  status?: number;
  code?: number;
  /** The error's `details` (default "Injected fault"). */
  details?: string;
  /** Seconds, sent as the `Retry-After` header. */
  retryAfter?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /** Never answer (until the emulator closes). */
  hang?: boolean;
  /** How many matching requests this rule hits; unlimited when omitted. */
  times?: number;
  /** Share of matching requests hit, drawn from the seeded generator. */
  fraction?: number;
  /** Let this many matching requests through before the rule starts hitting. */
  after?: number;
  /** Extra delay before this rule's answer (or before a normal answer when no status is given). */
  delayMs?: number;
  /** Answer this raw body (with `status`, default 200) instead of the API's: shape errors, proxies. */
  body?: string;
  contentType?: string;
  /** Send the answer one byte per this many milliseconds (headers at once). */
  dripMs?: number;
  /** With `dripMs`: after the answer, keep dripping spaces until the client gives up. */
  dripForever?: boolean;
  /**
   * Answer 400 / 1009 (or `status` / `code`) whose `details` repeat the request's Authorization
   * header and raw body in this form, as a careless proxy or server does.
   */
  echo?: EchoForm;
  /** Answer as usual, but with every number and boolean of the body spelled as a string. */
  stringValues?: boolean;
}

export interface Latency {
  fixedMs: number;
  jitterMs: number;
}

/** mulberry32: small, fast and good enough to spread faults reproducibly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: Array<FaultRule & { hits: number; seen: number }> = [];
  private latency: Latency = { fixedMs: 0, jitterMs: 0 };
  private readonly random: () => number;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, hits: 0, seen: 0 });
  }

  setLatency(latency: Partial<Latency>): void {
    this.latency = { fixedMs: latency.fixedMs ?? 0, jitterMs: latency.jitterMs ?? 0 };
  }

  clear(): void {
    this.rules = [];
    this.latency = { fixedMs: 0, jitterMs: 0 };
  }

  delayMs(): number {
    return this.latency.fixedMs + (this.latency.jitterMs ? this.random() * this.latency.jitterMs : 0);
  }

  /** The rule that hits this request, if any; counts the hit. */
  match(method: string, path: string): FaultRule | undefined {
    const request = `${method} ${path}`;
    for (const rule of this.rules) {
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (!routeMatches(rule.route, request, path)) continue;
      rule.seen += 1;
      if (rule.after !== undefined && rule.seen <= rule.after) continue;
      if (rule.fraction !== undefined && this.random() >= rule.fraction) continue;
      rule.hits += 1;
      return rule;
    }
    return undefined;
  }
}

function routeMatches(route: FaultRule["route"], request: string, path: string): boolean {
  if (route === undefined) return true;
  if (route instanceof RegExp) return route.test(request);
  return route === request || route === path;
}

/** The text an `echo` fault puts in its answer's `details`. */
export function echoed(form: EchoForm, text: string): string {
  switch (form) {
    case "plain":
      return text;
    case "json":
      // What PHP's json_encode and many others write: slashes escaped.
      return JSON.stringify(text).slice(1, -1).replace(/\//g, "\\/");
    case "percent":
      return encodeURIComponent(text);
    case "form":
      return new URLSearchParams({ echo: text }).toString().slice("echo=".length);
    case "base64":
      return Buffer.from(text, "utf8").toString("base64");
  }
}

/** A copy with numbers and booleans as strings, `meta` left alone. */
export function stringifyValues(value: unknown, key?: string): unknown {
  if (key === "meta") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((item) => stringifyValues(item));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyValues(v, k)]));
  }
  return value;
}
