/**
 * What one provider process shares between resources and resource types: stack config from
 * `configure`, pooled connections and tokens, and what a kind of resource keeps in it. Created on
 * first use, never at module load, so serializing a provider captures no live objects.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_RETRY, type RetryPolicy, Sessions, WhatsAppClient } from "./client";
import {
  type ConfigSource,
  type Connection,
  ConnectionSchema,
  clientIdentity,
  connectionFromConfig,
  normalizeBaseUrl,
  resolveConnection,
} from "./connection";
import { leaveDeployment } from "./deployment-memory";
import { ConfigError, WrongClientError } from "./errors";
import { STORED_CONNECTION } from "./model";
import { parseId } from "./resource-id";

interface ProcessState {
  sessions: Sessions;
  config: Partial<Connection>;
  retry: RetryPolicy;
  /** Per client, the tail of its queue of writes (see `exclusive`). */
  queues: Map<string, Promise<void>>;
  warnedInsecure: Set<string>;
  /** What one kind of resource keeps in this process, by the name it keeps it under. */
  slots: Map<string, unknown>;
}

let state: ProcessState | undefined;

export function processState(): ProcessState {
  state ??= {
    sessions: new Sessions(),
    config: connectionFromConfig(undefined, process.env),
    retry: DEFAULT_RETRY,
    queues: new Map(),
    warnedInsecure: new Set(),
    slots: new Map(),
  };
  return state;
}

/**
 * What a kind of resource keeps in this process alone, created on first use under `name` and
 * forgotten with the rest at `shutdown`. What the resources of a deployment know of each other
 * goes to deployment-memory.ts instead: a deployment may run several provider processes.
 */
export function processSlot<T>(name: string, create: () => T): T {
  const slots = processState().slots;
  if (!slots.has(name)) slots.set(name, create());
  return slots.get(name) as T;
}

/** Reads stack config `whatsapp:*` (with `WHATSAPP_*` fallbacks); Pulumi calls it once per process. */
export async function configure(request: { config: ConfigSource }): Promise<void> {
  const shared = processState();
  shared.config = connectionFromConfig(request.config, process.env);
  shared.retry = retryFromConfig(request.config);
}

/** Advanced stack config beside the connection's fields, read by `retryFromConfig`. */
export const RETRY_CONFIG_KEYS = ["retryAttempts", "retryBaseDelayMs", "retryDeadlineMs"] as const;

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

/** The identity of the client a connection names (its normalized base URL). */
export function identityOf(connection: Pick<Connection, "baseUrl">): string {
  return normalizeBaseUrl(connection.baseUrl);
}

/**
 * The connection for a resource that exists: it must reach the client recorded in its state. The
 * connection the program or stack config gives now is used when it still names that client (it
 * has the freshest credentials); otherwise the one stored at the last create or update; and when
 * neither does, nothing is sent anywhere.
 */
export function connectionForRecorded(props: Record<string, unknown>, id?: string): Connection {
  const recorded = clientIdentity(props.baseUrl) ?? clientIdentity(id === undefined ? undefined : parseId(id)?.client);
  if (recorded === undefined) {
    throw new ConfigError(
      "cannot tell which client this resource is on: its state has no baseUrl and its id names no client; nothing was sent",
    );
  }
  let current: Connection | undefined;
  let problem: unknown;
  try {
    current = connectionFor(props);
  } catch (error) {
    problem = error;
  }
  if (current && identityOf(current) === recorded) return current;
  const stored = ConnectionSchema.safeParse(props[STORED_CONNECTION]);
  if (stored.success && identityOf(stored.data) === recorded) return stored.data;
  if (!current) throw problem;
  throw new WrongClientError(recorded, identityOf(current));
}

/** What a resource's outputs keep of the connection it used: stack config's, when it came from there. */
export function storedConnection(props: Record<string, unknown>, connection: Connection): Record<string, unknown> {
  return props.connection === undefined ? { [STORED_CONNECTION]: connection } : {};
}

