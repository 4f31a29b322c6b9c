/**
 * The seven invariants, one function each, checked after every step of a sequence. Each returns
 * what it found wrong (empty when it holds). README's "Model-based testing" lists them in the same
 * words.
 */
import type { ResourceState } from "../engine/checkpoint";
import { isSecret, type Props, reveal } from "../engine/property-values";
import type { FastResult } from "./fast-engine";
import { kindOf, urnOf } from "./fast-engine";
import { type Kind, type Program, type Resource, targetOf } from "./program";
import { webhookUrl } from "./registrations";
import {
  ABOUT_TEXTS,
  CLIENTS,
  type ClientIndex,
  DESCRIPTIONS,
  FOREIGN_MEDIA,
  PHOTOS,
  PINS,
  photoBytes,
  UNOWNED_SETTING,
  UNOWNED_VALUE,
  type World,
} from "./world";

export type Invariant =
  | "1 no request to an unnamed client"
  | "2 irreversible calls only on intent"
  | "3 up converges"
  | "4 refresh matches the clients"
  | "5 nothing unowned changes"
  | "6 no secret in plaintext"
  | "7 failures say what happened and the next up converges";

export interface Violation {
  invariant: Invariant;
  detail: string;
}

/** What one step did, as the invariants see it. */
export interface StepRecord {
  result: FastResult;
  /** The program before the step's edit and after it (for engine commands: the same). */
  before: Program;
  program: Program;
  /** The checkpoint before the step: its resources and those of its pending operations. */
  state: ResourceState[];
  /** An `up --target`'s URNs: what is not targeted is left as it is, so it owes no convergence. */
  targets: readonly string[] | undefined;
  /** The deployment was killed at a step boundary: no process was left to say anything. */
  killed: boolean;
  /** Each client's journal entries made during the step, as `METHOD /path` lines. */
  requests: string[][];
  /** The same, of the requests the client answered 2xx (it applied them, whether or not the answer arrived). */
  applied: string[][];
  /** Whether a fault was armed for this step. */
  faulted: boolean;
}

/** What the sequence so far allows and owes, kept across steps by the runner. */
export interface History {
  /** Per client, the restore intents (program, resource and intent number) aimed at it by an `up`. */
  intents: Map<ClientIndex, Set<number>>;
  /** Clients a lawful reset or a restore has rewritten: their unowned setting and media may change. */
  rewritten: Set<ClientIndex>;
  /** `client:wirePath` changed behind the stack's back (drift, a restore) and not yet refreshed and applied. */
  drifted: Map<string, "hidden" | "refreshed">;
  /** Set by a failed step; the next `up` without a fault must converge. */
  owed: string | undefined;
  /** Per client, restore POSTs seen so far. */
  restores: Map<ClientIndex, number>;
  /**
   * Clients whose two-step verification a DELETE disabled, with no PIN set since: `unsure` when
   * that step had a fault (the answer may have been lost, so the delete is owed again).
   */
  twoStepOff: Map<ClientIndex, "sure" | "unsure">;
}

export function emptyHistory(): History {
  return {
    intents: new Map(),
    rewritten: new Set(),
    drifted: new Map(),
    owed: undefined,
    restores: new Map(),
    twoStepOff: new Map(),
  };
}

function clientOfState(world: World, resource: ResourceState): ClientIndex | undefined {
  const base = reveal(resource.outputs.baseUrl);
  return typeof base === "string" ? world.clientAt(base) : undefined;
}

function count(lines: readonly string[], pattern: RegExp): number {
  return lines.filter((line) => pattern.test(line)).length;
}

/** 1. No request reaches a client that neither the program nor state names. */
export function noRequestToUnnamedClient(world: World, step: StepRecord): Violation[] {
  const named = new Set<number>();
  for (const program of [step.before, step.program]) {
    if (program.resources.length > 0) named.add(program.stack.client);
    for (const resource of program.resources) named.add(targetOf(program, resource).client);
  }
  for (const resource of step.state) {
    const client = clientOfState(world, resource);
    if (client !== undefined) named.add(client);
  }
  return CLIENTS.filter((c) => !named.has(c) && (step.requests[c]?.length ?? 0) > 0).map((c) => ({
    invariant: "1 no request to an unnamed client",
    detail: `client ${c} received ${step.requests[c]?.join(", ")}`,
  }));
}

