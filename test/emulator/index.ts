/**
 * A stand-in for one WhatsApp Business API On-Premises client (Webapp + Coreapp) on loopback,
 * built from the documented API facts: auth, envelope and errors, application settings with
 * version gates and restart semantics, backup/restore, health, media providers, faults.
 */
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { Auth, type Role } from "./auth";
import { Clock } from "./clock";
import { Coreapp } from "./coreapp";
import type { Meta } from "./envelope";
import { Faults } from "./faults";
import { Journal } from "./journal";
import { createHandler, type MutationBody } from "./server";
import { tlsMaterial } from "./tls";
import { parseVersion } from "./version";

export { FACTORY_PASSWORD } from "./auth";
export type { EchoForm, FaultRule } from "./faults";
export type { JournalEntry } from "./journal";

export interface EmulatorOptions {
  port?: number;
  host?: string;
  https?: boolean;
  /** The client version to emulate; fields newer than it are unknown to it. */
  clientVersion?: string;
  /** How `meta.version` spells the version: `v2.53.2` (default) or bare `2.53.2`. */
  versionPrefix?: "v" | "";
  /** The admin password; `null` keeps the factory password, which the first login must change. */
  adminPassword?: string | null;
  /** Extra users, `ROLE_USER` unless told. */
  users?: Array<{ username: string; password: string; role?: Role }>;
  /**
   * The registered number; `null` starts the client unregistered. By default each emulator a
   * process starts has a number of its own, as real clients do: 16315551019 for the first, the
   * next number for each later one.
   */
  waId?: string | null;
  tokenLifetimeSeconds?: number;
  failedLoginLimit?: number;
  /** Answer of successful PATCH/DELETE/POST calls: meta-only (default), `null` or `{}`. */
  mutationBody?: MutationBody;
  /** `WA_API_KEY` for `Authorization: Apikey` on `/v1/health`. */
  apiKey?: string | null;
  multiconnect?: boolean;
  /** How long each restart phase (uninitialized, connecting) lasts. */
  restartPhaseMs?: number;
  /** Restart by itself this long after a restore stopped the app (as some deployments do). */
  autoRestartMs?: number | null;
  /** Wire paths a PATCH answers 200 for but does not keep, like a build that ignores a field. */
  dropFields?: string[];
  /** Seed for jittered latency and fractional faults. */
  seed?: number;
  /**
   * How far the client's clock is from the machine's, in milliseconds; `-8 * 86_400_000` makes a
   * fresh token's `expires_after` (7 days) lie a day in the past by the caller's clock.
   */
  clockOffsetMs?: number;
}

export interface Emulator {
  url: string;
  /** PEM of the CA that signed the server certificate (HTTPS only). */
  caCert: string | undefined;
  adminUsername: "admin";
  /** The admin password currently in force (it changes when a login sets `new_password`). */
  readonly adminPassword: string;
  version: string;
  journal: Journal;
  faults: Faults;
  clock: Clock;
  /** Restarts the Coreapp; resolves once it is connected again. */
  restart(): Promise<void>;
  /** Wire paths of restart-required settings changed since the last restart. */
  pendingRestart(): string[];
  /** How many times the Coreapp restarted. */
  readonly restarts: number;
  gatewayStatus(): string;
  readonly registered: boolean;
  /** The registered number `GET /v1/settings/application` answers as `wa_id`, `null` when unregistered. */
  readonly waId: string | null;
  /** Whether two-step verification is on: the API has no GET of it, so tests read it here. */
  readonly twoStepEnabled: boolean;
  /** The PIN two-step verification holds, `null` while it is off (invariants compare it with the program's). */
  readonly twoStepPin: string | null;
  /** The profile photo's bytes as the client holds them, `null` while it has none. */
  readonly photo: Buffer | null;
  /** The profile's "About" text. */
  readonly about: string;
  /** The business profile's description. */
  readonly businessDescription: string;
  /** Reads or writes one stored setting by wire path, bypassing the API (drift, assertions). */
  getSetting(path: string): unknown;
  setSetting(path: string, value: unknown): void;
  /** Revokes every token, as a user deletion or a Webapp DB reset would. */
  revokeTokens(): void;
  close(): Promise<void>;
}

/** How many emulators took a default registered number in this process. */
let started = 0;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = new Clock();
  if (options.clockOffsetMs) clock.advance(options.clockOffsetMs);
  const versionText = options.clientVersion ?? "2.53.2";
  const version = parseVersion(versionText);
  const meta: Meta = { api_status: "stable", version: `${options.versionPrefix ?? "v"}${version.join(".")}` };
  const adminPassword =
    options.adminPassword === undefined ? `Em-${randomBytes(9).toString("base64url")}1a` : options.adminPassword;
  const auth = new Auth({
    clock,
    adminPassword,
    users: options.users ?? [],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 604_800,
    failedLoginLimit: options.failedLoginLimit ?? 30,
  });
  const coreapp = new Coreapp({
    version,
    waId: options.waId === undefined ? String(16315551019 + started++) : options.waId,
    restartPhaseMs: options.restartPhaseMs ?? 20,
    autoRestartMs: options.autoRestartMs ?? null,
    dropFields: options.dropFields ?? [],
  });
  const faults = new Faults(options.seed ?? 1);
  const journal = new Journal();
  const hung = new Set<ServerResponse>();

  const control = (method: string, path: string): unknown => {
    if (method === "POST" && path === "/_emulator/restart") {
      void coreapp.restart();
      return { restarting: true };
    }
    return {
      gateway_status: coreapp.gatewayStatus(),
      pending_restart: coreapp.settings.pendingRestart(),
      restarts: coreapp.restarts,
      registered: coreapp.registered,
    };
  };

  const handler = createHandler({
    auth,
    coreapp,
    faults,
    journal,
    meta,
    apiKey: options.apiKey ?? null,
    multiconnect: options.multiconnect ?? false,
    mutationBody: options.mutationBody ?? "meta",
    hung,
    control,
  });
  const tls = options.https ? tlsMaterial() : undefined;
  const server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => void handler(req, res))
    : createHttpServer((req, res) => void handler(req, res));
  const sockets = new Set<Socket>();
  server.on(tls ? "secureConnection" : "connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `${tls ? "https" : "http"}://${urlHost}:${port}`,
    caCert: tls?.caCert,
    adminUsername: "admin",
    get adminPassword() {
      return auth.adminPassword();
    },
    version: meta.version,
    journal,
    faults,
    clock,
    restart: () => coreapp.restart(),
    pendingRestart: () => coreapp.settings.pendingRestart(),
    get restarts() {
      return coreapp.restarts;
    },
    gatewayStatus: () => coreapp.gatewayStatus(),
    get registered() {
      return coreapp.registered;
    },
    get waId() {
      return coreapp.waId;
    },
    get twoStepEnabled() {
      return coreapp.twoStepPin !== null;
    },
    get twoStepPin() {
      return coreapp.twoStepPin;
    },
    get photo() {
      return coreapp.photo?.bytes ?? null;
    },
    get about() {
      return coreapp.about;
    },
    get businessDescription() {
      return coreapp.businessProfile.description;
    },
    getSetting: (path) => coreapp.settings.get(path),
    setSetting: (path, value) => coreapp.settings.set(path, value),
    revokeTokens: () => auth.revokeAll(),
    close: async () => {
      coreapp.close();
      for (const response of hung) response.destroy();
      hung.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
