/**
 * README: "`https://WA.example.com:443/` and `https://wa.example.com` are one client and an edit
 * between them changes nothing". Held through the engine stand-in for an edit of stack config,
 * which every resource without its own connection keeps in state: with the dynamic provider, and
 * with the native one, whose default provider takes its inputs from that stack config.
 */
import { expect } from "vitest";
import { runEngine } from "../engine/deployment";
import { emulator } from "../support/emulator";
import { programFiles, rowPerProvider } from "../support/native-plugin";
import { programOf } from "../support/program-dir";

const RESOURCES = `
new ws.ApplicationSettings("settings", { sentStatus: true });
new ws.MediaProvider("cdn", { name: "cdn", config: { bearer: "Cdn-Bearer-2d7e5a91" } });
`;

rowPerProvider(
  "a cosmetic edit of whatsapp:baseUrl in stack config previews no change and up sends no write (%s provider)",
  async (provider) => {
    const e = await emulator();
    const program = programOf(programFiles(provider, "cosmetic", RESOURCES));
    const options = (baseUrl: string) => ({
      dir: program.dir,
      config: { "whatsapp:baseUrl": baseUrl, "whatsapp:username": "admin", "whatsapp:caCert": e.caCert as string },
      secrets: { "whatsapp:password": e.adminPassword },
    });
    const first = await runEngine("up", options(e.url));
    expect(first.ok, JSON.stringify(first.diagnostics)).toBe(true);
    expect(first.steps.filter((s) => s.op === "create").map((s) => s.name)).toEqual(
      expect.arrayContaining(["settings", "cdn"]),
    );

    // Upper-case scheme and host, a trailing slash: the same client.
    const cosmetic = `${e.url.replace("https://", "HTTPS://").replace("localhost", "LOCALHOST")}/`;
    expect(cosmetic).not.toBe(e.url);
    e.journal.clear();
    const preview = await runEngine("preview", options(cosmetic));
    expect(preview.ok).toBe(true);
    const changed = (result: typeof preview) =>
      result.steps
        .filter((s) => s.op !== "same" && !s.type.startsWith("pulumi:providers:"))
        .map((s) => `${s.op} ${s.name}`);
    expect(changed(preview)).toEqual([]);
    const up = await runEngine("up", options(cosmetic));
    expect(up.ok).toBe(true);
    expect(changed(up)).toEqual([]);
    expect(e.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  },
  120_000,
);
