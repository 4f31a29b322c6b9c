/**
 * A packed program that declares one resource of every type the package registers, run under
 * Pulumi's mocks: the `__provider` each type serializes, as the engine receives it in every call.
 * The suite's global setup makes it once per run (pack-once.ts); test files read it from there.
 * It imports none of the package's sources, so the global setup loads none of them: the types
 * come from the packed package's own registry.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runMockedProgram } from "../e2e/mocked-program";
import { packedProgram } from "./packed";

/** Where the global setup leaves the run's program directory. */
export const RUN_PROGRAM = "WHATSAPP_TEST_REGISTERED_PROGRAM";
const PROVIDERS_FILE = "providers.json";

const PROGRAM = [
  'const ws = require("pulumi-whatsapp-settings");',
  'const { RESOURCE_TYPES } = require("pulumi-whatsapp-settings/dist/provider/resources.js");',
  // The mocks register each resource without checking any input.
  "for (const type of RESOURCE_TYPES) new ws[type](type, {});",
].join("\n");

export interface EveryTypeProgram {
  /** The program directory, with the packed package in its node_modules. */
  dir: string;
  /** Each type's serialized provider, by type name (`ApplicationSettings`). */
  providers: Record<string, string>;
}

/** Packs the program into a new directory under `parent` and runs it under mocks. */
export function registerEveryType(parent?: string): EveryTypeProgram {
  const dir = packedProgram({ "index.js": PROGRAM }, parent);
  const providers = Object.fromEntries(
    runMockedProgram(dir).map((r) => [r.type.slice(r.type.lastIndexOf(":") + 1), String(r.inputs.__provider)]),
  );
  writeFileSync(join(dir, PROVIDERS_FILE), JSON.stringify(providers));
  return { dir, providers };
}

/** The run's program, when the global setup made one. */
export function runEveryTypeProgram(): EveryTypeProgram | undefined {
  const dir = process.env[RUN_PROGRAM];
  const file = dir && join(dir, PROVIDERS_FILE);
  if (!dir || !file || !existsSync(file)) return undefined;
  return { dir, providers: JSON.parse(readFileSync(file, "utf8")) as Record<string, string> };
}