/**
 * Where the step's deployment had each resource of a kind: on the client the program names, or,
 * for a resource an `up --target` left out, where its state has it (a left-out resource that is
 * not in state is declared nowhere: the engine never checked it).
 */
function placements(
  world: World,
  step: StepRecord,
  kind: Resource["kind"],
): Array<{ client: number; name: string | undefined }> {
  const found: Array<{ client: number; name: string | undefined }> = [];
  for (const resource of step.program.resources) {
    if (resource.kind !== kind) continue;
    const urns = [resource.name, ...resource.aliases].map((name) => urnOf(kind, name));
    if (!step.targets || step.targets.includes(urns[0] as string)) {
      found.push({ client: targetOf(step.program, resource).client, name: resource.mediaName });
      continue;
    }
    const kept = step.state.find((r) => urns.includes(r.urn));
    const client = kept ? clientOfState(world, kept) : undefined;
    if (kept && client !== undefined) found.push({ client, name: reveal(kept.outputs.name) as string | undefined });
  }
  return found;
}

/**
 * 2. Restore POSTs ≤ the restore intents the sequence contains; settings resets and media-provider
 * deletes only where the sequence removed or moved what the stack owns.
 */
export function irreversibleOnlyOnIntent(world: World, step: StepRecord, history: History): Violation[] {
  const found: Violation[] = [];
  const command = step.result.command;
  for (const c of CLIENTS) {
    const lines = step.requests[c] ?? [];
    const now = count(lines, /^POST \/v1\/settings\/restore$/);
    const posts = (history.restores.get(c) ?? 0) + now;
    history.restores.set(c, posts);
    const intents = history.intents.get(c)?.size ?? 0;
    if (now > 0 && posts > intents) {
      found.push({
        invariant: "2 irreversible calls only on intent",
        detail: `client ${c}: ${posts} restore POSTs for ${intents} intents`,
      });
    }
    const resets = count(lines, /^DELETE \/v1\/settings\/application$/);
    if (resets > 0) {
      const owned = step.state.some((r) => kindOf(r) === "ApplicationSettings" && clientOfState(world, r) === c);
      const stillManaged =
        command !== "destroy" && placements(world, step, "ApplicationSettings").some((p) => p.client === c);
      if (!owned || stillManaged) {
        found.push({
          invariant: "2 irreversible calls only on intent",
          detail: `client ${c} was reset (${resets}×) though ${owned ? "the program still manages it" : "the stack never owned its settings"}`,
        });
      }
    }
    for (const line of lines) {
      // Refused before it was handled (429, 401): nothing was deleted.
      if (line.endsWith(" (refused)")) continue;
      const deleted = /^DELETE \/v1\/settings\/application\/media\/providers\/(.+)$/.exec(line)?.[1];
      if (deleted === undefined) continue;
      const name = decodeURIComponent(deleted);
      const owned = step.state.some(
        (r) => kindOf(r) === "MediaProvider" && clientOfState(world, r) === c && reveal(r.outputs.name) === name,
      );
      const stillDeclared =
        command !== "destroy" &&
        placements(world, step, "MediaProvider").some((p) => p.client === c && p.name === name);
      if (!owned || stillDeclared) {
        found.push({
          invariant: "2 irreversible calls only on intent",
          detail: `client ${c}: media provider '${name}' deleted though ${owned ? "the program still declares it there" : "the stack never owned it"}`,
        });
      }
    }
  }
  return found;
}

/** The objects a client holds one of, whose DELETE cannot be undone by the stack. */
const HELD_ONCE: ReadonlyArray<{ kind: Kind; path: string; what: string; setBy: (r: ResourceState) => boolean }> = [
  {
    kind: "TwoStepVerification",
    path: "/v1/settings/account/two-step",
    what: "two-step verification disabled",
    // A PIN the stack set has its create's stamp; one it did not set (an import) has none.
    setBy: (r) => typeof reveal(r.outputs.enabledAt) === "string" && reveal(r.outputs.enabledAt) !== "",
  },
  { kind: "ProfilePhoto", path: "/v1/settings/profile/photo", what: "profile photo deleted", setBy: () => true },
];

