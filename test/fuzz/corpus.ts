/**
 * Sequences the fuzzer found, kept and replayed by `npm test` (test/fuzz/operator-sequences.test.ts).
 * `expected: "violation"` marks a case that shows a defect still open (defects.ts): `npm test`
 * requires it to break an invariant still (`test.fails`) and names the defect; when the fix
 * merges, that turns red: flip it to `"pass"` and the case guards the fix from then on. `npm run fuzz -- --corpus` replays every case and says which still break.
 */
import type { Defect } from "./defects";
import type { Action } from "./program";

export interface CorpusCase {
  name: string;
  /** What the sequence showed when it was found (the first violation). */
  shows: string;
  /** The open defect it shows, while it is open. */
  defect?: Defect["id"];
  expected: "pass" | "violation";
  actions: Action[];
}

export const CORPUS: CorpusCase[] = [
  {
    name: "a restore from stack config killed once made, then config re-pointed at another client",
    shows:
      "invariant 7 after step 6: the next up failed too: <client 1> may be the client at <client 0> under another " +
      "address, or another client (who answers could not be read (WHATSAPP_WRONG_CLIENT)) …",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "kill", command: "up", after: 1 },
      { op: "stack", connection: { client: 1, spelling: "plain" } },
      { op: "up" },
    ],
  },
  {
    name: "two settings of one field on one client, the second deployed with up --target, then removed in a killed up",
    shows: 'invariant 3 up converges after step 6: client 0 log_level is "warning", the program says "info"',
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "add", kind: "ApplicationSettings", pick: 1, media: "cdn" },
      { op: "up", target: 3 },
      { op: "remove", at: 7 },
      { op: "kill", command: "up", after: 2 },
    ],
  },
  {
    name: "two settings resources setting one field of one client differently at two addresses, the later one removed",
    shows: 'invariant 3 after step 6: client 0 log_level is "info", the program says "warning"',
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 1, media: "cdn" },
      { op: "stack", connection: { client: 0, spelling: "other" } },
      { op: "add", kind: "ApplicationSettings", pick: 0, media: "cdn", connection: { client: 0, spelling: "plain" } },
      { op: "up" },
      { op: "remove", at: 3 },
      { op: "up" },
    ],
  },
  {
    name: "a restore onto a client whose stack-config address then changes to another spelling of it",
    shows: "invariant 2 after step 6: client 1: 2 restore POSTs for 1 intents",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "stack", connection: { client: 1, spelling: "other" } },
      { op: "up" },
      { op: "stack", connection: { client: 1, spelling: "plain" } },
      { op: "up" },
    ],
  },
  {
    name: "a restore re-pointed at another backup and renamed without an alias in one up",
    shows: "invariant 2 after step 7: client 0: 2 restore POSTs for 1 intents",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "repoint", at: 4, pick: 3 },
      { op: "rename", at: 1, alias: false },
      { op: "up" },
    ],
  },
  {
    name: "settings moved to another client, the up killed right after the replacement's create, then a destroy killed after its delete",
    shows:
      'invariant 3 after step 7: client 2 log_level is "info", the program says "warning" (the killed create left the original unmarked beside its replacement)',
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 1, media: "cdn", connection: { client: 0, spelling: "plain" } },
      { op: "up" },
      { op: "connect", at: 0, connection: { client: 2, spelling: "plain" } },
      { op: "kill", command: "up", after: 1 },
      { op: "up" },
      { op: "kill", command: "destroy", after: 1 },
      { op: "up" },
    ],
  },
  {
    name: "up --target of one of two media providers of one name, then of it moved to another client",
    shows:
      "invariant 2 after step 5: client 0: media provider 'cdn' deleted though the program still declares it there (by a resource the targeted ups never created)",
    expected: "pass",
    actions: [
      { op: "add", kind: "MediaProvider", pick: 0, media: "cdn" },
      { op: "add", kind: "MediaProvider", pick: 0, media: "cdn" },
      { op: "up", target: 0 },
      { op: "connect", at: 0, connection: { client: 2, spelling: "plain" } },
      { op: "up", target: 0 },
      { op: "up" },
    ],
  },
  {
    name: "up --target of a new restore whose new backup is not targeted, then up --replace of the backup",
    shows:
      "invariant 2 after step 4: client 0: 2 restore POSTs for 1 intents (the targeted restore was created from a backup never made)",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "up", target: 7 },
      { op: "up", replace: 0 },
      { op: "up" },
    ],
  },
  {
    name: "a media provider removed while its client rate-limits: the refused delete, then the next up deletes it",
    shows:
      "invariant 2 after step 5: client 2: media provider 'cdn (refused)' deleted though the stack never owned it (a refused request's path read as the provider's name)",
    expected: "pass",
    actions: [
      { op: "add", kind: "MediaProvider", pick: 0, media: "cdn", connection: { client: 2, spelling: "plain" } },
      { op: "up" },
      { op: "remove", at: 0 },
      { op: "fault", client: 2, fault: "429" },
      { op: "up" },
      { op: "up" },
    ],
  },
  {
    name: "a restore refused with 429 while its target rate-limits, then made by the next up",
    shows: "invariant 2 after step 6: client 2: 2 restore POSTs for 1 intents (the first one refused, never applied)",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "fault", client: 2, fault: "429" },
      { op: "connect", at: 3, connection: { client: 2, spelling: "plain" } },
      { op: "up" },
      { op: "up" },
    ],
  },
  {
    name: "two settings resources on one client at two addresses, the one at the other address removed",
    shows: "invariant 2 after step 5: client 0 was reset (1×) though the program still manages it",
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 0, media: "cdn", connection: { client: 0, spelling: "other" } },
      { op: "add", kind: "ApplicationSettings", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "remove", at: 0 },
      { op: "up" },
    ],
  },
  {
    name: "two media providers of one name on one client, the first moved to another client",
    shows:
      "invariant 2 after step 6: client 0: media provider 'images' deleted though the program still declares it there",
    expected: "pass",
    actions: [
      { op: "add", kind: "MediaProvider", pick: 0, media: "images" },
      { op: "up" },
      { op: "add", kind: "MediaProvider", pick: 0, media: "images" },
      { op: "up" },
      { op: "connect", at: 0, connection: { client: 2, spelling: "plain" } },
      { op: "up" },
    ],
  },
  {
    name: "a backup's own connection taken out in favour of stack config naming the same client",
    shows: "invariant 3 up converges after step 4: the next preview has steps: update backup1",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn", connection: { client: 0, spelling: "plain" } },
      { op: "up" },
      { op: "connect", at: 0 },
      { op: "up" },
    ],
  },
  {
    name: "a media provider of a name the client already has, created by someone else",
    shows: "invariant 5 after step 2: client 0: the media provider 'foreign' the stack never owned was changed",
    expected: "pass",
    actions: [{ op: "add", kind: "MediaProvider", pick: 0, media: "foreign" }, { op: "up" }],
  },
  {
    name: "a media provider renamed without an alias",
    shows:
      "invariant 2 after step 4: client 0: media provider 'cdn' deleted though the program still declares it there",
    expected: "pass",
    actions: [
      { op: "add", kind: "MediaProvider", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "rename", at: 0, alias: false },
      { op: "up" },
    ],
  },
  {
    name: "two media providers of one name on one client, one removed",
    shows:
      "invariant 2 after step 5: client 0: media provider 'images' deleted though the program still declares it there",
    expected: "pass",
    actions: [
      { op: "add", kind: "MediaProvider", pick: 0, media: "images" },
      { op: "add", kind: "MediaProvider", pick: 0, media: "images" },
      { op: "up" },
      { op: "remove", at: 0 },
      { op: "up" },
    ],
  },
  {
    name: "settings whose connection names the same client at another address",
    shows: "invariant 2 after step 4: client 0 was reset (1×) though the program still manages it",
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "connect", at: 0, connection: { client: 0, spelling: "other" } },
      { op: "up" },
    ],
  },
  {
    name: "a restore renamed without an alias",
    shows: "invariant 2 after step 5: client 0: 2 restore POSTs for 1 intents",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0 },
      { op: "add", kind: "SettingsRestore", pick: 0 },
      { op: "up" },
      { op: "rename", at: 1, alias: false },
      { op: "up" },
    ],
  },
  {
    name: "two restores of one backup onto one client, the second meeting the client as it restarts",
    shows: "invariant 2 after step 5: client 0: 3 restore POSTs for 2 intents",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn", connection: { client: 0, spelling: "plain" } },
      { op: "up" },
      { op: "up" },
    ],
  },
  {
    name: "two settings resources setting one field of one client differently, one removed",
    shows: 'invariant 3 after step 5: client 0 log_level is "info", the program says "warning"',
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 1, media: "cdn" },
      { op: "add", kind: "ApplicationSettings", pick: 0, media: "cdn", connection: { client: 0, spelling: "plain" } },
      { op: "up" },
      { op: "remove", at: 3 },
      { op: "up" },
    ],
  },
  {
    name: "settings, a media provider, a backup and its restore, edited, moved to another client and destroyed",
    shows: "every invariant holds",
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 1 },
      { op: "add", kind: "MediaProvider", pick: 0, media: "cdn" },
      { op: "add", kind: "SettingsBackup", pick: 0 },
      { op: "add", kind: "SettingsRestore", pick: 0 },
      { op: "up" },
      { op: "set", at: 0, field: "webhook", value: 1 },
      { op: "fault", client: 0, fault: "5xx" },
      { op: "up" },
      { op: "drift", client: 0, field: "sentStatus", value: 1 },
      { op: "preview" },
      { op: "refresh" },
      { op: "rename", at: 0, alias: true },
      { op: "stack", connection: { client: 1, spelling: "cosmetic" } },
      { op: "up" },
      { op: "destroy" },
    ],
  },
  {
    name: "every resource type created, edited, renamed with an alias and destroyed",
    shows: "every invariant holds; the fast path and the engine stand-in send the same requests",
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 2 },
      { op: "add", kind: "MediaProvider", pick: 1, media: "images" },
      { op: "add", kind: "SettingsBackup", pick: 0 },
      { op: "add", kind: "SettingsRestore", pick: 0, connection: { client: 1, spelling: "plain" } },
      { op: "up" },
      { op: "set", at: 0, field: "sentStatus", value: 0 },
      { op: "rename", at: 1, alias: true },
      { op: "up" },
      { op: "destroy" },
    ],
  },
  {
    name: "a backup and its restore, destroyed and deployed again",
    shows: "every invariant holds: the second restore is the operator's new intent",
    expected: "pass",
    actions: [
      { op: "add", kind: "SettingsBackup", pick: 0, media: "cdn", connection: { client: 0, spelling: "plain" } },
      { op: "add", kind: "SettingsRestore", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "destroy" },
      { op: "up" },
    ],
  },
  {
    name: "two-step verification, a profile photo, an About text and a business profile, edited, renamed with an alias, moved and destroyed",
    shows:
      "every invariant holds: one two-step DELETE and one photo DELETE per client that held them, at the move and the destroy",
    expected: "pass",
    actions: [
      { op: "add", kind: "TwoStepVerification", pick: 0 },
      { op: "add", kind: "ProfilePhoto", pick: 0 },
      { op: "add", kind: "ProfileAbout", pick: 0 },
      { op: "add", kind: "BusinessProfile", pick: 0 },
      { op: "up" },
      { op: "set", at: 0, field: "pin", value: 1 },
      { op: "set", at: 1, field: "photo", value: 2 },
      { op: "set", at: 2, field: "about", value: 1 },
      { op: "set", at: 3, field: "description", value: 1 },
      { op: "rename", at: 0, alias: true },
      { op: "up" },
      { op: "connect", at: 1, connection: { client: 1, spelling: "plain" } },
      { op: "up" },
      { op: "refresh" },
      { op: "destroy" },
    ],
  },
  {
    name: "a profile photo renamed without an alias, the new name deployed with up --target, then a whole up",
    shows:
      "every invariant holds: the whole up diffs the new name, whose state says it uploaded the photo later, so the old one's delete sends nothing",
    defect: "held-once-handover",
    expected: "pass",
    actions: [
      { op: "add", kind: "ProfilePhoto", pick: 0, media: "cdn", connection: { client: 0, spelling: "plain" } },
      { op: "up" },
      { op: "rename", at: 0, alias: false },
      { op: "up", target: 0 },
      { op: "up" },
    ],
  },
  {
    name: "two-step verification renamed without an alias, the up killed after the new one's create, then an up",
    shows:
      "every invariant holds: the next up diffs the new name, whose state says it set the PIN later, so the old one's delete sends nothing",
    defect: "held-once-handover",
    expected: "pass",
    actions: [
      { op: "add", kind: "TwoStepVerification", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "rename", at: 0, alias: false },
      { op: "kill", command: "up", after: 1 },
      { op: "up" },
    ],
  },
  {
    name: "two-step verification moved to another address of its client, then replaced with up --replace",
    shows:
      "every invariant holds: the create at the new address reads the same registered number, so the original's delete finds it taken over and sends nothing",
    defect: "held-once-address",
    expected: "pass",
    actions: [
      { op: "add", kind: "TwoStepVerification", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "connect", at: 0, connection: { client: 0, spelling: "other" } },
      { op: "up", replace: 0 },
    ],
  },
  {
    name: "two TwoStepVerification resources on one client at two addresses, one removed",
    shows:
      "every invariant holds: the second create reads the first's registered number and fails before it writes (WHATSAPP_SHARED_CLIENT), so nothing of it is left to delete",
    defect: "held-once-address",
    expected: "pass",
    actions: [
      { op: "add", kind: "TwoStepVerification", pick: 0 },
      { op: "add", kind: "TwoStepVerification", pick: 1, connection: { client: 0, spelling: "other" } },
      { op: "up" },
      { op: "remove", at: 1 },
      { op: "up" },
    ],
  },
  {
    name: "two-step verification renamed without an alias and moved to another address of its client in one up",
    shows:
      "every invariant holds: the new name's create records the client by its registered number, so the old name's delete finds it taken over and sends nothing",
    defect: "held-once-address",
    expected: "pass",
    actions: [
      { op: "add", kind: "TwoStepVerification", pick: 0, media: "cdn" },
      { op: "up" },
      { op: "rename", at: 0, alias: false },
      { op: "connect", at: 0, connection: { client: 0, spelling: "other" } },
      { op: "up" },
    ],
  },
  {
    name: "a hand edit, then an update of another field of the same resource",
    shows: "every invariant holds: the update reads the edit back into state, the next refresh and up settle it",
    expected: "pass",
    actions: [
      { op: "add", kind: "ApplicationSettings", pick: 0, media: "cdn" },
      { op: "set", at: 0, field: "logLevel", value: 1 },
      { op: "up" },
      { op: "drift", client: 0, field: "logLevel", value: 0 },
      { op: "set", at: 0, field: "webhook", value: 0 },
      { op: "up" },
      { op: "refresh" },
      { op: "up" },
    ],
  },
];
