/**
 * The mutation check (issue 20: "with each irreversible guard switched off in turn, the fuzzer
 * finds a violation"): each guard of the provider's irreversible paths, switched off in this
 * process. The fast path calls the provider modules in-process, and each guard is one exported
 * function its callers reach through the module's exports (CommonJS, as `npm run build` emits
 * them) or a method of a class's prototype, so replacing it switches the guard off for every caller; nothing in
 * `provider/` knows about it. Used by `npm run fuzz -- --mutate <guard|all>` only: vitest loads
 * the modules as ES modules, whose exports cannot be replaced.
 */
import * as restoreRecord from "../../provider/backup/restore-record";
import { Handover } from "../../provider/handover";
import * as runtime from "../../provider/runtime";
import * as settingsDeployment from "../../provider/settings/deployment";

export interface Guard {
  id: "restore-record" | "wrong-client" | "shared-client-reset" | "media-ownership";
  /** What the guard keeps from happening. */
  title: string;
  module: object;
  name: string;
  /** What the export does with the guard off. */
  off: (...args: never[]) => unknown;
}

export const GUARDS: readonly Guard[] = [
  {
    id: "restore-record",
    title: "the restore record: a restore already made (or in flight) for an intent is not sent again",
    module: restoreRecord,
    name: "readRecord",
    off: () => undefined,
  },
  {
    id: "wrong-client",
    title: "the wrong-client guard: a write or reset of a resource reaches only the client recorded in its state",
    module: runtime,
    name: "connectionForRecorded",
    off: (props: Record<string, unknown>) => runtime.connectionFor(props),
  },
  {
    id: "shared-client-reset",
    title: "the shared-client reset: a client other ApplicationSettings still manage is not reset by DELETE",
    module: settingsDeployment,
    name: "declaredOn",
    off: () => [],
  },
  {
    id: "media-ownership",
    title: "media ownership: a provider the client lists that the stack did not create is refused, not written over",
    // The records of every type share the class: only MediaProvider's create asks whether one holds an object.
    module: Handover.prototype,
    name: "stackHolds",
    off: () => true,
  },
];

/** Switches one guard off; returns what switches it back on. */
export function switchOff(guard: Guard): () => void {
  const exports = guard.module as Record<string, unknown>;
  const original = exports[guard.name];
  if (typeof original !== "function") throw new Error(`${guard.id}: ${guard.name} is not an exported function`);
  exports[guard.name] = guard.off;
  if (exports[guard.name] !== guard.off) {
    throw new Error(`${guard.id}: ${guard.name} cannot be replaced here (ES module exports); run the built script`);
  }
  return () => {
    exports[guard.name] = original;
  };
}
