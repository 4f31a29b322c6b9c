/**
 * HTTP plumbing: body parsing the way the Webapp does it, access checks, the envelope, fault
 * injection and the journal. Everything the API means lives in `routes.ts`.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Auth } from "./auth";
import type { Coreapp } from "./coreapp";
import { ApiFailure, type Meta } from "./envelope";
import { echoed, type FaultRule, type Faults, stringifyValues } from "./faults";
import { type Journal, maskSecrets } from "./journal";
import { findRoute, type RouteContext } from "./routes";

export type MutationBody = "meta" | "null" | "empty";

export interface ServerState {
  auth: Auth;
  coreapp: Coreapp;
  faults: Faults;
  journal: Journal;
  meta: Meta;
  apiKey: string | null;
  multiconnect: boolean;
  mutationBody: MutationBody;
  /** Requests held open by a `hang` fault, answered with a reset on close. */
  hung: Set<ServerResponse>;
  control: (method: string, path: string) => unknown;
}

/** Above the 5 MB a profile photo may have, so that a larger one reaches the route and its error. */
const MAX_BODY = 8 << 20;
const socketIds = new WeakMap<Socket, number>();

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new ApiFailure(1009, "Request body too large"));
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** JSON is only read when the Content-Type says so; anything else counts as no body at all. */
function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0 || !contentType?.toLowerCase().startsWith("application/json")) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw new ApiFailure(1025, `Unable to decode the request: ${(error as Error).message}`);
  }
}

const STATUS_CODES: Record<number, number> = { 429: 1015, 500: 1014, 503: 1016 };

/** Writes `bytes` one at a time, `intervalMs` apart (then spaces for ever, if told), until closed. */
function drip(
  response: ServerResponse,
  bytes: Buffer,
  intervalMs: number,
  forever: boolean,
  held: Set<ServerResponse>,
): void {
  held.add(response);
  response.flushHeaders();
  let at = 0;
  const timer = setInterval(() => {
    if (response.destroyed || response.writableEnded) return stop();
    if (at < bytes.length) {
      response.write(bytes.subarray(at, at + 1));
      at += 1;
    } else if (forever) {
      response.write(" ");
    } else {
      stop();
      response.end();
    }
  }, intervalMs);
  const stop = () => {
    clearInterval(timer);
    held.delete(response);
  };
  response.on("close", stop);
}

export function createHandler(state: ServerState) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const socket = request.socket;
    if (!socketIds.has(socket)) socketIds.set(socket, state.journal.nextSocketId());
    const url = new URL(request.url ?? "/", "http://emulator");
    const method = request.method ?? "GET";
    const path = url.pathname;
    const requestId = (request.headers["x-request-id"] as string | undefined) ?? randomUUID();
    let body: unknown;
    let status = 200;
    let code: number | undefined;
    let fault: FaultRule | undefined;

    const write = (statusCode: number, headers: Record<string, string>, text: string) => {
      if (fault?.dripMs === undefined) {
        response.writeHead(statusCode, { ...headers, "content-length": String(Buffer.byteLength(text)) });
        response.end(text);
      } else {
        response.writeHead(statusCode, headers);
        drip(response, Buffer.from(text), fault.dripMs, fault.dripForever ?? false, state.hung);
      }
    };
    const send = (statusCode: number, payload: unknown, headers: Record<string, string> = {}) => {
      status = statusCode;
      const text = payload === undefined ? "" : JSON.stringify(payload);
      write(statusCode, { "content-type": "application/json", "x-request-id": requestId, ...headers }, text);
    };
    const record = () =>
      state.journal.record({
        method,
        path,
        status,
        body: maskSecrets(body),
        socket: socketIds.get(socket) ?? 0,
        ...(code === undefined ? {} : { code }),
      });

    let raw: Buffer = Buffer.alloc(0);
    try {
      raw = await readBody(request);
      body = parseBody(raw, request.headers["content-type"]);
      const delay = state.faults.delayMs();
      fault = state.faults.match(method, path);
      const wait = delay + (fault?.delayMs ?? 0);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (fault?.reset) {
        status = 0;
        record();
        socket.destroy();
        return;
      }
      if (fault?.hang) {
        status = 0;
        record();
        state.hung.add(response);
        return;
      }
      if (fault?.body !== undefined) {
        status = fault.status ?? 200;
        write(
          status,
          { "content-type": fault.contentType ?? "application/json", "x-request-id": requestId },
          fault.body,
        );
        record();
        return;
      }
      if (fault?.echo !== undefined) {
        const seen = `${request.headers.authorization ?? ""} ${raw.toString("utf8")}`;
        throw new ApiFailure(fault.code ?? 1009, echoed(fault.echo, seen), {
          ...(fault.status === undefined ? {} : { status: fault.status }),
        });
      }
      if (fault?.status !== undefined || fault?.code !== undefined) {
        const faultCode = fault.code ?? STATUS_CODES[fault.status ?? 500];
        const headers: Record<string, string> =
          fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) };
        if (faultCode === undefined) {
          // What a proxy in front of the Webapp answers: not the API's envelope at all.
          status = fault.status ?? 502;
          const html = `<html><body><h1>${status} Bad Gateway</h1></body></html>`;
          response.writeHead(status, { "content-type": "text/html", "x-request-id": requestId, ...headers });
          response.end(html);
          record();
          return;
        }
        throw new ApiFailure(faultCode, fault.details ?? "Injected fault", {
          ...(fault.status === undefined ? {} : { status: fault.status }),
          headers,
        });
      }

      if (path.startsWith("/_emulator/")) {
        send(200, state.control(method, path));
      } else if (method === "GET" && path === "/") {
        // The Webapp serves its admin page here; deployments probe it for readiness.
        response.writeHead(200, { "content-type": "text/html", "x-request-id": requestId });
        response.end("<html><body>WhatsApp Business API</body></html>");
      } else {
        const found = findRoute(method, path);
        if (!found) throw new ApiFailure(1006, "URL path not found");
        const context: RouteContext = {
          method,
          path,
          params: found.params,
          headers: request.headers,
          body,
          raw,
          session: undefined,
          auth: state.auth,
          coreapp: state.coreapp,
          apiKey: state.apiKey,
          multiconnect: state.multiconnect,
        };
        authorize(found.route.access, context, request.headers.authorization);
        const result = found.route.handle(context);
        if ("binary" in result) {
          status = 200;
          response.writeHead(200, {
            "content-type": result.contentType,
            "content-length": String(result.binary.length),
            "x-request-id": requestId,
          });
          response.end(result.binary);
        } else if ("payload" in result) {
          const payload = fault?.stringValues ? stringifyValues(result.payload) : result.payload;
          send(200, { ...(payload as object), meta: state.meta });
        } else if (state.mutationBody === "null") {
          send(200, null);
        } else {
          send(200, state.mutationBody === "empty" ? {} : { meta: state.meta });
        }
      }
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : new ApiFailure(1014, "Unexpected emulator failure");
      if (!(error instanceof ApiFailure)) console.error(error);
      code = failure.code;
      send(failure.status, failure.body(state.meta), failure.headers);
    }
    record();
  };
}

function authorize(access: string, context: RouteContext, header: string | undefined): void {
  if (access === "public") return;
  if (access === "health" && context.apiKey !== null) {
    const key = /^Apikey (.+)$/i.exec(header ?? "")?.[1];
    if (key !== undefined) {
      if (key === context.apiKey) return;
      throw new ApiFailure(1005, "Invalid API key", { status: 401 });
    }
  }
  context.session = context.auth.authenticate(header);
  if (access === "admin") context.auth.requireAdmin(context.session);
}
