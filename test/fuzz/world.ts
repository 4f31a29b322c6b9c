/**
 * What an operator sequence runs against: three emulated clients on loopback (each with its own
 * registered number, admin password, a setting and a media provider no resource of the stack
 * owns), the secrets a program uses, the image files its photos upload, and the faults an
 * operator's network can throw at one step.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../emulator/index";

export const CLIENTS = [0, 1, 2] as const;
export type ClientIndex = (typeof CLIENTS)[number];

/** How a connection spells a client's address. `other` is the same server under another host name. */
export const SPELLINGS = ["plain", "cosmetic", "other"] as const;
export type Spelling = (typeof SPELLINGS)[number];

export interface ClientRef {
  client: ClientIndex;
  spelling: Spelling;
}

/** The program's secrets; every one is checked for in what the run leaves and prints (invariant 6). */
export const BACKUP_PASSWORD = "Fz-backup-Passw0rd!";
export const WEBHOOK_SECRETS = ["hk-s3cret-one", "hk-s3cret-two", "x9"] as const;
export const BEARERS = ["bearer-tok3n-alpha", "bearer-tok3n-beta", "b7"] as const;
/** Two-step verification PINs a program sets: secrets like the others. */
export const PINS = ["730519", "264801", "915372"] as const;
/** The images a program's photos upload: two PNGs and a JPEG, told apart by their bytes. */
export const PHOTOS = [
  { name: "logo.png", head: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], fill: 1 },
  { name: "logo-dark.png", head: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], fill: 2 },
  { name: "shop.jpg", head: [0xff, 0xd8, 0xff, 0xe0], fill: 3 },
] as const;
export const ABOUT_TEXTS = ["Open 9-17, Mon-Fri", "Closed for the holidays", "Ask us anything"] as const;
export const DESCRIPTIONS = ["Bikes and repairs", "Fresh bread daily", ""] as const;
/** A media provider each client has before the stack exists: the stack never owns it. */
export const FOREIGN_MEDIA = { name: "foreign", type: "www", config: { bearer: "foreign-tok3n-kept" } };
/** A setting no resource of a generated program manages, with the value each client starts with. */
export const UNOWNED_SETTING = "heartbeat_interval";
export const UNOWNED_VALUE = 17;

export const FAULTS = ["5xx", "429", "reset", "lost", "expired", "drip"] as const;
export type FaultKind = (typeof FAULTS)[number];

/**
 * The connection's `timeoutMs` in generated programs: long enough that a machine shared by other
 * work never times out a normal answer (a restore's unsure failure would follow), short enough
 * that the rare dripping answer costs a few seconds.
 */
export const TIMEOUT_MS = 3000;

/** An image's bytes: its type's first bytes, then filler. */
export function photoBytes(photo: (typeof PHOTOS)[number]): Buffer {
  return Buffer.concat([Buffer.from(photo.head), Buffer.alloc(56, photo.fill)]);
}

export class World {
  private constructor(
    readonly clients: Emulator[],
    readonly recordDir: string,
  ) {}

  static async start(): Promise<World> {
    const clients = await Promise.all(
      CLIENTS.map((index) =>
        startEmulator({
          waId: `1631555100${index}`,
          restartPhaseMs: 2,
          // A restore stops a registered client; here it comes back by itself, as some deployments do.
          autoRestartMs: 2,
          seed: index + 1,
        }),
      ),
    );
    for (const client of clients) client.setSetting(UNOWNED_SETTING, UNOWNED_VALUE);
    const world = new World(clients, mkdtempSync(join(tmpdir(), "fuzz-records-")));
    for (const photo of PHOTOS) writeFileSync(world.photoPath(PHOTOS.indexOf(photo)), photoBytes(photo));
    await Promise.all(clients.map((client) => world.seedForeignMedia(client)));
    for (const client of clients) client.journal.clear();
    return world;
  }

  /** Creates the foreign media provider through the API, as another tool or person would have. */
  private async seedForeignMedia(client: Emulator): Promise<void> {
    const login = await fetch(`${client.url}/v1/users/login`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`admin:${client.adminPassword}`).toString("base64")}` },
    });
    const token = ((await login.json()) as { users: Array<{ token: string }> }).users[0]?.token;
    const created = await fetch(`${client.url}/v1/settings/application/media/providers`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify([FOREIGN_MEDIA]),
    });
    if (!created.ok) throw new Error(`seeding the foreign media provider failed: ${created.status}`);
  }

  /** Where the image of a program's photo is (index into PHOTOS), beside the restore records. */
  photoPath(index: number): string {
    const photo = PHOTOS[index % PHOTOS.length] as (typeof PHOTOS)[number];
    return join(this.recordDir, photo.name);
  }

  /** The base URL a connection gives for a client in a spelling. */
  baseUrl(ref: ClientRef): string {
    const url = new URL(this.client(ref.client).url);
    if (ref.spelling === "cosmetic") return `HTTP://${url.host}/`;
    if (ref.spelling === "other") return `http://localhost:${url.port}`;
    return `http://${url.host}`;
  }

  client(index: ClientIndex): Emulator {
    const client = this.clients[index];
    if (!client) throw new Error(`no client ${index}`);
    return client;
  }

  /** Which client an address reaches (any spelling), or `undefined` for one that is none of them. */
  clientAt(baseUrl: string): ClientIndex | undefined {
    let port: string;
    try {
      port = new URL(baseUrl).port;
    } catch {
      return undefined;
    }
    const index = this.clients.findIndex((c) => new URL(c.url).port === port);
    return index < 0 ? undefined : (index as ClientIndex);
  }

  /** Every secret the world and its programs hold. */
  secrets(): string[] {
    return [
      BACKUP_PASSWORD,
      ...WEBHOOK_SECRETS,
      ...BEARERS,
      ...PINS,
      FOREIGN_MEDIA.config.bearer,
      ...this.clients.map((c) => c.adminPassword),
    ];
  }

  /** Arms one fault on a client for the next step; `clearFaults` disarms what it did not use. */
  inject(index: ClientIndex, kind: FaultKind): void {
    const client = this.client(index);
    const writes = /^(PATCH|POST|DELETE) \/v1\/settings/;
    if (kind === "5xx") client.faults.inject({ route: writes, status: 503, code: 1014, times: 1 });
    else if (kind === "429") client.faults.inject({ route: writes, status: 429, code: 1015, retryAfter: 0, times: 1 });
    else if (kind === "reset") client.faults.inject({ route: writes, reset: true, times: 1 });
    else if (kind === "drip")
      client.faults.inject({ route: /^GET \/v1\/settings/, dripMs: TIMEOUT_MS, dripForever: true, times: 1 });
    else if (kind === "expired") client.revokeTokens();
    // The client applies the write; its answer drips in slower than the connection's timeout.
    else client.faults.inject({ route: writes, dripMs: TIMEOUT_MS, dripForever: true, times: 1 });
  }

  clearFaults(): void {
    for (const client of this.clients) client.faults.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    rmSync(this.recordDir, { recursive: true, force: true });
  }
}
