/**
 * The program an operator edits, as data: its resources, their connections and the stack's, and
 * the actions that edit it or run the engine. An action names resources by position (modulo the
 * program's size), so any sequence of actions is valid and shrinks to another valid one.
 */
import {
  ABOUT_TEXTS,
  BEARERS,
  type ClientRef,
  DESCRIPTIONS,
  type FaultKind,
  PHOTOS,
  PINS,
  WEBHOOK_SECRETS,
} from "./world";

/** The kinds of `/v1/settings/application` and its backups; then those of the profile and account. */
export const SETTINGS_KINDS = ["ApplicationSettings", "SettingsBackup", "SettingsRestore", "MediaProvider"] as const;
export const PROFILE_KINDS = ["TwoStepVerification", "ProfilePhoto", "ProfileAbout", "BusinessProfile"] as const;
export const KINDS = [...SETTINGS_KINDS, ...PROFILE_KINDS] as const;
export type Kind = (typeof KINDS)[number];

export const LOG_LEVELS = ["info", "warning", "error"] as const;
export const MEDIA_NAMES = ["cdn", "images", "foreign"] as const;

export interface Resource {
  kind: Kind;
  name: string;
  /** Earlier names given as aliases. */
  aliases: string[];
  /** Its own connection; absent: stack config. */
  connection?: ClientRef;
  logLevel?: (typeof LOG_LEVELS)[number];
  sentStatus?: boolean;
  /** Index into WEBHOOK_SECRETS: the webhook URL carries that secret in its query. */
  webhook?: number;
  triggers?: number;
  /** A restore's source: the backup's name. */
  source?: string;
  mediaName?: (typeof MEDIA_NAMES)[number];
  /** Index into BEARERS. */
  bearer?: number;
  /** Index into PINS. */
  pin?: number;
  /** Index into PHOTOS. */
  photo?: number;
  /** Index into ABOUT_TEXTS. */
  about?: number;
  /** Index into DESCRIPTIONS: a business profile's description. */
  description?: number;
  /** A restore intent's number (invariant 2): new on add, a new `triggers` and a move to another client. */
  intent?: number;
}

export interface Program {
  stack: ClientRef;
  resources: Resource[];
  /** Names used so far, so a new resource never takes an old one's name by accident. */
  named: number;
  intents: number;
}

export type Edit =
  | { op: "add"; kind: Kind; connection?: ClientRef; pick: number; media?: (typeof MEDIA_NAMES)[number] }
  | { op: "remove"; at: number }
  | { op: "rename"; at: number; alias: boolean }
  | { op: "set"; at: number; field: SetField; value: number }
  | { op: "connect"; at: number; connection?: ClientRef }
  | { op: "stack"; connection: ClientRef }
  | { op: "triggers"; at: number }
  | { op: "repoint"; at: number; pick: number };

/** What a `set` edit changes; a field the resource's kind has not leaves the program as it is. */
export const SET_FIELDS = [
  "logLevel",
  "sentStatus",
  "webhook",
  "bearer",
  "pin",
  "photo",
  "about",
  "description",
] as const;
export type SetField = (typeof SET_FIELDS)[number];

/** The prefix of a new resource's name, per kind. */
const PREFIXES: Record<Kind, string> = {
  ApplicationSettings: "settings",
  SettingsBackup: "backup",
  SettingsRestore: "restore",
  MediaProvider: "media",
  TwoStepVerification: "twostep",
  ProfilePhoto: "photo",
  ProfileAbout: "about",
  BusinessProfile: "business",
};

export type Command = "preview" | "up" | "refresh" | "destroy";

/**
 * `up --replace` and `up --target` of the resource at a position, and a deployment (`up` or
 * `destroy`) killed right after the checkpoint write of its `after`-th provider-operation boundary
 * (0-based; a run with fewer boundaries is not killed).
 */
export type EngineAction =
  | { op: "up"; replace: number }
  | { op: "up"; target: number }
  | { op: "kill"; command: "up" | "destroy"; after: number };

export type Action =
  | Edit
  | { op: Command }
  | EngineAction
  | { op: "drift"; client: number; field: "logLevel" | "sentStatus" | "media"; value: number }
  | { op: "fault"; client: number; fault: FaultKind };

export function emptyProgram(stack: ClientRef): Program {
  return { stack, resources: [], named: 0, intents: 0 };
}

function at<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

/** One of a constant, non-empty list. */
function one<T>(items: readonly [T, ...T[]], index: number): T {
  return items[index % items.length] as T;
}

/** The client a resource reaches (its own connection, else the stack's). */
export function targetOf(program: Program, resource: Resource): ClientRef {
  return resource.connection ?? program.stack;
}

