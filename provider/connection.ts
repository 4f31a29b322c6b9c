/**
 * Where a client is and how to log in to it. A resource's own `connection` wins, then an explicit
 * `Provider`'s (both arrive as the `connection` input), then stack config `whatsapp:*` read in
 * `configure`, then `WHATSAPP_*` environment variables.
 */
import { z } from "zod";
import { ConfigError } from "./errors";
import { property } from "./model";
import { hasSpaceOrControl, URL_SPACE_OR_CONTROL_REASON } from "./url";

/**
 * Why a base URL cannot name a client, or `undefined` when it can. Credentials, a query or a
 * fragment would either leak into ids and logs or be dropped silently; `/v1` is ours to add.
 */
export function baseUrlProblem(value: string): string | undefined {
  if (hasSpaceOrControl(value)) return URL_SPACE_OR_CONTROL_REASON;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an http(s):// URL, e.g. https://wa.example.com:9090";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must start with https:// (or http://)";
  if (url.username || url.password) {
    return "must not carry user info: pass username and password (or a token) as their own settings";
  }
  if (url.search || value.includes("?")) return "must not have a query string";
  if (url.hash || value.includes("#")) return "must not have a fragment (#...)";
  if (/\/v1$/i.test(canonicalPath(url.pathname))) {
    return "must not end in /v1: give the Webapp's address, the provider adds /v1";
  }
  return undefined;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * A path spelled one way (RFC 3986 §6.2.2): unreserved characters decoded, other escapes in upper
 * case, runs of slashes folded and trailing ones dropped.
 */
function canonicalPath(pathname: string): string {
  return pathname
    .replace(/%([0-9A-Fa-f]{2})/g, (encoded, hex: string) => {
      const character = String.fromCharCode(Number.parseInt(hex, 16));
      return UNRESERVED.test(character) ? character : encoded.toUpperCase();
    })
    .replace(/\/{2,}/g, "/")
    .replace(/\/+$/, "");
}

/**
 * The client's identity: its base URL by the WHATWG URL rules (scheme and host lower-cased, the
 * scheme's default port dropped) with the host's trailing dot and the path's spelling made
 * canonical, so cosmetic spellings name one client.
 */
export function normalizeBaseUrl(value: string): string {
  const url = new URL(value);
  const host = url.hostname.replace(/\.$/, "");
  return `${url.protocol}//${host}${url.port ? `:${url.port}` : ""}${canonicalPath(url.pathname)}`;
}

/** The identity of the client a base URL names, or `undefined` when it names none. */
export function clientIdentity(value: unknown): string | undefined {
  return typeof value === "string" && baseUrlProblem(value) === undefined ? normalizeBaseUrl(value) : undefined;
}

const STRING = "a non-empty string";
const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

export const ConnectionSchema = z.strictObject({
  baseUrl: property(
    z
      .string()
      .max(2048)
      .superRefine((value, context) => {
        const problem = baseUrlProblem(value);
        if (problem) context.addIssue({ code: "custom", message: problem, params: { reason: problem } });
      }),
    {
      description:
        "`https://host:9090`: the Webapp's address, without `/v1`; a path prefix for a reverse proxy is kept.",
      allowed: "an http(s):// URL of at most 2048 characters, e.g. https://wa.example.com:9090",
    },
  ),
  token: property(z.string().min(1).optional(), {
    description: "A bearer token from `POST /v1/users/login`; expires after 7 days, so prefer username/password.",
    allowed: STRING,
    secret: true,
  }),
  username: property(z.string().min(1).max(64).optional(), {
    description: "The Webapp user to log in as, e.g. `admin`.",
    allowed: "a non-empty string of at most 64 characters",
  }),
  password: property(z.string().min(1).max(256).optional(), {
    description: "That user's password. Preferred over `token`, which expires after 7 days.",
    allowed: "a non-empty string of at most 256 characters",
    secret: true,
  }),
  caCert: property(
    z
      .string()
      // An empty value is what `"$(cat missing-file.pem)"` gives: refused here, not found out as a TLS error at up.
      .regex(PEM, { message: "is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)" })
      .optional(),
    {
      description: "PEM of the CA that signed the client's certificate (the Webapp's default one is self-signed).",
      allowed: "a PEM certificate (-----BEGIN CERTIFICATE-----, not empty)",
    },
  ),
  insecureSkipVerify: property(z.boolean().optional(), {
    description: "Skip TLS verification. For throwaway set-ups only; every deployment warns.",
    allowed: "true or false",
  }),
  timeoutMs: property(z.number().int().min(100).max(600_000).optional(), {
    description: "Per-request timeout in milliseconds.",
    allowed: "a whole number of milliseconds from 100 to 600000",
  }),
});

export type Connection = z.infer<typeof ConnectionSchema>;

/** The same fields, each optional: for checking what is known of a connection during preview. */
export const PartialConnectionSchema = ConnectionSchema.partial();

/** The secret values a connection carries, for scrubbing messages. */
export function connectionSecrets(connection: Partial<Connection> | undefined): string[] {
  return [connection?.token, connection?.password].filter((s): s is string => typeof s === "string");
}

/** A reason the connection cannot be used, or `undefined`. */
export function credentialProblem(connection: Partial<Connection>): string | undefined {
  if (connection.token) return undefined;
  if (connection.username && connection.password) return undefined;
  if (connection.username || connection.password) return "needs both username and password (or a token)";
  return "needs username and password (preferred: tokens expire after 7 days) or a token";
}

/** What `configure` hands over: stack config first, then the environment. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** The environment variables standing in for stack config, where one does. */
const ENV_KEYS: Partial<Record<keyof Connection, string>> = {
  baseUrl: "WHATSAPP_BASE_URL",
  token: "WHATSAPP_TOKEN",
  username: "WHATSAPP_USERNAME",
  password: "WHATSAPP_PASSWORD",
  caCert: "WHATSAPP_CA_CERT",
};

/** The connection stack config and the environment describe, field by field; may be incomplete. */
export function connectionFromConfig(config: ConfigSource | undefined, env: NodeJS.ProcessEnv): Partial<Connection> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConnectionSchema.shape) as Array<keyof Connection>) {
    const envKey = ENV_KEYS[key];
    const configured = config?.get(`whatsapp:${key}`);
    const value = configured ?? (envKey ? env[envKey] : undefined);
    // An empty caCert in stack config is kept, to be refused: it is a CA file that was not read
    // (`"$(cat ca.pem)"` of a missing file), not "no CA".
    if (value === undefined || (value === "" && !(key === "caCert" && configured === ""))) continue;
    if (key === "insecureSkipVerify") raw[key] = value === "true" || (value as unknown) === true;
    else if (key === "timeoutMs") raw[key] = Number(value);
    else raw[key] = value;
  }
  return raw as Partial<Connection>;
}

/** The connection to use: the resource's own when it has one, else config. Throws a ConfigError. */
export function resolveConnection(own: unknown, fallback: Partial<Connection>): Connection {
  const source = own && typeof own === "object" && Object.keys(own).length > 0 ? "connection" : "whatsapp";
  const candidate = source === "connection" ? own : fallback;
  const parsed = ConnectionSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join(".") || "baseUrl";
    const missing = issue?.code === "invalid_type" && (candidate as Record<string, unknown>)[key] === undefined;
    const where =
      source === "connection"
        ? `connection.${key}`
        : `whatsapp:${key} (stack config) or ${ENV_KEYS[key as keyof typeof ENV_KEYS] ?? "the resource's connection"}`;
    throw new ConfigError(`${where} ${missing ? "is not set" : `is not valid: ${issue?.message ?? "invalid"}`}`);
  }
  const problem = credentialProblem(parsed.data);
  if (problem) {
    throw new ConfigError(
      source === "connection"
        ? `connection ${problem}`
        : `the WhatsApp connection ${problem}: set whatsapp:username and whatsapp:password (secret)`,
    );
  }
  return parsed.data;
}
