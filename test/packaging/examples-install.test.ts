/**
 * Each example installs and typechecks on its own, as a fresh clone does it: the example's
 * tracked files alone in a directory outside the repository, the packed package two levels up
 * where README's `npm install` looks for it, and exactly the commands of README's Install block.
 */
import { exec, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { FULL_RUN } from "../support/full-run";
import { packedTarball, ROOT } from "../support/packed";

// Both examples install with the same two commands, which test/docs/cli-blocks.test.ts also runs
// for each in a copy of the repository; `npm test` installs one stand-alone, `npm run test:full` both.
const EXAMPLES = FULL_RUN ? ["basic", "migrate-settings"] : ["basic"];
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The shell lines of the first ```sh block under README's "## Install" heading. */
function installCommands(readme: string): string[] {
  const start = readme.indexOf("\n## Install\n");
  const block = start < 0 ? undefined : /```sh\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  if (!block) throw new Error("README has no ```sh block under ## Install");
  return block
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}

function run(command: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Offline-capable: what CI's `npm ci` put in the npm cache is enough.
    const env = {
      ...process.env,
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    exec(command, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed in ${cwd}:\n${stdout}${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

function freshClone(example: string): string {
  const root = mkdtempSync(join(tmpdir(), `example-${example}-`));
  // At the clone's root, where README's `npm ci && npm pack` leaves it.
  const tarball = packedTarball();
  copyFileSync(tarball, join(root, basename(tarball)));
  const files = execFileSync("git", ["ls-files", `examples/${example}`], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(root, file));
  }
  return join(root, "examples", example);
}

describe.concurrent.each(EXAMPLES)("examples/%s", (example) => {
  test("installs and typechecks in a fresh clone with exactly README's Install commands", async () => {
    const commands = installCommands(readFileSync(join(ROOT, "examples", example, "README.md"), "utf8"));
    expect(commands).toEqual([
      `npm install --no-save ../../pulumi-whatsapp-settings-${VERSION}.tgz`,
      "npx tsc --noEmit",
    ]);
    const dir = freshClone(example);
    for (const command of commands) await run(command, dir);
    const installed = JSON.parse(
      readFileSync(join(dir, "node_modules/pulumi-whatsapp-settings/package.json"), "utf8"),
    ) as { version: string };
    expect(installed.version).toBe(VERSION);
    // --no-save leaves the example's manifest as committed: copyable, depending on a version.
    expect(readFileSync(join(dir, "package.json"), "utf8")).toBe(
      readFileSync(join(ROOT, "examples", example, "package.json"), "utf8"),
    );
  }, 180_000);

  test("uses the tsconfig `pulumi new typescript` writes, without esModuleInterop or skipLibCheck", () => {
    const tsconfig = readFileSync(join(ROOT, "examples", example, "tsconfig.json"), "utf8");
    expect(tsconfig).toBe(readFileSync(join(ROOT, "test/packaging/templates/tsconfig.nodenext.json"), "utf8"));
    expect(tsconfig).not.toMatch(/esModuleInterop|skipLibCheck/);
  });
});
