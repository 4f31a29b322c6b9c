/**
 * A program as `pulumi new typescript` makes it, outside this repository: its own node_modules
 * with the packed package, `@pulumi/pulumi` and the template's `@types/node` ^18, and one of the
 * template's tsconfigs. Compiled by a given TypeScript with its own type roots only, so nothing
 * of the repository's (`@types/node` 22, zod) can help or hide an error.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packedTarball, ROOT } from "../support/packed";

export const TOOLCHAIN = join(ROOT, "test/packaging/toolchain/node_modules");
export const TEMPLATES = ["nodenext", "commonjs"] as const;
export type Template = (typeof TEMPLATES)[number];

/** The TypeScript versions a user may have: the template's lowest and the newest 5.x. */
export const COMPILERS = {
  "5.0": join(TOOLCHAIN, "typescript"),
  newest: join(ROOT, "node_modules/typescript"),
} as const;
export type Compiler = keyof typeof COMPILERS;

export function compilerVersion(compiler: Compiler): string {
  return (JSON.parse(readFileSync(join(COMPILERS[compiler], "package.json"), "utf8")) as { version: string }).version;
}

/** A fresh program directory holding `index.ts`, the template tsconfig and node_modules. */
export function freshProgram(template: Template, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fresh-program-${template}-`));
  const modules = join(dir, "node_modules");
  const tarball = packedTarball();
  mkdirSync(join(modules, "@types"), { recursive: true });
  mkdirSync(join(modules, "@pulumi"), { recursive: true });
  mkdirSync(join(modules, "pulumi-whatsapp-settings"));
  execFileSync("tar", ["-xzf", tarball, "-C", join(modules, "pulumi-whatsapp-settings"), "--strip-components=1"]);
  symlinkSync(join(ROOT, "node_modules/@pulumi/pulumi"), join(modules, "@pulumi/pulumi"), "dir");
  symlinkSync(join(TOOLCHAIN, "@types/node"), join(modules, "@types/node"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "fresh-program", main: "index.ts" }));
  writeFileSync(join(dir, "index.ts"), source);
  cpSync(join(ROOT, `test/packaging/templates/tsconfig.${template}.json`), join(dir, "tsconfig.json"));
  return dir;
}

export interface Compiled {
  errors: string[];
  /** Every file the program loaded, for asserting what the public types pull in. */
  files: string[];
}

/**
 * `tsc --noEmit` of a program directory, in a child process: a check of @pulumi/pulumi's
 * declarations without skipLibCheck takes seconds, and the four combinations run side by side.
 */
export async function compile(dir: string, compiler: Compiler): Promise<Compiled> {
  const tsc = join(COMPILERS[compiler], "bin/tsc");
  const args = [tsc, "-p", dir, "--noEmit", "--pretty", "false", "--listFiles"];
  const output = await new Promise<string>((resolve, reject) => {
    // tsc exits 2 when it reports errors; its output says which, so both outcomes are read.
    execFile(process.execPath, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve(stdout + stderr);
    });
  });
  const lines = output.split("\n").filter(Boolean);
  return {
    errors: lines.filter((line) => / error TS\d+:/.test(line)),
    files: lines.filter((line) => line.startsWith("/")),
  };
}
