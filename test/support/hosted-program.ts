/**
 * The package as a program registers it, for tests that drive Pulumi's real dynamic-provider host:
 * one packed program declaring a resource of every registered type (every-type-program.ts), the
 * `__provider` each type serializes (as the engine receives it), and a host started in that
 * program's directory.
 */
import { RESOURCE_TYPES, type ResourceType } from "../../provider/resources";
import { ProviderHost } from "../engine/provider-host";
import { registerEveryType, runEveryTypeProgram } from "./every-type-program";

export type { ResourceType };

export interface RegisteredProgram {
  /** The program directory, with the packed package in its node_modules. */
  dir: string;
  /** Each type's serialized provider, as it rides in every property bag the engine sends. */
  providers: Record<ResourceType, string>;
}

let program: RegisteredProgram | undefined;

/**
 * The run's packed program and its providers (the global setup registers it once for the whole
 * run, about a second of CPU that each test file would otherwise spend again); outside a vitest
 * run, this process's own.
 */
export function registeredProgram(): RegisteredProgram {
  if (!program) {
    const { dir, providers } = runEveryTypeProgram() ?? registerEveryType();
    for (const type of RESOURCE_TYPES) {
      if (providers[type] === undefined) throw new Error(`the program registered no ${type}`);
    }
    program = { dir, providers: providers as Record<ResourceType, string> };
  }
  return program;
}

export function urnOf(type: ResourceType, name = "r"): string {
  return `urn:pulumi:dev::program::pulumi-nodejs:dynamic/whatsapp:${type}::${name}`;
}

/** A provider host in the registered program's directory, configured with `config` (`whatsapp:*` keys). */
export async function startHost(config: Record<string, string> = {}, dir = registeredProgram().dir) {
  const host = await ProviderHost.start(dir);
  await host.configure(config);
  return host;
}
