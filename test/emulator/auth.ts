/**
 * Users, passwords and bearer tokens as the Webapp keeps them: Basic-auth login that hands out
 * JWT-shaped tokens also stored server-side (so logout revokes them), the factory password that
 * must be changed on first login, the password policy and the failed-login rate limit.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "./clock";
import { ApiFailure } from "./envelope";

export type Role = "ROLE_ADMIN" | "ROLE_USER";

interface User {
  password: string;
  role: Role;
  mustChangePassword: boolean;
}

export interface Session {
  username: string;
  role: Role;
}

export const FACTORY_PASSWORD = "secret";
const SPECIALS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
const POLICY =
  "Password must be 8-64 characters long and contain at least one digit, one upper-case letter, one lower-case letter and one special character";

export function isStrongPassword(password: string): boolean {
  return (
    password.length >= 8 &&
    password.length <= 64 &&
    /\d/.test(password) &&
    /[A-Z]/.test(password) &&
    /[a-z]/.test(password) &&
    [...password].some((c) => SPECIALS.includes(c))
  );
}

/** `Y-m-d H:i:sP` in UTC, the form the client uses for `expires_after`. */
export function formatExpiry(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}+00:00`;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface AuthOptions {
  clock: Clock;
  adminPassword: string | null;
  users: ReadonlyArray<{ username: string; password: string; role?: Role }>;
  tokenLifetimeSeconds: number;
  failedLoginLimit: number;
}

export class Auth {
  private readonly users = new Map<string, User>();
  private readonly tokens = new Map<string, { username: string; expiresAt: number }>();
  private failedLogins: number[] = [];
  private readonly secret = randomBytes(32);
  private readonly options: AuthOptions;

  constructor(options: AuthOptions) {
    this.options = options;
    this.users.set("admin", {
      password: options.adminPassword ?? FACTORY_PASSWORD,
      role: "ROLE_ADMIN",
      mustChangePassword: options.adminPassword === null,
    });
    for (const user of options.users) {
      this.users.set(user.username, {
        password: user.password,
        role: user.role ?? "ROLE_USER",
        mustChangePassword: false,
      });
    }
  }

  login(authorization: string | undefined, body: unknown): { token: string; expires_after: string } {
    const now = this.options.clock.now();
    this.failedLogins = this.failedLogins.filter((t) => now - t < 3_600_000);
    if (this.failedLogins.length >= this.options.failedLoginLimit) {
      throw new ApiFailure(1015, "Rate limiting exceeded on bad login attempts");
    }
    const credentials = parseBasic(authorization);
    const user = credentials && this.users.get(credentials.username);
    if (!credentials || !user || !safeEqual(user.password, credentials.password)) {
      this.failedLogins.push(now);
      throw new ApiFailure(1005, "Invalid credentials", { status: 401 });
    }
    const newPassword =
      typeof body === "object" && body !== null ? (body as Record<string, unknown>).new_password : undefined;
    if (newPassword !== undefined) {
      if (typeof newPassword !== "string" || !isStrongPassword(newPassword)) throw new ApiFailure(1009, POLICY);
      user.password = newPassword;
      user.mustChangePassword = false;
    } else if (user.mustChangePassword) {
      throw new ApiFailure(1024, "Password must be changed");
    }
    const expiresAt = now + this.options.tokenLifetimeSeconds * 1000;
    const token = this.sign(credentials.username, now, expiresAt);
    this.tokens.set(token, { username: credentials.username, expiresAt });
    return { token, expires_after: formatExpiry(expiresAt) };
  }

  /** The session behind a bearer token; 401 / 1005 when missing, unknown, revoked or expired. */
  authenticate(authorization: string | undefined): Session & { token: string } {
    const token = /^Bearer (.+)$/i.exec(authorization ?? "")?.[1];
    const entry = token ? this.tokens.get(token) : undefined;
    const user = entry ? this.users.get(entry.username) : undefined;
    if (!token || !entry || !user || entry.expiresAt <= this.options.clock.now()) {
      throw new ApiFailure(1005, "Missing or invalid authentication credentials", { status: 401 });
    }
    return { username: entry.username, role: user.role, token };
  }

  requireAdmin(session: Session): void {
    if (session.role !== "ROLE_ADMIN") throw new ApiFailure(1005, "User doesn't have permission");
  }

  logout(token: string): void {
    this.tokens.delete(token);
  }

  revokeAll(): void {
    this.tokens.clear();
  }

  adminPassword(): string {
    return (this.users.get("admin") as User).password;
  }

  private sign(username: string, issuedAt: number, expiresAt: number): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const body = `${part({ alg: "HS256", typ: "JWT" })}.${part({
      user: username,
      iat: Math.floor(issuedAt / 1000),
      exp: Math.floor(expiresAt / 1000),
      "wa:rand": randomBytes(8).toString("hex"),
    })}`;
    return `${body}.${createHmac("sha256", this.secret).update(body).digest("base64url")}`;
  }
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const encoded = /^Basic (.+)$/i.exec(header ?? "")?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