/**
 * 2 (continued). A two-step verification DELETE (which disables it) or a photo DELETE only where
 * the stack set the PIN or photo and the step removed, moved or destroyed the resource that did,
 * once per step (a transport's resend after a lost answer aside); and two-step verification is
 * not disabled again before a PIN is set anew (unless the first DELETE's answer may have been lost).
 */
export function heldOnceDeletedOnIntent(world: World, step: StepRecord, history: History): Violation[] {
  const found: Violation[] = [];
  const command = step.result.command;
  for (const c of CLIENTS) {
    const applied = step.applied[c] ?? [];
    for (const { kind, path, what, setBy } of HELD_ONCE) {
      const deletes = count(applied, new RegExp(`^DELETE ${path}$`));
      if (deletes === 0) continue;
      const owned = step.state.some((r) => kindOf(r) === kind && clientOfState(world, r) === c && setBy(r));
      const stillDeclared = command !== "destroy" && placements(world, step, kind).some((p) => p.client === c);
      if (!owned || stillDeclared) {
        found.push({
          invariant: "2 irreversible calls only on intent",
          detail: `client ${c}: ${what} though ${owned ? `the program still declares a ${kind} there` : `the stack never set it`}`,
        });
      }
      // A DELETE whose answer a fault held back is sent again by the transport (DELETE is
      // idempotent): the second finds the object gone already, so it is the same removal.
      if (deletes > 1 && !step.faulted) {
        found.push({
          invariant: "2 irreversible calls only on intent",
          detail: `client ${c}: ${what} ${deletes}× in one ${command}`,
        });
      }
    }
    const disabled = count(applied, /^DELETE \/v1\/settings\/account\/two-step$/) > 0;
    if (disabled && history.twoStepOff.get(c) === "sure") {
      found.push({
        invariant: "2 irreversible calls only on intent",
        detail: `client ${c}: two-step verification disabled again, with no PIN set since the last time`,
      });
    }
    if (count(applied, /^POST \/v1\/settings\/account\/two-step$/) > 0) history.twoStepOff.delete(c);
    else if (disabled) history.twoStepOff.set(c, step.faulted ? "unsure" : "sure");
  }
  return found;
}

/** The value the program wants for each managed wire path, per client; paths two resources disagree on are left out. */
export function wantedSettings(program: Program): Map<ClientIndex, Map<string, unknown>> {
  const wanted = new Map<ClientIndex, Map<string, unknown>>();
  const conflicts = new Set<string>();
  for (const resource of program.resources) {
    if (resource.kind !== "ApplicationSettings") continue;
    const client = targetOf(program, resource).client;
    const fields = wanted.get(client) ?? new Map<string, unknown>();
    const set = (path: string, value: unknown) => {
      if (value === undefined) return;
      if (fields.has(path) && fields.get(path) !== value) conflicts.add(`${client}:${path}`);
      fields.set(path, value);
    };
    set("log_level", resource.logLevel);
    set("sent_status", resource.sentStatus);
    set("webhooks.url", resource.webhook === undefined ? undefined : webhookUrl(resource.webhook));
    wanted.set(client, fields);
  }
  for (const key of conflicts) {
    const [client, path] = key.split(/:(.*)/s) as [string, string];
    wanted.get(Number(client) as ClientIndex)?.delete(path);
  }
  return wanted;
}

