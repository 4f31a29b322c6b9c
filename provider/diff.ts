/**
 * What every resource's `diff` shares: which client the inputs point at now, whether that is
 * another client than the one recorded in state, and which replacing inputs changed. Pure but for
 * stack config, and safe during preview: a value not known yet counts as a change.
 */

import { containsUnknown, UNKNOWN } from "./check";
import { type Connection, clientIdentity } from "./connection";
import { type ResourceModel, replacingInputs } from "./model";
import type { Props } from "./props";
import { processState } from "./runtime";

/** The same JSON whatever the order of keys: state hands properties back in its own order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

export function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** The base URL a resource's inputs point at now: its own connection's, else stack config's. */
export function targetBaseUrl(news: Props): unknown {
  const own = news.connection as Partial<Connection> | undefined;
  return own ? own.baseUrl : processState().config.baseUrl;
}

/** Whether the inputs may name another client than the one recorded in state (`baseUrl`). */
export function clientMoved(olds: Props, news: Props): boolean {
  const target = targetBaseUrl(news);
  // Not known until apply: it may name another client.
  if (target === UNKNOWN || news.connection === UNKNOWN) return true;
  const recorded = clientIdentity(olds.baseUrl);
  const now = clientIdentity(target);
  return recorded !== undefined && now !== undefined && recorded !== now;
}

/** The inputs whose change replaces the resource that changed, then `connection` for another client. */
export function replacements(model: ResourceModel, olds: Props, news: Props): string[] {
  const changed = replacingInputs(model).filter((key) => containsUnknown(news[key]) || !same(olds[key], news[key]));
  return clientMoved(olds, news) ? [...changed, "connection"] : changed;
}
