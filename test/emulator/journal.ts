/**
 * Every request the emulator answered, with secrets masked, so tests and benchmarks can count and
 * inspect what a client sent.
 */

export interface JournalEntry {
  seq: number;
  method: string;
  path: string;
  status: number;
  /** The request body, parsed when it was JSON, with passwords, tokens and backup data masked. */
  body: unknown;
  /** Which TCP connection carried it (a keep-alive client reuses one). */
  socket: number;
  /** The API error code of a failed answer. */
  code?: number;
}

const SECRET_KEYS = new Set(["password", "new_password", "data", "bearer", "token", "pin"]);

export function maskSecrets(value: unknown, key?: string): unknown {
  if (key !== undefined && SECRET_KEYS.has(key) && value !== undefined && value !== null) return "[secret]";
  if (typeof value === "string" && key === "url") return value.replace(/\?.*$/, "?[secret]");
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  return value;
}

export class Journal {
  readonly entries: JournalEntry[] = [];
  private sockets = 0;

  record(entry: Omit<JournalEntry, "seq">): void {
    this.entries.push({ seq: this.entries.length + 1, ...entry });
  }

  nextSocketId(): number {
    this.sockets += 1;
    return this.sockets;
  }

  /** Requests matching a method and/or path (`"PATCH /v1/settings/application"` or either part). */
  filter(route?: string): JournalEntry[] {
    if (!route) return [...this.entries];
    const [method, path] = route.includes(" ")
      ? route.split(" ", 2)
      : /^[A-Z]+$/.test(route)
        ? [route]
        : [undefined, route];
    return this.entries.filter((e) => (!method || e.method === method) && (!path || e.path === path));
  }

  count(route?: string): number {
    return this.filter(route).length;
  }

  /** Distinct TCP connections that carried the journalled requests. */
  socketCount(): number {
    return new Set(this.entries.map((e) => e.socket)).size;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
