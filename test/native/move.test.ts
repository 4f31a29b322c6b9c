/**
 * README's "Moving a stack from the dynamic provider", run as written through the engine stand-in
 * with `pulumi` the stand-in of test/docs/cli-shim.mjs: its two programs and its commands against
 * two emulated clients (the old one backed up, the new one restored onto), counting what each
 * received. The rules it leans on: a delete of a resource whose state says `retainOnDelete` calls
 * no provider (`pkg/resource/deploy/step.go`, `DeleteStep.Apply`), and the `import` option reads
 * from the id alone, then checks and diffs against the program (`step.go`, `ImportStep.Apply`;
 * `step_generator.go`, `continueStepsFromImport`).
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { block, run } from "../docs/shell-blocks";
import type { Emulator } from "../emulator/index";
import { loadCheckpoint } from "../engine/checkpoint";
import { runEngine } from "../engine/deployment";
import { emulator } from "../support/emulator";
import { nativeTypeScriptProgram } from "../support/native-plugin";
import { ROOT } from "../support/packed";
import { programOf } from "../support/program-dir";
import { writeLines as writes } from "../support/provider";

const README = "README.md";
const HEADING = "Moving a stack from the dynamic provider";

function requests(e: Emulator): string[] {
  return e.journal.filter().map((r) => `${r.method} ${r.path}`);
}

/** A bin directory where `pulumi` is the stand-in, deploying through the built engine stand-in. */
function shim(): Record<string, string> {
  const bin = mkdtempSync(join(tmpdir(), "move-shim-"));
  writeFileSync(
    join(bin, "pulumi"),
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "test/docs/cli-shim.mjs")}" pulumi "$@"\n`,
  );
  chmodSync(join(bin, "pulumi"), 0o755);
  return { PATH: `${bin}:${process.env.PATH}`, SHIM_ENGINE: join(ROOT, "dist/test/engine/cli.js") };
}

