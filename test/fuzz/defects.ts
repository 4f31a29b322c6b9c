/**
 * Defects on the irreversible paths known to be open, and what the generator holds back while
 * they are: `npm test` generates no sequence that can only show a known defect, and the corpus
 * keeps each found sequence with `expected: "violation"` until its fix merges. Closing a defect
 * is one line here (`open: false`) plus flipping its corpus cases to `expected: "pass"`.
 */
import {
  type Action,
  type Edit,
  edit,
  emptyProgram,
  isEngineAction,
  type Kind,
  MEDIA_NAMES,
  type Program,
  targetOf,
} from "./program";
import { SPELLINGS, type Spelling } from "./world";

export interface Defect {
  id:
    | "held-once-handover"
    | "held-once-address"
    | "restore-rename"
    | "media-shared-name"
    | "media-takeover"
    | "address-reset"
    | "restore-unsure-again"
    | "settings-conflict"
    | "restore-rename-new-data"
    | "restore-address-unreadable"
    | "settings-conflict-address"
    | "settings-conflict-target";
  /** What goes wrong, in the words. */
  title: string;
  open: boolean;
}

export const DEFECTS: readonly Defect[] = [
  {
    id: "held-once-address",
    title:
      "two TwoStepVerification (or ProfilePhoto) resources on one client, one reaching it at another address " +
      "(localhost for 127.0.0.1): check's one-per-client rule and the handover record (handover.ts) go by address, " +
      "so both pass check, both write (the last PIN or photo wins unseen), and removing either disables two-step " +
      "verification or deletes the photo the other still declares; one renamed without an alias and moved to another " +
      "address of its client in one up, or moved there and replaced with up --replace, does the same to its own " +
      "successor",
    open: false,
  },
  {
    id: "held-once-handover",
    title:
      "a ProfilePhoto or TwoStepVerification whose successor on the same client (a rename without an alias, a " +
      "replacement) was created in an earlier deployment than the one that deletes it (an up --target of the new " +
      "name, an up killed or failed between the create and the delete): the handover record (handover.ts) lives in " +
      "one provider process, so the old resource's delete removes the photo or disables two-step verification the " +
      "successor declares",
    open: false,
  },
  {
    id: "settings-conflict-target",
    title:
      "two ApplicationSettings set one field of one client to different values, the second deployed with up --target: " +
      "the resource left out is not checked in that deployment, so the conflict check (which compares the resources " +
      "checked together) does not see it; both apply, and after the second is removed in a killed up, the next up " +
      "leaves the client's value unlike the first one's state, with no step",
    open: false,
  },
  {
    id: "settings-conflict-address",
    title:
      "two ApplicationSettings set one field of one client to different values, one reaching the client at another " +
      "address (localhost for 127.0.0.1): check compares clients by address (it runs offline), so both apply, the " +
      "last write wins unseen, and once that one is removed the other's state says a value the client does not hold " +
      "and no step follows; the conflict can only be found where the client's number is read (diff, create)",
    open: false,
  },
  {
    id: "restore-address-unreadable",
    title:
      "a restore made without waiting for health, whose client is then reached at another address while it still " +
      "restarts: the diff cannot read its number, the address decides, and the replacement restores again (the " +
      "restore record is keyed by the address, not the registered number)",
    open: false,
  },
  {
    id: "restore-rename-new-data",
    title:
      "a SettingsRestore renamed without an alias and re-pointed at another backup in the same up restores again: " +
      "the provider takes the new data for a new intent, the model takes a rename for none; one of the two must change",
    open: false,
  },
  { id: "restore-rename", title: "a SettingsRestore renamed without an alias restores again (#18)", open: false },
  {
    id: "media-shared-name",
    title:
      "two MediaProvider resources name one provider on one client (a rename without an alias is one case): removing " +
      "either deletes the provider the other still declares",
    open: false,
  },
  {
    id: "media-takeover",
    title: "a MediaProvider takes over a provider of the same name the stack never owned (#18)",
    open: false,
  },
  {
    id: "address-reset",
    title: "the same client at another address is taken for another client and reset (#18)",
    open: false,
  },
  {
    id: "restore-unsure-again",
    title:
      "a restore whose POST may have landed (500 1011 while the client restarts) is kept by the provider as a partly created " +
      "resource, but the engine stand-in drops a failed create, and the next up restores again; the restore record does " +
      "not stop it",
    open: false,
  },
  {
    id: "settings-conflict",
    title:
      "two ApplicationSettings set one field of one client to different values: both apply, the last write wins " +
      "unseen, and once one is removed the other's state no longer matches the client",
    open: false,
  },
];

