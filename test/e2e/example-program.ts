/** An example of `examples/`, compiled and set up as a program using the packed package. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { packedProgram, ROOT } from "../support/packed";

export function exampleProgram(name: string): string {
  const source = readFileSync(join(ROOT, "examples", name, "index.ts"), "utf8");
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const dir = packedProgram({ "index.js": js });
  writeFileSync(join(dir, "Pulumi.yaml"), readFileSync(join(ROOT, "examples", name, "Pulumi.yaml")));
  return dir;
}
