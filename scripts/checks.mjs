// `npm test`'s checks before the suite: lint, the type check of every file and the build of dist/
// that the tests run, side by side. Each is a process of its own and waits mostly on one core, so
// on two cores the three take about as long as the longest. Output is printed per check, in this
// order, once all are done; the exit code is the first failure's. Plain JavaScript: any Node.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(ROOT, "node_modules", ".bin", name);

const CHECKS = [
  ["lint", bin("biome"), ["check", "."]],
  ["typecheck", bin("tsc"), ["-p", "tsconfig.json", "--noEmit"]],
  ["build", bin("tsc"), ["-p", "tsconfig.build.json"]],
];

function run([name, command, args]) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0" } });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", (error) => resolve({ name, code: 1, output: `${output}${error.message}\n` }));
    child.on("close", (code) => resolve({ name, code: code ?? 1, output }));
  });
}

const results = await Promise.all(CHECKS.map(run));
// The build just made is current: stamp it as build-if-stale.mjs stamps its own, or the suite's
// first `npm run emulator` (README's "The emulator" block, run in this tree) compiles it all again.
if (results.find((result) => result.name === "build")?.code === 0) {
  writeFileSync(join(ROOT, "dist", ".build-stamp"), `${new Date().toISOString()}\n`);
}
for (const { name, code, output } of results) {
  process.stdout.write(`> ${name}: ${code === 0 ? "ok" : `failed (exit ${code})`}\n${output}`);
}
process.exitCode = results.find((result) => result.code !== 0)?.code ?? 0;
