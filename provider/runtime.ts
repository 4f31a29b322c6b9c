/**
 * What one provider process shares between resources and resource types: stack config from
 * `configure`, pooled connections and tokens, and what this deployment created. Created on
 * first use, never at module load, so serializing a provider captures no live objects.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_RETRY, type RetryPolicy, Sessions, WhatsAppClient } from "./client";
import { type ConfigSource, type Connection, connectionFromConfig, resolveConnection } from "./connection";

interface ProcessState {
  sessions: Sessions;
  config: Partial<Connection>;
  retry: RetryPolicy;
  /** Clients an `ApplicationSettings` was created on in this deployment (the rename guard). */
  createdOn: Set<string>;
  warnedInsecure: Set<string>;
}

let state: ProcessState | undefined;

export function processState(): ProcessState {
  state ??= {
    sessions: new Sessions(),
    config: connectionFromConfig(undefined, process.env),
    retry: DEFAULT_RETRY,
    createdOn: new Set(),
    warnedInsecure: new Set(),
  };
  return state;
}

/** Reads stack config `whatsapp:*` (with `WHATSAPP_*` fallbacks); Pulumi calls it once per process. */
export async function configure(request: { config: ConfigSource }): Promise<void> {
  const shared = processState();
  shared.config = connectionFromConfig(request.config, process.env);
  shared.retry = retryFromConfig(request.config);
}

/** Advanced: `whatsapp:retryAttempts`, `whatsapp:retryBaseDelayMs`, `whatsapp:retryDeadlineMs`. */
function retryFromConfig(config: ConfigSource): RetryPolicy {
  const number = (key: string, fallback: number, min: number, max: number) => {
    const value = Number(config.get(`whatsapp:${key}`) ?? Number.NaN);
    return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
  };
  return {
    ...DEFAULT_RETRY,
    attempts: number("retryAttempts", DEFAULT_RETRY.attempts, 1, 20),
    baseDelayMs: number("retryBaseDelayMs", DEFAULT_RETRY.baseDelayMs, 0, 60_000),
    deadlineMs: number("retryDeadlineMs", DEFAULT_RETRY.deadlineMs, 0, 3_600_000),
  };
}

/** The connection for a resource's properties: its own `connection`, else stack config. */
export function connectionFor(props: Record<string, unknown>): Connection {
  return resolveConnection(props.connection, processState().config);
}

export function normalizedBaseUrl(connection: Pick<Connection, "baseUrl">): string {
  return connection.baseUrl.replace(/\/+$/, "");
}

export function clientFor(connection: Connection): WhatsAppClient {
  const shared = processState();
  if (connection.insecureSkipVerify && !shared.warnedInsecure.has(connection.baseUrl)) {
    shared.warnedInsecure.add(connection.baseUrl);
    pulumi.log.warn(`TLS verification is off for ${connection.baseUrl} (insecureSkipVerify); pass caCert instead`);
  }
  return new WhatsAppClient(connection, {
    sessions: shared.sessions,
    retry: shared.retry,
    onRetry: (message) => pulumi.log.info(message),
  });
}

/** Releases pooled connections (tests and scripts; a provider process just exits). */
export async function shutdown(): Promise<void> {
  const sessions = state?.sessions;
  state = undefined;
  await sessions?.close();
}
