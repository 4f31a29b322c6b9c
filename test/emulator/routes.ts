/**
 * The API surface: one entry per method and path, with the role it needs and what it answers.
 * A handler returns the payload to put beside `meta`, or `undefined` for a mutation's bare answer.
 */
import { BUSINESS_VERTICALS } from "../../provider/profile/business/schema";
import type { ResourceType } from "../../provider/resources";
import type { Auth, Session } from "./auth";
import { openBackup, sealBackup } from "./backup-crypto";
import type { BusinessProfile, Coreapp, MediaProvider } from "./coreapp";
import { ApiFailure } from "./envelope";
import { atLeast } from "./version";

export interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** The request body as it came (a photo's bytes). */
  raw: Buffer;
  session: (Session & { token: string }) | undefined;
  auth: Auth;
  coreapp: Coreapp;
  apiKey: string | null;
  multiconnect: boolean;
}

type Access = "public" | "user" | "admin" | "health";
export type Result = { payload: unknown } | { mutation: true } | { binary: Buffer; contentType: string };

export interface Route {
  method: string;
  pattern: RegExp;
  access: Access;
  handle(context: RouteContext): Result;
}

const done: Result = { mutation: true };

function object(body: unknown): Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function requiredString(body: unknown, name: string): string {
  const value = object(body)[name];
  if (value === undefined || value === null || value === "") {
    throw new ApiFailure(1008, `Missing mandatory parameter '${name}'`);
  }
  if (typeof value !== "string") throw new ApiFailure(1009, `Parameter '${name}' must be a string`);
  return value;
}

/** A profile text of at most `limit` characters, or the failure the Webapp answers. */
function profileText(value: unknown, name: string, limit: number): string {
  if (typeof value !== "string") throw new ApiFailure(1009, `Parameter '${name}' must be a string`);
  if ([...value].length > limit) throw new ApiFailure(1009, `Parameter '${name}' must be at most ${limit} characters`);
  return value;
}

/**
 * The profile after a POST: since v2.23 the properties sent replace theirs; before, the body is the
 * whole profile and a property it leaves out is cleared. Either way the industry, once set, stays.
 */
function postedProfile(held: BusinessProfile, body: unknown, partial: boolean): BusinessProfile {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiFailure(1009, "Expected a business profile object");
  }
  const sent = body as Record<string, unknown>;
  const next: BusinessProfile = partial
    ? { ...held, websites: [...held.websites] }
    : { address: "", description: "", email: "", vertical: held.vertical, websites: [] };
  if (sent.address !== undefined) next.address = profileText(sent.address, "address", 256);
  if (sent.description !== undefined) next.description = profileText(sent.description, "description", 256);
  if (sent.email !== undefined) {
    const email = profileText(sent.email, "email", 128);
    if (email !== "" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new ApiFailure(1009, "Parameter 'email' must be a valid email address");
    }
    next.email = email;
  }
  if (sent.vertical !== undefined) {
    if (sent.vertical === "" && held.vertical !== "") {
      throw new ApiFailure(1009, "Parameter 'vertical' cannot be set back to an empty value");
    }
    if (sent.vertical !== "" && !(BUSINESS_VERTICALS as readonly unknown[]).includes(sent.vertical)) {
      throw new ApiFailure(1009, `Parameter 'vertical' has invalid value '${String(sent.vertical)}'`);
    }
    next.vertical = sent.vertical as string;
  }
  if (sent.websites !== undefined) {
    const websites = sent.websites;
    if (!Array.isArray(websites) || websites.length > 2) {
      throw new ApiFailure(1009, "Parameter 'websites' must be a list of at most 2 URLs");
    }
    next.websites = websites.map((site) => {
      const url = profileText(site, "websites", 256);
      if (!/^https?:\/\//i.test(url)) throw new ApiFailure(1009, "Parameter 'websites' must hold http(s) URLs");
      return url;
    });
  }
  return next;
}

function route(method: string, path: string, access: Access, handle: Route["handle"]): Route {
  const pattern = new RegExp(`^${path.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}/?$`);
  return { method, pattern, access, handle };
}

