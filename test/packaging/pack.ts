/** `npm pack` of the built tree into a directory of the caller's own, so parallel test files never share a tarball. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/packed";

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
