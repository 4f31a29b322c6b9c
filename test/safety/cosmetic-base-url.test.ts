/**
 * README: "`https://WA.example.com:443/` and `https://wa.example.com` are one client and an edit
 * between them changes nothing". Held through the engine stand-in for an edit of stack config,
 * which every resource without its own connection keeps in state.
 */
import { expect, test } from "vitest";
import { runEngine } from "../engine/deployment";
import { emulator } from "../support/emulator";
import { programOf } from "../support/program-dir";

const PROGRAM = `
const ws = require("pulumi-whatsapp-settings");
new ws.ApplicationSettings("settings", { sentStatus: true });
new ws.MediaProvider("cdn", { name: "cdn", config: { bearer: "Cdn-Bearer-2d7e5a91" } });
`;

test("a cosmetic edit of whatsapp:baseUrl in stack config previews no change and up sends no write", async () => {
  const e = await emulator();
  const program = programOf({ "Pulumi.yaml": "name: cosmetic\nruntime: nodejs\n", "index.js": PROGRAM });
  const options = (baseUrl: string) => ({
    dir: program.dir,
    config: { "whatsapp:baseUrl": baseUrl, "whatsapp:username": "admin", "whatsapp:caCert": e.caCert as string },
    secrets: { "whatsapp:password": e.adminPassword },
  });
  expect((await runEngine("up", options(e.url))).ok).toBe(true);

  // Upper-case scheme and host, a trailing slash: the same client.
  const cosmetic = `${e.url.replace("https://", "HTTPS://").replace("localhost", "LOCALHOST")}/`;
  expect(cosmetic).not.toBe(e.url);
  e.journal.clear();
  const preview = await runEngine("preview", options(cosmetic));
  expect(preview.ok).toBe(true);
  expect(preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`)).toEqual([]);
  const up = await runEngine("up", options(cosmetic));
  expect(up.ok).toBe(true);
  expect(up.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`)).toEqual([]);
  expect(e.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual([]);
}, 120_000);