/** Applies an edit to a copy of the program; an edit that names nothing leaves it as it is. */
export function edit(program: Program, change: Edit): Program {
  const next: Program = { ...program, resources: program.resources.map((r) => ({ ...r, aliases: [...r.aliases] })) };
  const newIntent = () => {
    next.intents += 1;
    return next.intents;
  };
  const resource = "at" in change ? at(next.resources, change.at) : undefined;
  switch (change.op) {
    case "add": {
      next.named += 1;
      const name = `${PREFIXES[change.kind]}${next.named}`;
      const added: Resource = {
        kind: change.kind,
        name,
        aliases: [],
        ...(change.connection ? { connection: change.connection } : {}),
      };
      if (change.kind === "ApplicationSettings") added.logLevel = one(LOG_LEVELS, change.pick);
      if (change.kind === "MediaProvider") {
        added.mediaName = change.media ?? one(MEDIA_NAMES, change.pick);
        added.bearer = change.pick % BEARERS.length;
      }
      if (change.kind === "TwoStepVerification") added.pin = change.pick % PINS.length;
      if (change.kind === "ProfilePhoto") added.photo = change.pick % PHOTOS.length;
      if (change.kind === "ProfileAbout") added.about = change.pick % ABOUT_TEXTS.length;
      if (change.kind === "BusinessProfile") added.description = change.pick % DESCRIPTIONS.length;
      if (change.kind === "SettingsRestore") {
        const source = at(
          next.resources.filter((r) => r.kind === "SettingsBackup"),
          change.pick,
        );
        // A restore needs a backup to restore from.
        if (!source) return program;
        added.source = source.name;
        added.intent = newIntent();
      }
      next.resources.push(added);
      return next;
    }
    case "remove":
      if (!resource) return program;
      next.resources = next.resources.filter((r) => r !== resource);
      // A restore whose backup is gone goes with it: the program cannot declare it.
      next.resources = next.resources.filter(
        (r) => r.kind !== "SettingsRestore" || next.resources.some((b) => b.name === r.source),
      );
      return next;
    case "rename": {
      if (!resource) return program;
      const renamed = `${resource.name}r`;
      if (change.alias) resource.aliases.push(resource.name);
      for (const r of next.resources) if (r.source === resource.name) r.source = renamed;
      resource.name = renamed;
      return next;
    }
    case "set":
      if (!resource) return program;
      if (resource.kind === "ApplicationSettings") {
        if (change.field === "logLevel") resource.logLevel = one(LOG_LEVELS, change.value);
        else if (change.field === "sentStatus") resource.sentStatus = change.value % 2 === 0;
        else if (change.field === "webhook") resource.webhook = change.value % WEBHOOK_SECRETS.length;
        else return program;
        return next;
      }
      if (resource.kind === "MediaProvider" && change.field === "bearer") {
        resource.bearer = change.value % BEARERS.length;
        return next;
      }
      if (resource.kind === "TwoStepVerification" && change.field === "pin") {
        resource.pin = change.value % PINS.length;
        return next;
      }
      if (resource.kind === "ProfilePhoto" && change.field === "photo") {
        resource.photo = change.value % PHOTOS.length;
        return next;
      }
      if (resource.kind === "ProfileAbout" && change.field === "about") {
        resource.about = change.value % ABOUT_TEXTS.length;
        return next;
      }
      if (resource.kind === "BusinessProfile" && change.field === "description") {
        resource.description = change.value % DESCRIPTIONS.length;
        return next;
      }
      return program;
    case "connect": {
      if (!resource) return program;
      const before = targetOf(next, resource).client;
      if (change.connection) resource.connection = change.connection;
      else delete resource.connection;
      if (resource.kind === "SettingsRestore" && targetOf(next, resource).client !== before)
        resource.intent = newIntent();
      return next;
    }
    case "stack":
      for (const r of next.resources) {
        if (r.kind === "SettingsRestore" && !r.connection && change.connection.client !== program.stack.client) {
          r.intent = newIntent();
        }
      }
      next.stack = change.connection;
      return next;
    case "triggers":
      if (!resource || (resource.kind !== "SettingsBackup" && resource.kind !== "SettingsRestore")) return program;
      resource.triggers = (resource.triggers ?? 0) + 1;
      if (resource.kind === "SettingsRestore") resource.intent = newIntent();
      return next;
    case "repoint": {
      if (resource?.kind !== "SettingsRestore") return program;
      const source = at(
        next.resources.filter((r) => r.kind === "SettingsBackup"),
        change.pick,
      );
      if (!source || source.name === resource.source) return program;
      resource.source = source.name;
      return next;
    }
  }
}

/** The resource an engine action names by position, if the program has any. */
export function resourceAt(program: Program, index: number): Resource | undefined {
  return at(program.resources, index);
}

/** Whether an action runs the engine (rather than editing the program or the world). */
export function isEngineAction(action: Action): action is { op: Command } | EngineAction {
  return ["preview", "up", "refresh", "destroy", "kill"].includes(action.op);
}

/** The program with a new intent number on each restore (after a destroy). */
export function renewIntents(program: Program): Program {
  let intents = program.intents;
  const resources = program.resources.map((r) => {
    if (r.kind !== "SettingsRestore") return r;
    intents += 1;
    return { ...r, intent: intents };
  });
  return { ...program, resources, intents };
}
