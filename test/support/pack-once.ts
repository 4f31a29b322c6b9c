/**
 * The suite's global setup: the package packed once for the whole run, into a directory of its
 * own that is removed at the end. Test files find it through `packedTarball()` (packed.ts).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { packInto, ROOT, RUN_TARBALL } from "./packed";

export default function packOnce(): () => void {
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".tmp", "run-"));
  process.env[RUN_TARBALL] = packInto(dir).tarball;
  return () => {
    delete process.env[RUN_TARBALL];
    rmSync(dir, { recursive: true, force: true });
  };
}
