/**
 * The suite's global setup: the package packed once for the whole run, into a directory of its
 * own that is removed at the end, and the program that registers every type once under mocks.
 * Test files find them through `packedTarball()` (packed.ts) and `registeredProgram()`
 * (hosted-program.ts).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RUN_PROGRAM, registerEveryType } from "./every-type-program";
import { packInto, ROOT, RUN_TARBALL } from "./packed";

export default function packOnce(): () => void {
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".tmp", "run-"));
  process.env[RUN_TARBALL] = packInto(dir).tarball;
  process.env[RUN_PROGRAM] = registerEveryType(dir).dir;
  return () => {
    delete process.env[RUN_TARBALL];
    delete process.env[RUN_PROGRAM];
    rmSync(dir, { recursive: true, force: true });
  };
}
