/**
 * A program directory to run through the engine stand-in: an example's files copied verbatim
 * (or files given inline), with the packed package installed beside `@pulumi/pulumi`.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packedProgram, ROOT } from "./packed";

/** Files Pulumi reads from a program directory; READMEs and npm settings are left behind. */
const PROGRAM_FILES = /^(index\.ts|tsconfig\.json|package\.json|Pulumi(\.[\w-]+)?\.yaml)$/;

export interface ExampleCopy {
  dir: string;
  /** Replaces a file of the copy (an edited program). */
  write(name: string, text: string): void;
  read(name: string): string;
}

function wrap(dir: string): ExampleCopy {
  return {
    dir,
    write: (name, text) => writeFileSync(join(dir, name), text),
    read: (name) => readFileSync(join(dir, name), "utf8"),
  };
}

export function copyExample(name: string): ExampleCopy {
  const source = join(ROOT, "examples", name);
  const dir = packedProgram();
  for (const file of readdirSync(source)) {
    if (PROGRAM_FILES.test(file)) cpSync(join(source, file), join(dir, file));
  }
  return wrap(dir);
}

/** A program from inline files (Pulumi.yaml, index.js or index.ts, ...). */
export function programOf(files: Record<string, string>): ExampleCopy {
  return wrap(packedProgram(files));
}

/** The program in `dir`, as it is. */
export function programAt(dir: string): ExampleCopy {
  return wrap(dir);
}
