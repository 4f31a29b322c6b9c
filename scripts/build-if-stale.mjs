// Runs before `npm start`, `npm run engine`, `npm run emulator`, `npm run docs` and `npm run bench`:
// refuses a Node older than package.json's `engines` (npm itself only warns), then compiles to
// dist/ only when a source is newer than the last build, so an unchanged tree starts in
// a second instead of spending most of its time in tsc. Plain JavaScript: it must run on any Node.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** The major version `engines.node` (">=22") asks for. */
export function requiredMajor(engines) {
  const match = /(\d+)/.exec(engines ?? "");
  return match ? Number(match[1]) : 0;
}

/** Why this Node cannot run the project, with how to get one that can; undefined when it can. */
export function nodeVersionProblem(version, engines) {
  const need = requiredMajor(engines);
  const have = Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
  if (have >= need) return undefined;
  return (
    `pulumi-whatsapp-settings needs Node.js ${need} or newer; this is Node.js ${version}.\n` +
    `Get Node.js ${need}: \`nvm install ${need} && nvm use ${need}\` (https://github.com/nvm-sh/nvm), ` +
    `\`fnm use --install-if-missing ${need}\`, or the installer at https://nodejs.org/en/download. ` +
    `Then run \`npm ci\` again.`
  );
}

/** The compiler's inputs, per tsconfig.build.json's `include`, plus the configs themselves. */
const INPUTS = ["provider", "test/emulator", "test/e2e", "test/engine", "test/fuzz", "test/support", "scripts"];
const CONFIGS = ["tsconfig.json", "tsconfig.build.json", "package.json", "package-lock.json"];
const STAMP = join(ROOT, "dist", ".build-stamp");

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith(".md") ? 0 : stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules") continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

function main() {
  const problem = nodeVersionProblem(process.version, manifest.engines?.node);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  const sources = Math.max(
    ...INPUTS.map((dir) => newest(join(ROOT, dir))),
    ...CONFIGS.map((f) => newest(join(ROOT, f))),
  );
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= sources) return;
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
  } catch {
    process.exit(1);
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
