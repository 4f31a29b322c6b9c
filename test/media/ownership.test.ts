/**
 * Who owns a media provider, as operators meet it: whole programs through the engine stand-in and
 * Pulumi's real dynamic-provider host, against the emulator, counting every request the client
 * received and comparing the client's provider list with state after every step.
 */
import { describe, expect, test } from "vitest";
import type { Emulator } from "../emulator/index";
import { type EngineResult, runEngine } from "../engine/deployment";
import { revealProps } from "../engine/property-values";
import { call, login } from "../support/api";
import { emulator } from "../support/emulator";
import { programOf } from "../support/program-dir";

const PATH = "/v1/settings/application/media/providers";
const OURS = "Ours-Bearer-4c1d9e77";
const ROTATED = "Ours-Rotated-8b2f6a13";
const THEIRS = "Theirs-Bearer-0a9b8c7d";
// Seconds each on an idle machine; several engine runs per test.
const SLOW = 180_000;

type Props = Record<string, unknown>;

/** A program directory whose `index.js` is `source`, run with the emulator's stack config. */
function stack(e: Emulator, source: string) {
  const program = programOf({ "Pulumi.yaml": "name: media-ownership\nruntime: nodejs\n", "index.js": source });
  const options = {
    dir: program.dir,
    config: { "whatsapp:baseUrl": e.url, "whatsapp:username": "admin", "whatsapp:caCert": e.caCert as string },
    secrets: { "whatsapp:password": e.adminPassword },
  };
  return {
    run: (command: "preview" | "up" | "refresh" | "destroy") => runEngine(command, options),
    write: (text: string) => program.write("index.js", text),
  };
}

function mediaProvider(resource: string, args: string): string {
  return `new ws.MediaProvider(${JSON.stringify(resource)}, ${args});\n`;
}

const HEAD = 'const ws = require("pulumi-whatsapp-settings");\n';

/** What the client lists, read with a plain HTTP call. */
async function listed(e: Emulator): Promise<Props[]> {
  const reply = await call(e, "GET", PATH, { token: await login(e) });
  return reply.json.settings.application.media.providers;
}

/** The media providers a checkpoint holds, as the client would list them. */
function inState(result: EngineResult): Props[] {
  return result.checkpoint.resources
    .filter((r) => r.type.endsWith("whatsapp:MediaProvider"))
    .map((r) => revealProps(r.outputs))
    .map(({ name, type, config }) => ({ name, type, config }));
}

/** The writes the client received to its media providers. */
function mediaWrites(e: Emulator): string[] {
  return e.journal.entries
    .filter((r) => r.path.startsWith(PATH) && r.method !== "GET")
    .map((r) => `${r.method} ${r.path} ${r.status}`);
}

function errors(result: EngineResult): string {
  return result.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => d.message)
    .join("\n");
}

async function seedTheirs(e: Emulator): Promise<void> {
  await call(e, "POST", PATH, {
    token: await login(e),
    body: [{ name: "cdn", type: "www", config: { bearer: THEIRS } }],
  });
  e.journal.clear();
}

describe("a provider the stack does not own", () => {
  test(
    "is neither written nor deleted without adopt; adopt: true, shown in preview, takes it over and destroy then deletes it",
    async () => {
      const e = await emulator();
      await seedTheirs(e);
      const s = stack(e, HEAD + mediaProvider("cdn", `{ name: "cdn", config: { bearer: "${OURS}" } }`));

      const refused = await s.run("up");
      expect(refused.ok).toBe(false);
      expect(errors(refused)).toContain(
        `the client at ${e.url} already has a media provider named "cdn" that this stack did not create; nothing was sent`,
      );
      expect(errors(refused)).toContain("set adopt: true on this MediaProvider");
      expect(mediaWrites(e)).toEqual([]);
      expect(inState(refused)).toEqual([]);
      expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: { bearer: THEIRS } }]);

      // Destroy of a stack that never got it: their provider stays.
      const destroyed = await s.run("destroy");
      expect(destroyed.ok).toBe(true);
      expect(mediaWrites(e)).toEqual([]);
      expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: { bearer: THEIRS } }]);

      s.write(HEAD + mediaProvider("cdn", `{ name: "cdn", config: { bearer: "${OURS}" }, adopt: true }`));
      const preview = await s.run("preview");
      const create = preview.steps.find((step) => step.name === "cdn");
      expect(create?.op).toBe("create");
      expect(create?.changes).toContainEqual(expect.objectContaining({ kind: "+", path: "adopt", after: true }));
      expect(mediaWrites(e)).toEqual([]);

      const adopted = await s.run("up");
      expect(adopted.ok).toBe(true);
      expect(mediaWrites(e)).toEqual([`POST ${PATH} 200`]);
      expect(await listed(e)).toEqual(inState(adopted));
      expect(inState(adopted)).toEqual([{ name: "cdn", type: "www", config: { bearer: OURS } }]);

      e.journal.clear();
      const gone = await s.run("destroy");
      expect(gone.ok).toBe(true);
      expect(mediaWrites(e)).toEqual([`DELETE ${PATH}/cdn 200`]);
      expect(await listed(e)).toEqual(inState(gone));
    },
    SLOW,
  );
});

