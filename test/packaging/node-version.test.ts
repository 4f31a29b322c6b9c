/**
 * Node 22 is checked where it matters: every npm script that runs the project's code starts with
 * scripts/build-if-stale.mjs, which refuses an older Node (npm itself only warns, EBADENGINE)
 * and says how to get Node 22.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../support/packed";

const SCRIPT = join(ROOT, "scripts/build-if-stale.mjs");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

/** What the check says of a Node version, run in plain Node as npm runs it. */
function problem(version: string): string {
  const code = `import { nodeVersionProblem } from ${JSON.stringify(SCRIPT)};
process.stdout.write(String(nodeVersionProblem(${JSON.stringify(version)}, ${JSON.stringify(manifest.engines.node)})));`;
  return execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
}

test.each([
  ["v20.20.2", false],
  ["v18.19.0", false],
  ["v22.0.0", true],
  ["v24.1.0", true],
])("Node %s passes the check: %s", (version, passes) => {
  const said = problem(version);
  if (passes) {
    expect(said).toBe("undefined");
  } else {
    expect(said).toBe(
      `pulumi-whatsapp-settings needs Node.js 22 or newer; this is Node.js ${version}.\n` +
        "Get Node.js 22: `nvm install 22 && nvm use 22` (https://github.com/nvm-sh/nvm), " +
        "`fnm use --install-if-missing 22`, or the installer at https://nodejs.org/en/download. Then run `npm ci` again.",
    );
  }
});

test("every npm script that runs the project's code goes through the check first", () => {
  for (const name of ["start", "engine", "emulator", "docs", "bench", "prepack"]) {
    expect(manifest.scripts[name], name).toMatch(/^node scripts\/build-if-stale\.mjs( &&|$)/);
  }
});

// The machine's own Node, where one older than 22 is installed next to the one running the tests.
const OLD_NODE = ["/usr/bin/node", "/usr/local/bin/node"].find(
  (path) =>
    existsSync(path) && Number(/^v(\d+)/.exec(spawnSync(path, ["--version"], { encoding: "utf8" }).stdout)?.[1]) < 22,
);

test.skipIf(!OLD_NODE)("an older Node stops before compiling or running anything, saying how to get Node 22", () => {
  const run = spawnSync(OLD_NODE as string, [SCRIPT], { encoding: "utf8" });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^pulumi-whatsapp-settings needs Node\.js 22 or newer; this is Node\.js v\d+\./);
  expect(run.stderr).toContain("nvm install 22");
  expect(run.stdout).toBe("");
});
