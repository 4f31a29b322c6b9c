/**
 * A client that accepts connections and never answers (the issue's
 * `node -e 'require("net").createServer(()=>{}).listen(PORT)'`): every resource of the deployment
 * fails within the retry deadline, with one error naming the client and what was tried, and the
 * login is tried once per deployment, not once per resource.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { type RetryPolicy, Sessions, WhatsAppClient } from "../../provider/client";
import { getSettings, patchSettings } from "../../provider/settings/api";
import { rejection } from "../support/rejection";

const RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 2_000, deadlineMs: 3_000 };

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A TCP server that accepts every connection and never says a byte; counts the connections. */
async function silentServer(): Promise<{ url: string; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    sockets.push(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `https://127.0.0.1:${port}`, connections: () => count };
}

function resourceClient(url: string, sessions: Sessions): WhatsAppClient {
  // What clientFor gives each resource: its own client, the provider process's sessions.
  return new WhatsAppClient(
    { baseUrl: url, username: "admin", password: "Adm1n-Passw0rd!", timeoutMs: 300 },
    { sessions, retry: RETRY },
  );
}

describe("a client that accepts connections and never answers", () => {
  test("fails within the retry deadline with one error naming the client, the call and the attempts", async () => {
    const server = await silentServer();
    const sessions = new Sessions();
    const started = performance.now();
    const error = await rejection(getSettings(resourceClient(server.url, sessions)));
    const elapsed = performance.now() - started;
    expect(error.code).toBe("WHATSAPP_TIMEOUT");
    // The connect timeout and the attempt's own race when both are 300 ms; either is the truth.
    expect(error.message).toMatch(
      new RegExp(
        `^POST ${server.url}/v1/users/login: no (connection and TLS handshake within 300 ms|complete answer within 300 ms \\(timeoutMs\\)) ` +
          "\\(gave up after \\d attempts, each failing the same way\\)$",
      ),
    );
    const attempts = (error.attempts as string[]).length;
    expect(attempts).toBeGreaterThan(1);
    expect(server.connections()).toBe(attempts);
    // The last attempt may start just before the deadline and take its whole timeout.
    expect(elapsed).toBeLessThan(RETRY.deadlineMs + 1_000);
    await sessions.close();
  });

  test("resources starting at once and resources starting later share the one failed login", async () => {
    const server = await silentServer();
    const sessions = new Sessions();
    const started = performance.now();
    const atOnce = await Promise.all([1, 2, 3].map(() => rejection(getSettings(resourceClient(server.url, sessions)))));
    expect(new Set(atOnce.map((error) => error.message)).size).toBe(1);
    const later = await rejection(patchSettings(resourceClient(server.url, sessions), { log_level: "error" }));
    expect(later.code).toBe("WHATSAPP_TIMEOUT");
    expect(later.message).toBe(
      `not sent: logging in to ${server.url} already failed in this deployment (one try per client): ${atOnce[0]?.message}`,
    );
    // One login's attempts in all, and the whole deployment within one deadline.
    expect(server.connections()).toBe((atOnce[0]?.attempts as string[] | undefined)?.length);
    expect(performance.now() - started).toBeLessThan(RETRY.deadlineMs + 1_000);
    await sessions.close();
  });
});