/** Calls about the session and the client itself, whatever resources manage it. */
const CLIENT_ROUTES: readonly Route[] = [
  route("POST", "/v1/users/login", "public", ({ auth, headers, body }) => ({
    payload: { users: [auth.login(headers.authorization as string | undefined, body)] },
  })),

  route("POST", "/v1/users/logout", "user", ({ auth, session }) => {
    auth.logout((session as { token: string }).token);
    return done;
  }),

  route("GET", "/v1/health", "health", ({ coreapp, multiconnect }) => {
    if (coreapp.gatewayStatus() === "disconnected") coreapp.requireRunning();
    const status = coreapp.gatewayStatus();
    if (!multiconnect) return { payload: { health: { gateway_status: status } } };
    return {
      payload: {
        health: {
          "wa-master-0:6c1f0a": { gateway_status: status, role: "primary_master" },
          "wa-coreapp-0:9e2b71": { gateway_status: status, role: "coreapp" },
        },
      },
    };
  }),
];

/** Each registered resource's calls, under its type, so a resource without routes does not compile. */
export const RESOURCE_ROUTES: Readonly<Record<ResourceType, readonly Route[]>> = {
  ApplicationSettings: [
    route("GET", "/v1/settings/application", "admin", ({ coreapp }) => {
      coreapp.requireRunning();
      return { payload: { settings: { application: coreapp.settings.toWire(coreapp.waId ?? "") } } };
    }),

    route("PATCH", "/v1/settings/application", "admin", ({ coreapp, body }) => {
      coreapp.requireRunning();
      coreapp.settings.patch(body);
      coreapp.settings.applyNonRestartFields();
      return done;
    }),

    route("DELETE", "/v1/settings/application", "admin", ({ coreapp }) => {
      coreapp.requireRunning();
      coreapp.settings.reset();
      coreapp.settings.applyNonRestartFields();
      return done;
    }),
  ],

  MediaProvider: [
    route("GET", "/v1/settings/application/media/providers", "admin", ({ coreapp }) => {
      coreapp.requireRunning();
      return { payload: { settings: { application: { media: { providers: [...coreapp.mediaProviders.values()] } } } } };
    }),

    route("POST", "/v1/settings/application/media/providers", "admin", ({ coreapp, body }) => {
      coreapp.requireRunning();
      if (!Array.isArray(body) || body.length === 0)
        throw new ApiFailure(1009, "Expected a list with one media provider");
      if (body.length > 1) throw new ApiFailure(1009, "Can only add 1 config at a time");
      const provider = object(body[0]);
      for (const name of ["name", "type", "config"]) {
        if (provider[name] === undefined) throw new ApiFailure(1008, `Missing mandatory parameter '${name}'`);
      }
      if (provider.type !== "www")
        throw new ApiFailure(1009, `Parameter 'type' has invalid value '${String(provider.type)}'`);
      const config = object(provider.config);
      const basic = object(config.basic);
      const validConfig =
        typeof config.bearer === "string" || (typeof basic.username === "string" && typeof basic.password === "string");
      if (!validConfig)
        throw new ApiFailure(1009, "Parameter 'config' must hold 'bearer' or 'basic' {username, password}");
      coreapp.mediaProviders.set(String(provider.name), provider as unknown as MediaProvider);
      return done;
    }),

    route("DELETE", "/v1/settings/application/media/providers/{name}", "admin", ({ coreapp, params }) => {
      coreapp.requireRunning();
      const name = decodeURIComponent(params.name ?? "");
      if (!coreapp.mediaProviders.delete(name)) throw new ApiFailure(1006, `Media provider '${name}' not found`);
      return done;
    }),
  ],

  SettingsBackup: [
    route("POST", "/v1/settings/backup", "admin", ({ coreapp, body }) => {
      const password = requiredString(body, "password");
      coreapp.requireRunning();
      if (!coreapp.registered) {
        throw new ApiFailure(1009, "Backup is only possible once the client is registered and running");
      }
      return { payload: { settings: { data: sealBackup(coreapp.backupPayload(), password) } } };
    }),
  ],

  ProfileAbout: [
    route("GET", "/v1/settings/profile/about", "admin", ({ coreapp }) => {
      coreapp.requireRunning();
      return { payload: { settings: { profile: { about: { text: coreapp.about } } } } };
    }),

    route("PATCH", "/v1/settings/profile/about", "admin", ({ coreapp, body }) => {
      const text = requiredString(body, "text");
      if ([...text].length > 139) throw new ApiFailure(1009, "Parameter 'text' must be at most 139 characters");
      coreapp.requireRunning();
      coreapp.about = text;
      return done;
    }),
  ],

  BusinessProfile: [
    route("GET", "/v1/settings/business/profile", "admin", ({ coreapp }) => {
      coreapp.requireRunning();
      const profile = coreapp.businessProfile;
      return { payload: { settings: { business: { profile: { ...profile, websites: [...profile.websites] } } } } };
    }),

    route("POST", "/v1/settings/business/profile", "admin", ({ coreapp, body }) => {
      const next = postedProfile(coreapp.businessProfile, body, atLeast(coreapp.version, "2.23"));
      coreapp.requireRunning();
      coreapp.businessProfile = next;
      return done;
    }),
  ],

  TwoStepVerification: [
    route("POST", "/v1/settings/account/two-step", "admin", ({ coreapp, body }) => {
      const pin = requiredString(body, "pin");
      if (!/^\d{6}$/.test(pin)) throw new ApiFailure(1009, "Parameter 'pin' must be 6 digits");
      coreapp.requireRunning();
      coreapp.twoStepPin = pin;
      return done;
    }),

    // The public pages do not say what disabling it when it is off answers: assumed 200, as a no-op.
    route("DELETE", "/v1/settings/account/two-step", "admin", ({ coreapp }) => {
      coreapp.requireRunning();
      coreapp.twoStepPin = null;
      return done;
    }),
  ],

  ProfilePhoto: [
    route("GET", "/v1/settings/profile/photo", "admin", ({ coreapp }) => {
      coreapp.requireRunning();
      // What a client without a photo answers is not documented: assumed 404, like any missing resource.
      if (coreapp.photo === null) throw new ApiFailure(1006, "No profile photo is set");
      return { binary: coreapp.photo.bytes, contentType: coreapp.photo.contentType };
    }),

    // Kept as sent: a real client scales the photo to 640 px square, so its bytes differ from the file's.
    route("POST", "/v1/settings/profile/photo", "admin", ({ coreapp, headers, raw }) => {
      const contentType =
        String(headers["content-type"] ?? "")
          .split(";")[0]
          ?.trim() ?? "";
      if (contentType !== "image/jpeg" && contentType !== "image/png") {
        throw new ApiFailure(1009, "The photo must be sent as image/jpeg or image/png");
      }
      if (raw.length === 0) throw new ApiFailure(1008, "Missing the photo");
      if (raw.length > 5 * 1024 * 1024) throw new ApiFailure(1009, "The photo must be at most 5 MB");
      coreapp.requireRunning();
      coreapp.photo = { bytes: Buffer.from(raw), contentType };
      return done;
    }),

    route("DELETE", "/v1/settings/profile/photo", "admin", ({ coreapp }) => {
      coreapp.requireRunning();
      coreapp.photo = null;
      return done;
    }),
  ],

  SettingsRestore: [
    route("POST", "/v1/settings/restore", "admin", ({ coreapp, body }) => {
      const password = requiredString(body, "password");
      const data = requiredString(body, "data");
      coreapp.requireRunning();
      const payload = openBackup(data, password);
      if (payload === undefined) {
        throw new ApiFailure(1009, "Unable to restore: the password is wrong or the backup data is corrupted");
      }
      coreapp.restore(payload);
      return done;
    }),
  ],
};

export const ROUTES: readonly Route[] = [...CLIENT_ROUTES, ...Object.values(RESOURCE_ROUTES).flat()];

export function findRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match) return { route: candidate, params: { ...match.groups } };
  }
  return undefined;
}