describe("a replacement under the same name", () => {
  test(
    "replaceOnChanges: [config]: the new provider is written, the old one's delete sends nothing, the client keeps it",
    async () => {
      const e = await emulator();
      const program = (token: string) =>
        HEAD +
        `new ws.MediaProvider("cdn", { name: "cdn", config: { bearer: "${token}" } }, { replaceOnChanges: ["config"] });\n`;
      const s = stack(e, program(OURS));
      const first = await s.run("up");
      expect(first.ok).toBe(true);
      expect(await listed(e)).toEqual(inState(first));

      e.journal.clear();
      s.write(program(ROTATED));
      const replaced = await s.run("up");
      expect(replaced.ok).toBe(true);
      expect(replaced.steps.filter((step) => step.name === "cdn").map((step) => step.op)).toEqual(["replace"]);
      expect(mediaWrites(e)).toEqual([`POST ${PATH} 200`]);
      expect(inState(replaced)).toEqual([{ name: "cdn", type: "www", config: { bearer: ROTATED } }]);
      expect(await listed(e)).toEqual(inState(replaced));

      // The next preview has nothing to do, and it is true: the client holds what state says.
      const preview = await s.run("preview");
      expect(preview.steps.filter((step) => step.op !== "same")).toEqual([]);
    },
    SLOW,
  );

  test(
    "a new name warns in preview that the old provider will be deleted, then replaces it: the client lists the new one only",
    async () => {
      const e = await emulator();
      const s = stack(e, HEAD + mediaProvider("cdn", `{ name: "cdn", config: { bearer: "${OURS}" } }`));
      expect((await s.run("up")).ok).toBe(true);
      s.write(HEAD + mediaProvider("cdn", `{ name: "cdn_two", config: { bearer: "${OURS}" } }`));
      e.journal.clear();
      const preview = await s.run("preview");
      expect(preview.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message)).toContainEqual(
        expect.stringContaining(`${e.url}: this step will send DELETE ${PATH}/cdn: media provider "cdn" is deleted`),
      );
      expect(mediaWrites(e)).toEqual([]);
      const up = await s.run("up");
      expect(up.ok).toBe(true);
      expect(mediaWrites(e)).toEqual([`POST ${PATH} 200`, `DELETE ${PATH}/cdn 200`]);
      expect(await listed(e)).toEqual(inState(up));
    },
    SLOW,
  );
});

describe("two resources claiming one provider", () => {
  test(
    "are refused at check with both names: the second never reaches the client, and state holds what the client does",
    async () => {
      const e = await emulator();
      const s = stack(
        e,
        HEAD +
          mediaProvider("cdn-a", `{ name: "cdn", config: { bearer: "${OURS}" } }`) +
          mediaProvider("cdn-b", `{ name: "cdn", config: { bearer: "${ROTATED}" } }`),
      );
      const up = await s.run("up");
      expect(up.ok).toBe(false);
      expect(errors(up)).toContain(
        `"cdn" on ${e.url} is claimed by two resources, MediaProvider "cdn-b" and MediaProvider "cdn-a"`,
      );
      // Pulumi checks one registration at a time and runs each step once generated, so the first
      // claimant may already be created when the second is refused: one provider, held once.
      expect(mediaWrites(e)).toEqual([`POST ${PATH} 200`]);
      expect(inState(up)).toEqual([{ name: "cdn", type: "www", config: { bearer: OURS } }]);
      expect(await listed(e)).toEqual(inState(up));
    },
    SLOW,
  );
});