/** 3. After a successful `up`, every managed field on every client equals state and the program, and the next `preview` has no step. */
export function upConverges(
  world: World,
  step: StepRecord,
  history: History,
  nextPreview: FastResult | undefined,
): Violation[] {
  if (step.result.command !== "up" || !step.result.ok || step.targets) return [];
  const found: Violation[] = [];
  for (const [client, fields] of wantedSettings(step.program)) {
    for (const [path, value] of fields) {
      if (history.drifted.has(`${client}:${path}`)) continue;
      const live = world.client(client).getSetting(path);
      if (live !== value) {
        found.push({
          invariant: "3 up converges",
          detail: `client ${client} ${path} is ${JSON.stringify(live)}, the program says ${JSON.stringify(value)}`,
        });
      }
    }
  }
  found.push(...heldOnceConverge(world, step.program));
  // A hand edit not refreshed yet may surface in state when an update reads the client back; the
  // next refresh and up settle it, so neither state nor the next preview is held to it.
  const drifted = (resource: ResourceState) => {
    const client = clientOfState(world, resource);
    return [...history.drifted.keys()].some((key) => key.startsWith(`${client}:`));
  };
  for (const resource of step.result.resources) {
    if (kindOf(resource) !== "ApplicationSettings" || drifted(resource)) continue;
    const declared = step.program.resources.find((r) => r.name === resource.name);
    if (declared?.logLevel !== undefined && reveal(resource.outputs.logLevel) !== declared.logLevel) {
      found.push({
        invariant: "3 up converges",
        detail: `state of ${resource.name} has logLevel ${JSON.stringify(reveal(resource.outputs.logLevel))}, the program ${declared.logLevel}`,
      });
    }
  }
  if (nextPreview) {
    const settled = (urn: string) => {
      const resource = step.result.resources.find((r) => r.urn === urn);
      return resource === undefined || !drifted(resource);
    };
    const pending = nextPreview.steps.filter((s) => s.op !== "same" && settled(s.urn));
    if (!nextPreview.ok || pending.length > 0) {
      found.push({
        invariant: "3 up converges",
        detail: `the next preview ${nextPreview.ok ? `has steps: ${pending.map((s) => `${s.op} ${s.urn.split("::").pop()}`).join(", ")}` : `failed: ${nextPreview.failure}`}`,
      });
    }
  }
  return found;
}

/**
 * 3 (continued). What a client holds one of (a PIN, a photo, the About text, the business
 * description) is what the program declares there; a client two resources of a kind declare is
 * left out (check refuses that for PINs and photos when it can see it).
 */
function heldOnceConverge(world: World, program: Program): Violation[] {
  const declared = (kind: Kind) => {
    const byClient = new Map<ClientIndex, Resource[]>();
    for (const resource of program.resources) {
      if (resource.kind !== kind) continue;
      const client = targetOf(program, resource).client;
      byClient.set(client, [...(byClient.get(client) ?? []), resource]);
    }
    return [...byClient]
      .filter(([, all]) => all.length === 1)
      .map(([client, all]) => [client, all[0] as Resource] as const);
  };
  const found: Violation[] = [];
  const differs = (client: ClientIndex, resource: Resource, what: string) =>
    found.push({ invariant: "3 up converges", detail: `client ${client} ${what}, unlike ${resource.name}` });
  for (const [client, resource] of declared("TwoStepVerification")) {
    const pin = world.client(client).twoStepPin;
    if (pin === null) differs(client, resource, "has two-step verification off");
    else if (pin !== PINS[(resource.pin ?? 0) % PINS.length]) differs(client, resource, "holds another PIN");
  }
  for (const [client, resource] of declared("ProfilePhoto")) {
    const photo = world.client(client).photo;
    const wanted = photoBytes(PHOTOS[(resource.photo ?? 0) % PHOTOS.length] as (typeof PHOTOS)[number]);
    if (photo === null) differs(client, resource, "has no profile photo");
    else if (!photo.equals(wanted)) differs(client, resource, "holds another profile photo");
  }
  for (const [client, resource] of declared("ProfileAbout")) {
    const text = world.client(client).about;
    if (text !== ABOUT_TEXTS[(resource.about ?? 0) % ABOUT_TEXTS.length]) {
      differs(client, resource, `has the About text ${JSON.stringify(text)}`);
    }
  }
  for (const [client, resource] of declared("BusinessProfile")) {
    const description = world.client(client).businessDescription;
    if (description !== DESCRIPTIONS[(resource.description ?? 0) % DESCRIPTIONS.length]) {
      differs(client, resource, `has the business description ${JSON.stringify(description)}`);
    }
  }
  return found;
}