/** What the generator may use while the defects above stay as they are. */
export interface GeneratorOptions {
  spellings: readonly Spelling[];
  mediaNames: readonly (typeof MEDIA_NAMES)[number][];
  /** Kinds a rename without an alias may not hit. */
  noPlainRename: readonly Kind[];
  /** Whether two SettingsRestore resources may target one client at an `up`. */
  restoresShareClient: boolean;
  /** Whether two MediaProvider resources may name one provider on one client at an `up`. */
  mediaShareName: boolean;
  /** Whether two ApplicationSettings may set one field of one client to different values at an `up`. */
  settingsConflict: boolean;
  /** Whether they may when they reach that client at two addresses. */
  settingsConflictAcrossAddresses: boolean;
  /**
   * Whether a deployment may delete a TwoStepVerification or ProfilePhoto whose successor on the
   * same client an earlier deployment created.
   */
  heldOnceHandover: boolean;
  /** Whether two TwoStepVerification or two ProfilePhoto resources may reach one client at two addresses at an `up`. */
  heldOnceAcrossAddresses: boolean;
}

/** By default every open defect is held out; `heldOut` names the ones to hold out instead. */
export function generatorOptions(heldOut: ReadonlySet<string> = openDefects()): GeneratorOptions {
  return {
    spellings: heldOut.has("address-reset") ? SPELLINGS.filter((s) => s !== "other") : SPELLINGS,
    mediaNames: heldOut.has("media-takeover") ? MEDIA_NAMES.filter((n) => n !== "foreign") : MEDIA_NAMES,
    noPlainRename: [
      ...(heldOut.has("restore-rename") ? (["SettingsRestore"] as const) : []),
      ...(heldOut.has("media-shared-name") ? (["MediaProvider"] as const) : []),
    ],
    restoresShareClient: !heldOut.has("restore-unsure-again"),
    mediaShareName: !heldOut.has("media-shared-name"),
    settingsConflict: !heldOut.has("settings-conflict"),
    settingsConflictAcrossAddresses: !heldOut.has("settings-conflict") && !heldOut.has("settings-conflict-address"),
    heldOnceHandover: !heldOut.has("held-once-handover"),
    heldOnceAcrossAddresses: !heldOut.has("held-once-address"),
  };
}

export function openDefects(): Set<string> {
  return new Set(DEFECTS.filter((d) => d.open).map((d) => d.id));
}

/**
 * Whether a sequence does what `options` holds back and the generator cannot leave out by itself
 * (it depends on what an action's position names): replayed on the program model.
 */
export function heldBack(actions: readonly Action[], options: GeneratorOptions): boolean {
  let program = emptyProgram({ client: 0, spelling: "plain" });
  const handover = new HandoverModel();
  for (const action of actions) {
    const deploys = action.op === "up" || (action.op === "kill" && action.command === "up");
    const shows = handover.step(program, action);
    if (!options.heldOnceHandover && shows.has("held-once-handover")) return true;
    if (!options.heldOnceAcrossAddresses && shows.has("held-once-address")) return true;
    if (action.op === "rename" && !action.alias && program.resources.length > 0) {
      const kind = program.resources[action.at % program.resources.length]?.kind;
      if (kind && options.noPlainRename.includes(kind)) return true;
    }
    if (deploys && !options.restoresShareClient) {
      const targets = program.resources
        .filter((r) => r.kind === "SettingsRestore")
        .map((r) => targetOf(program, r).client);
      if (new Set(targets).size < targets.length) return true;
    }
    if (deploys && !options.mediaShareName) {
      const named = program.resources
        .filter((r) => r.kind === "MediaProvider")
        .map((r) => `${targetOf(program, r).client}:${r.mediaName}`);
      if (new Set(named).size < named.length) return true;
    }
    if (deploys && !options.settingsConflict && conflicting(program, false)) return true;
    if (deploys && !options.heldOnceAcrossAddresses && heldOnceAtTwoAddresses(program)) return true;
    if (deploys && !options.settingsConflictAcrossAddresses && conflicting(program, true)) return true;
    if (!isEngineAction(action) && action.op !== "drift" && action.op !== "fault") {
      program = edit(program, action as Edit);
    }
  }
  return false;
}

/**
 * Whether two ApplicationSettings of the program set one field of one client to different values;
 * with `acrossAddresses`, only a pair that reaches the client at two addresses counts (a cosmetic
 * spelling is the same address once normalized, "other" is another).
 */
