/** A plain undici client for talking to an emulator in tests, with no provider code involved. */
import { Agent, request } from "undici";
import type { Emulator } from "../emulator/index";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read into arbitrary API answers
  json: any;
}

export interface CallOptions {
  token?: string;
  basic?: [string, string];
  body?: unknown;
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const agents = new WeakMap<Emulator, Agent>();

function agentFor(emulator: Emulator): Agent {
  let agent = agents.get(emulator);
  if (!agent) {
    agent = new Agent(emulator.caCert ? { connect: { ca: emulator.caCert } } : {});
    agents.set(emulator, agent);
  }
  return agent;
}

export async function call(
  emulator: Emulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.basic) headers.authorization = `Basic ${Buffer.from(options.basic.join(":")).toString("base64")}`;
  let body: string | null = options.raw ?? null;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== null) headers["content-type"] = options.contentType ?? "application/json";
  const response = await request(`${emulator.url}${path}`, {
    method: method as "GET",
    headers,
    body,
    dispatcher: agentFor(emulator),
    ...(options.timeoutMs ? { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs } : {}),
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

export async function login(
  emulator: Emulator,
  username = "admin",
  password = emulator.adminPassword,
): Promise<string> {
  const reply = await call(emulator, "POST", "/v1/users/login", { basic: [username, password] });
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.text}`);
  return reply.json.users[0].token;
}