test("README's move from the dynamic provider: retainOnDelete, then import; no reset, no delete, no restore, no write, and nothing to do after", async () => {
  const old = await emulator({ waId: "15550001111" });
  const fresh = await emulator({ waId: null });
  const [before, after] = [block(README, HEADING, 0, "ts"), block(README, HEADING, 1, "ts")];
  const [step1, step2] = [block(README, HEADING, 0), block(README, HEADING, 1)];
  // The stack as it was before the move: step 1's program without what step 1 adds.
  const original = before.replaceAll(", retainOnDelete: true }, // added", " },");
  expect(original).not.toContain("retainOnDelete");
  const program = programOf(nativeTypeScriptProgram("move", original));

  // Config as `pulumi config set` keeps it (cli-shim.mjs): plain in Pulumi.dev.yaml, secrets apart.
  const plain: Record<string, string> = {
    "move:oldBaseUrl": old.url,
    "move:oldCaCert": old.caCert as string,
    "move:newBaseUrl": fresh.url,
    "move:newCaCert": fresh.caCert as string,
  };
  const secrets: Record<string, string> = {
    "move:oldPassword": old.adminPassword,
    "move:newPassword": fresh.adminPassword,
    "move:backupPassword": "Backup-Passw0rd!",
    "move:webhookUrl": "https://hooks.example.com/wa?auth=move-secret",
    "move:cdnToken": "Cdn-Bearer-5f0e2a71",
  };
  const state = join(program.dir, ".pulumi-shim");
  mkdirSync(state, { recursive: true });
  writeFileSync(join(state, "stack"), "dev\n");
  writeFileSync(join(state, "dev.plain.json"), JSON.stringify(plain));
  writeFileSync(join(state, "dev.secrets.json"), JSON.stringify(secrets), { mode: 0o600 });
  const yaml = Object.entries(plain).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  writeFileSync(join(program.dir, "Pulumi.dev.yaml"), `config:\n${yaml.join("\n")}\n`);
  const env = { ...shim(), WHATSAPP_RESTORE_RECORD_DIR: mkdtempSync(join(tmpdir(), "move-records-")) };
  const shell = async (text: string) => {
    const ran = await run(`set -e\n${text}`, program.dir, env);
    expect(ran.code, ran.output.slice(-3000)).toBe(0);
    for (const value of Object.values(secrets)) expect(ran.output).not.toContain(value);
    return ran.output;
  };

  // The stack made with the dynamic provider: one backup, one restore, settings and a media provider.
  await shell("pulumi up");
  expect(old.journal.count("POST /v1/settings/backup")).toBe(1);
  expect(fresh.journal.count("POST /v1/settings/restore")).toBe(1);
  expect(fresh.getSetting("webhooks.url")).toBe(secrets["move:webhookUrl"]);
  old.journal.clear();
  fresh.journal.clear();

  // Step 1: only state changes.
  program.write("index.ts", before);
  const first = await shell(step1);
  expect({ old: requests(old), fresh: writes(fresh) }).toEqual({ old: [], fresh: [] });
  expect(first).not.toMatch(/^\s*[~+-]\s/m);
  const ids = runEngineState(program.dir);
  const steps1 = ids.resources.filter((r) => r.custom).map((r) => [r.name, r.retainOnDelete]);
  expect(steps1).toEqual(
    expect.arrayContaining([
      ["settings", true],
      ["cdn", true],
      ["backup", true],
      ["restore", true],
    ]),
  );

  // Step 2: the ids as `pulumi stack --show-ids` prints them, in place of the placeholders.
  const idOf = (name: string) => ids.resources.find((r) => r.name === name)?.id as string;
  const commands = step2
    .replace("'<printed id of settings>'", `'${idOf("settings")}'`)
    .replace("'<printed id of cdn>'", `'${idOf("cdn")}'`);
  expect(commands).not.toContain("<printed");
  program.write("index.ts", after);
  const second = await shell(commands);
  expect(second).toContain("whatsapp:index:ApplicationSettings whatsapp-settings import");
  expect(second).toContain("whatsapp:index:MediaProvider whatsapp-cdn import");

  // Nothing but reads and logins reached either client: no reset, no media provider delete, no
  // restore, no settings write.
  expect({ old: writes(old), fresh: writes(fresh) }).toEqual({ old: [], fresh: [] });
  expect(requests(old)).toEqual([]);
  expect(fresh.journal.count("DELETE /v1/settings/application")).toBe(0);
  expect(fresh.journal.count("POST /v1/settings/restore")).toBe(0);
  // Read from the id alone: one login, the media providers listed, the settings read.
  expect(requests(fresh).sort()).toEqual([
    "GET /v1/settings/application",
    "GET /v1/settings/application/media/providers",
    "POST /v1/users/login",
  ]);
  expect(fresh.getSetting("webhooks.url")).toBe(secrets["move:webhookUrl"]);

  const moved = runEngineState(program.dir);
  expect(moved.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`)).toEqual(
    expect.arrayContaining([
      "pulumi-nodejs:dynamic/whatsapp:SettingsBackup backup",
      "pulumi-nodejs:dynamic/whatsapp:SettingsRestore restore",
      "whatsapp:index:ApplicationSettings whatsapp-settings",
      "whatsapp:index:MediaProvider whatsapp-cdn",
    ]),
  );
  expect(moved.resources.map((r) => r.name)).not.toContain("settings");
  expect(moved.resources.map((r) => r.name)).not.toContain("cdn");

  // The preview the block ends with has nothing to do; so has one run here, step by step.
  const preview = await runEngine("preview", {
    dir: program.dir,
    stack: "dev",
    secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k.replace(/^move:/, ""), v])),
  });
  expect(preview.ok, JSON.stringify(preview.diagnostics)).toBe(true);
  expect(preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`)).toEqual([]);
  expect([...requests(old), ...writes(fresh)]).toEqual([]);

  // A restore cannot be imported: refused before anything is sent, the dynamic one left as it is.
  program.write(
    "index.ts",
    `${after}
new native.SettingsRestore(
  "restore-native",
  { data: backup.data, password: backupPassword },
  { provider: client, import: ${JSON.stringify(idOf("restore"))} },
);
`,
  );
  fresh.journal.clear();
  const refused = await runEngine("up", {
    dir: program.dir,
    stack: "dev",
    secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k.replace(/^move:/, ""), v])),
  });
  expect(refused.ok).toBe(false);
  expect(JSON.stringify(refused.diagnostics)).toContain("cannot be imported from its id");
  expect(JSON.stringify(refused.diagnostics)).toContain("WHATSAPP_INVALID_INPUT");
  expect(writes(fresh)).toEqual([]);
  expect(fresh.journal.count("POST /v1/settings/restore")).toBe(0);
  expect(runEngineState(program.dir).resources.map((r) => r.name)).not.toContain("restore-native");
}, 300_000);

function runEngineState(dir: string) {
  return loadCheckpoint(join(dir, ".pulumi-state", "dev.json"), "move", "dev");
}