function conflicting(program: Program, acrossAddresses: boolean): boolean {
  const seen = new Map<string, Array<{ value: unknown; address: string }>>();
  for (const r of program.resources) {
    if (r.kind !== "ApplicationSettings") continue;
    const target = targetOf(program, r);
    const address = target.spelling === "other" ? "other" : "plain";
    for (const [field, value] of Object.entries({
      logLevel: r.logLevel,
      sentStatus: r.sentStatus,
      webhook: r.webhook,
    })) {
      if (value === undefined) continue;
      const key = `${target.client}:${field}`;
      const earlier = seen.get(key) ?? [];
      if (earlier.some((e) => e.value !== value && (!acrossAddresses || e.address !== address))) return true;
      seen.set(key, [...earlier, { value, address }]);
    }
  }
  return false;
}

const HELD_ONCE: readonly Kind[] = ["TwoStepVerification", "ProfilePhoto"];

/** Whether two resources of a kind in HELD_ONCE reach one client at two addresses ("other" is another). */
function heldOnceAtTwoAddresses(program: Program): boolean {
  const addresses = new Map<string, Set<string>>();
  for (const r of program.resources) {
    if (!HELD_ONCE.includes(r.kind)) continue;
    const target = targetOf(program, r);
    const key = `${r.kind}:${target.client}`;
    addresses.set(key, new Set([...(addresses.get(key) ?? []), target.spelling === "other" ? "other" : "plain"]));
  }
  return [...addresses.values()].some((seen) => seen.size > 1);
}

/**
 * Which TwoStepVerification and ProfilePhoto resources a deployment may have left in state, per
 * kind and client (by name, with the address they reach it at): whatever a deployment declared
 * stays until a whole `up` that neither a kill, a fault nor check cut short deletes what the
 * program no longer declares, or such a `destroy`. Other failures of a whole `up` are not
 * modelled: a run may still meet the defects.
 */
class HandoverModel {
  private readonly mayHold = new Map<string, Map<string, string>>();
  private faulted = false;

  /**
   * The open defects `action` may show, if it is a deployment that may delete a resource of
   * state the program no longer declares on a client where the program declares another of its
   * kind: `held-once-handover` when that other one was created by an earlier deployment,
   * `held-once-address` when it reaches the client at another address.
   */
  step(program: Program, action: Action): Set<Defect["id"]> {
    const shows = new Set<Defect["id"]>();
    if (action.op === "fault") this.faulted = true;
    if (!isEngineAction(action)) return shows;
    const faulted = this.faulted;
    this.faulted = false;
    if (action.op === "destroy" || (action.op === "kill" && action.command === "destroy")) {
      if (action.op === "destroy" && !faulted) this.mayHold.clear();
      return shows;
    }
    if (action.op !== "up" && action.op !== "kill") return shows;
    const declared = new Map<string, Map<string, string>>();
    const keys: string[] = [];
    for (const resource of program.resources) {
      if (!HELD_ONCE.includes(resource.kind)) continue;
      const target = targetOf(program, resource);
      const key = `${resource.kind}:${target.client}`;
      const address = target.spelling === "other" ? "other" : "plain";
      keys.push(key);
      const names = declared.get(key) ?? new Map<string, string>();
      for (const name of [resource.name, ...resource.aliases]) names.set(name, address);
      declared.set(key, names);
    }
    for (const [key, names] of declared) {
      const held = this.mayHold.get(key) ?? new Map<string, string>();
      const stale = [...held].filter(([name]) => !names.has(name));
      if (stale.length === 0) continue;
      if ([...names.keys()].some((name) => held.has(name))) shows.add("held-once-handover");
      if (stale.some(([, was]) => [...names.values()].some((address) => address !== was))) {
        shows.add("held-once-address");
      }
    }
    // `up --replace` of one that moved to another address of its client: the replacement's create
    // and the original's delete meet on the client at two addresses, with no diff between them.
    if (action.op === "up" && "replace" in action) {
      for (const [key, names] of declared) {
        const held = this.mayHold.get(key);
        if ([...names].some(([name, address]) => held?.has(name) && held.get(name) !== address)) {
          shows.add("held-once-address");
        }
      }
    }
    // Two of a kind on one client fail check, and a failed up deletes nothing.
    const refused = new Set(keys).size < keys.length;
    const whole = action.op === "up" && !("target" in action) && !faulted && !refused;
    if (whole) this.mayHold.clear();
    for (const [key, names] of declared) this.mayHold.set(key, new Map([...(this.mayHold.get(key) ?? []), ...names]));
    return shows;
  }
}
