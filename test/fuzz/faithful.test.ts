/**
 * The fast path decides as the engine stand-in does: the same sequences through Pulumi's program
 * runner, dynamic-provider host and the engine stand-in (`test/engine/deployment.ts`) give every
 * client the same requests and every step the same outcome (faithful.ts). Beside a corpus case
 * over every resource type: a deployment killed at a step boundary (the stand-in in its own
 * process, SIGKILLed with its provider host; the fast path stopped at the same provider-operation
 * boundary of its in-memory journal), `up --replace` and `up --target`. Two of them run through
 * the native provider's plugins as well.
 */
import { describe, expect, test } from "vitest";
import { FULL_RUN } from "../support/full-run";
import { CORPUS } from "./corpus";
import { compareSequence } from "./faithful";
import type { Action } from "./program";

const FAITHFUL: Array<[string, Action[]]> = [
  [
    "every resource type created, edited, renamed with an alias and destroyed",
    CORPUS.find((c) => c.name.startsWith("every resource type"))?.actions ?? [],
  ],
  [
    "an up killed after the pending create of a media provider, its backup, restore and settings already made; then up and refresh",
    [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "add", kind: "ApplicationSettings", pick: 1, media: "cdn" },
      { op: "add", kind: "MediaProvider", pick: 0, media: "cdn" },
      { op: "kill", command: "up", after: 4 },
      { op: "up" },
      { op: "refresh" },
    ],
  ],
  [
    "up --replace of a media provider and of a restore, then up --target of settings edited beside a media provider",
    [
      { op: "add", kind: "ApplicationSettings", pick: 1, media: "cdn" },
      { op: "add", kind: "MediaProvider", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "up", replace: 1 },
      { op: "up", replace: 3 },
      { op: "set", at: 0, field: "logLevel", value: 2 },
      { op: "set", at: 1, field: "bearer", value: 1 },
      { op: "up", target: 0 },
      { op: "up" },
    ],
  ],
  [
    "a destroy killed after its first delete ended, then up",
    [
      { op: "add", kind: "ApplicationSettings", pick: 1, media: "cdn" },
      { op: "add", kind: "MediaProvider", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "kill", command: "destroy", after: 1 },
      { op: "up" },
    ],
  ],
];

/**
 * Through the native plugins, the cases that weigh the irreversible calls most (a replacement of a
 * restore and of a media provider, `--target`; a destroy killed mid-way): each native run starts
 * a plugin per provider resource and costs about twice the dynamic one. `npm test` runs the first,
 * `npm run test:full` both; the others pass there too, and `npm run fuzz -- --faithful --native`
 * runs generated sequences that way.
 */
const NATIVE = FAITHFUL.filter(([name]) => name.startsWith("up --replace") || name.startsWith("a destroy killed"));

describe("the fast path decides as the engine stand-in does, through the native provider", () => {
  test("the native cases are among the faithful ones", () => {
    expect(NATIVE).toHaveLength(2);
  });

  test.each(FULL_RUN ? NATIVE : NATIVE.slice(0, 1))(
    "%s: through the native pulumi-resource-whatsapp plugins, every client gets the same requests and every step the same outcome",
    { timeout: 240_000 },
    async (_name, actions) => {
      const compared = await compareSequence(actions, "native");
      expect(compared.steps).toBeGreaterThan(0);
      expect(compared.mismatches).toEqual([]);
      expect(compared.violations).toEqual([]);
    },
  );
});

describe("the fast path decides as the engine stand-in does", () => {
  test.each(FAITHFUL)(
    "%s: through Pulumi's dynamic-provider host, every client gets the same requests and every step the same outcome",
    { timeout: 240_000 },
    async (_name, actions) => {
      const compared = await compareSequence(actions);
      expect(compared.steps).toBeGreaterThan(0);
      expect(compared.mismatches).toEqual([]);
      expect(compared.violations).toEqual([]);
    },
  );
});