/**
 * Whether stack config's credentials changed since the last create or update stored them: the
 * resource then shows an update, so state keeps credentials that still work for its client.
 */
export function storedConnectionStale(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  if (news.connection !== undefined || typeof olds[STORED_CONNECTION] !== "object") return false;
  let now: Record<string, unknown>;
  try {
    now = connectionFor(news);
  } catch {
    return false;
  }
  const stored = olds[STORED_CONNECTION] as Record<string, unknown>;
  // Compared key by key: state hands properties back in its own order. A base URL is compared as
  // the client it names, so a cosmetic edit (`https://WA.example.com:9090/`) changes nothing.
  const comparable = (connection: Record<string, unknown>, key: string) =>
    key === "baseUrl" ? (clientIdentity(connection.baseUrl) ?? connection.baseUrl) : connection[key];
  return [...new Set([...Object.keys(now), ...Object.keys(stored)])].some(
    (key) => JSON.stringify(comparable(now, key)) !== JSON.stringify(comparable(stored, key)),
  );
}

/**
 * Runs `work` after every earlier write to the same client has settled, so one resource's
 * read-modify-write of a settings group never interleaves with another's.
 */
export async function exclusive<T>(identity: string, work: () => Promise<T>): Promise<T> {
  const queues = processState().queues;
  const run = (queues.get(identity) ?? Promise.resolve()).then(work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(identity, tail);
  try {
    return await run;
  } finally {
    if (queues.get(identity) === tail) queues.delete(identity);
  }
}

/** A client for `connection`; `attempts: 1` for a read that must not wait out retries (preview). */
export function clientFor(connection: Connection, options: { attempts?: number } = {}): WhatsAppClient {
  return transportFor(connection, identityOf(connection), options);
}

/** A client for `connection`, whose identity is known already. */
function transportFor(connection: Connection, identity: string, options: { attempts?: number } = {}): WhatsAppClient {
  const shared = processState();
  if (connection.insecureSkipVerify && !shared.warnedInsecure.has(connection.baseUrl)) {
    shared.warnedInsecure.add(connection.baseUrl);
    pulumi.log.warn(`TLS verification is off for ${connection.baseUrl} (insecureSkipVerify); pass caCert instead`);
  }
  return new WhatsAppClient(
    { ...connection, baseUrl: identity },
    {
      sessions: shared.sessions,
      retry: options.attempts ? { ...shared.retry, attempts: options.attempts } : shared.retry,
      onRetry: (message) => pulumi.log.info(message),
    },
  );
}

/**
 * Everything a lifecycle step needs to talk to one client, resolved in one call: the connection,
 * the client's identity (what ids, state, queues and records are keyed on) and its transport.
 */
export interface Reach {
  readonly connection: Connection;
  /** The normalized base URL: the client, however the program spells its address. */
  readonly identity: string;
  /** The transport, built on first use: a step that ends before calling out builds none. */
  readonly api: WhatsAppClient;
}

function reachOf(connection: Connection): Reach {
  const identity = identityOf(connection);
  let api: WhatsAppClient | undefined;
  return {
    connection,
    identity,
    get api() {
      api ??= transportFor(connection, identity);
      return api;
    },
  };
}

/** The client a resource's inputs name now: its own connection, else its provider's, else stack config. */
export function reach(props: Record<string, unknown>): Reach {
  return reachOf(connectionFor(props));
}

/** The client a resource that exists is recorded on, and nothing else (see `connectionForRecorded`). */
export function reachRecorded(props: Record<string, unknown>, id: string): Reach {
  return reachOf(connectionForRecorded(props, id));
}

/** Releases pooled connections and forgets the deployment (tests and scripts; a provider process just exits). */
export async function shutdown(): Promise<void> {
  const sessions = state?.sessions;
  state = undefined;
  leaveDeployment();
  await sessions?.close();
}