/** 4. After a successful `refresh`, state equals every client. */
export function refreshMatchesClients(world: World, step: StepRecord, history: History): Violation[] {
  if (step.result.command !== "refresh" || !step.result.ok) return [];
  const found: Violation[] = [];
  for (const resource of step.result.resources) {
    if (kindOf(resource) !== "ApplicationSettings") continue;
    const client = clientOfState(world, resource);
    if (client === undefined) continue;
    for (const [key, path] of [
      ["logLevel", "log_level"],
      ["sentStatus", "sent_status"],
    ] as const) {
      const stated = reveal(resource.outputs[key]);
      if (stated === undefined) continue;
      const live = world.client(client).getSetting(path);
      if (live !== stated) {
        found.push({
          invariant: "4 refresh matches the clients",
          detail: `${resource.name}: state ${key}=${JSON.stringify(stated)}, client ${client} has ${JSON.stringify(live)}`,
        });
      }
    }
  }
  for (const key of history.drifted.keys()) history.drifted.set(key, "refreshed");
  return found;
}

/** 5. A setting or media provider that no resource of the stack owns is never changed. */
export async function nothingUnownedChanges(world: World, history: History): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const c of CLIENTS) {
    if (history.rewritten.has(c)) continue;
    const client = world.client(c);
    const live = client.getSetting(UNOWNED_SETTING);
    if (live !== UNOWNED_VALUE) {
      found.push({
        invariant: "5 nothing unowned changes",
        detail: `client ${c} ${UNOWNED_SETTING} became ${JSON.stringify(live)}`,
      });
    }
    const media = await listMedia(world, c);
    const foreign = media.find((m) => m.name === FOREIGN_MEDIA.name);
    if (JSON.stringify(foreign?.config ?? null) !== JSON.stringify(FOREIGN_MEDIA.config)) {
      found.push({
        invariant: "5 nothing unowned changes",
        detail: `client ${c}: the media provider '${FOREIGN_MEDIA.name}' the stack never owned was ${foreign ? "changed" : "deleted"}`,
      });
    }
  }
  return found;
}

const tokens = new WeakMap<object, string>();

async function adminToken(world: World, c: ClientIndex, fresh = false): Promise<string> {
  const client = world.client(c);
  const cached = tokens.get(client);
  if (cached && !fresh) return cached;
  const login = await fetch(`${client.url}/v1/users/login`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`admin:${client.adminPassword}`).toString("base64")}` },
  });
  const token = ((await login.json()) as { users: Array<{ token: string }> }).users[0]?.token ?? "";
  tokens.set(client, token);
  return token;
}

/** The media providers a client lists, read through its own API out of the journal's sight. */
async function listMedia(world: World, c: ClientIndex): Promise<Array<{ name: string; config: unknown }>> {
  const client = world.client(c);
  const before = client.journal.entries.length;
  const list = async (token: string) =>
    fetch(`${client.url}/v1/settings/application/media/providers`, { headers: { authorization: `Bearer ${token}` } });
  let listed = await list(await adminToken(world, c));
  if (listed.status === 401) listed = await list(await adminToken(world, c, true));
  const body = (await listed.json()) as { settings?: { application?: { media?: { providers?: unknown[] } } } };
  client.journal.entries.splice(before);
  return (body.settings?.application?.media?.providers ?? []) as Array<{ name: string; config: unknown }>;
}

/** The spellings of a secret the redaction tests cover: plain, percent (both cases), form, base64 at every offset, base64url, hex. */
export function encodings(secret: string): string[] {
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
  ]);
  forms.add(encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  forms.add(Buffer.from(secret).toString("hex"));
  for (const offset of [0, 1, 2]) {
    const padded = Buffer.from(`${"a".repeat(offset)}${secret}`);
    for (const encoding of ["base64", "base64url"] as const) {
      const text = padded.toString(encoding).replace(/=+$/, "");
      // Only the characters that depend on the secret alone: skip the prefix's and the last partial ones.
      const start = Math.ceil((offset * 4) / 3) + (offset % 3 === 0 ? 0 : 1);
      const end = Math.floor(((offset + secret.length) * 4) / 3) - 1;
      if (end - start >= 4) forms.add(text.slice(start, end));
    }
  }
  return [...forms].filter((form) => form.length >= 2);
}

/** The checkpoint as it is written: each secret an opaque ciphertext envelope. */
function sealed(value: unknown): unknown {
  if (isSecret(value)) return "[ciphertext]";
  if (Array.isArray(value)) return value.map(sealed);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value as Props).map(([k, v]) => [k, sealed(v)]));
  }
  return value;
}

/** 6. No secret, of any length, in plaintext in the checkpoint, any message, log or journal entry, in any encoding. */
export function noSecretInPlaintext(world: World, step: StepRecord): Violation[] {
  const places: Array<[string, string]> = [
    ["the checkpoint", JSON.stringify(sealed(step.result.resources))],
    ["the printed output", step.result.printed.join("\n")],
    ["the error", step.result.failure ?? ""],
    ...CLIENTS.map((c): [string, string] => [`client ${c}'s journal`, JSON.stringify(world.client(c).journal.entries)]),
  ];
  const found: Violation[] = [];
  for (const secret of world.secrets()) {
    for (const form of encodings(secret)) {
      // A short secret's encodings are short too: match those as whole words only.
      const pattern = new RegExp(`(^|[^A-Za-z0-9])${form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9])`);
      for (const [where, text] of places) {
        const hit = form.length >= 8 ? text.includes(form) : pattern.test(text);
        if (hit)
          found.push({
            invariant: "6 no secret in plaintext",
            detail: `a secret (${secret.length} chars) appears in ${where} as ${form === secret ? "plaintext" : "an encoding of it"}`,
          });
      }
    }
  }
  return found;
}

