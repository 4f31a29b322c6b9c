/**
 * The package as users get it: `npm pack` of the built tree, unpacked into a throwaway program
 * directory's node_modules, so missing files and serialization problems fail the tests.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The repository root, found from this file whether it runs from source or from dist/. */
function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "pulumi-whatsapp-settings")
      return dir;
  }
  throw new Error(`no pulumi-whatsapp-settings checkout above ${from}`);
}

export const ROOT = findRoot(__dirname);
const TMP = join(ROOT, ".tmp");

/** `npm pack` of the built tree into `destination`: the tarball and the files it holds. */
export function packInto(destination: string): { tarball: string; files: string[] } {
  if (!existsSync(join(ROOT, "dist/provider/index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
  }
  mkdirSync(destination, { recursive: true });
  // --ignore-scripts: dist/ is already built, and a build per pack would race between test files.
  const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const [result] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!result) throw new Error(`npm pack printed no result: ${out}`);
  return { tarball: join(destination, result.filename), files: result.files.map((file) => file.path).sort() };
}

/** Where the suite's global setup (pack-once.ts) leaves the run's one tarball. */
export const RUN_TARBALL = "WHATSAPP_TEST_TARBALL";

let tarball: string | undefined;

/**
 * The package's tarball for this run: the one the suite's global setup packed, else (a script,
 * the engine stand-in) one packed by this process into the repository's `.tmp`. `npm pack` costs
 * a second or two; each test file would otherwise pay it again.
 */
export function packedTarball(): string {
  const shared = process.env[RUN_TARBALL];
  if (shared && existsSync(shared)) return shared;
  tarball ??= packInto(TMP).tarball;
  return tarball;
}

/**
 * A program directory inside the repository (so the package's own dependencies resolve from the
 * repository's node_modules) with the packed package installed in its node_modules; made under
 * `parent` (a directory inside the repository), by default its `.tmp`.
 */
export function packedProgram(files: Record<string, string> = {}, parent = TMP): string {
  const file = packedTarball();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "program-"));
  const target = join(dir, "node_modules", "pulumi-whatsapp-settings");
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", file, "-C", target, "--strip-components=1"]);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "program", private: true, main: "index.js" }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A new program directory beside the others holding a copy of `source` (its node_modules included). */
export function programCopy(source: string): string {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, "program-"));
  cpSync(source, dir, { recursive: true });
  return dir;
}