/** Words with which a failure tells what it did and did not apply. */
const SAYS_WHAT_HAPPENED =
  /nothing (was )?sent|nothing was (changed|restored|deleted)|unchanged|not (applied|sent|changed|retried)|may (or may not )?have|may or may not|partly|applied|kept|left|is still|was not|did not|refus|cannot tell|no change|restore[sd]? /i;

/** Pulumi's words for a resource whose check failed (`has a problem: property: reason`). */
const CHECK_FAILURE = /has a problem:/;

/** 7. Every failed step says what it did and did not apply, and the next `up` converges. */
export function failuresExplainAndConverge(step: StepRecord, history: History): Violation[] {
  const found: Violation[] = [];
  const { result } = step;
  // A targeted up leaves the rest as it is: it neither settles what a failure owes nor is held to it.
  const wholeUp = result.command === "up" && !step.targets;
  if (wholeUp && !step.faulted && !step.killed && history.owed !== undefined && !result.ok) {
    // Some refusals wait for a person by design, and their message says what to do: a restore left
    // unfinished, a media provider the stack did not create (`adopt: true` or an alias), input that
    // check refuses (a 2-character bearer) and two resources setting one field of one client at two
    // addresses (found after check): the program has to change before an up can pass.
    if (
      !/RESTORE_UNFINISHED|unfinished|interrupted|NOT_OWNED|set adopt: true|SETTINGS_CONFLICT|SHARED_CLIENT|set it in one of them/i.test(
        result.failure ?? "",
      ) &&
      !CHECK_FAILURE.test(result.failure ?? "")
    ) {
      found.push({
        invariant: "7 failures say what happened and the next up converges",
        detail: `after "${history.owed.slice(0, 160)}", the next up failed too: ${(result.failure ?? "").slice(0, 300)}`,
      });
    }
  }
  if (wholeUp && result.ok) history.owed = undefined;
  if (!result.ok && result.command !== "preview") {
    const message = result.failure ?? "";
    // A check failure comes before anything is sent for its resource: the fault never came into it.
    // A killed run says nothing (its checkpoint does); what it owes is the next up's convergence.
    if (step.faulted && !step.killed && !CHECK_FAILURE.test(message) && !SAYS_WHAT_HAPPENED.test(message)) {
      found.push({
        invariant: "7 failures say what happened and the next up converges",
        detail: `a failed ${result.command} does not say what it applied: ${message.slice(0, 300)}`,
      });
    }
    history.owed = message || `a failed ${result.command}`;
  }
  return found;
}
