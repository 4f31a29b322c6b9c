/**
 * The package as a program registers it, for tests that drive Pulumi's real dynamic-provider host:
 * one packed program declaring a resource of every registered type, the `__provider` each type
 * serializes (as the engine receives it), and a host started in that program's directory.
 */
import { RESOURCE_TYPES, type ResourceType } from "../../provider/resources";
import { runMockedProgram } from "../e2e/mocked-program";
import { ProviderHost } from "../engine/provider-host";
import { packedProgram } from "./packed";

export type { ResourceType };

/** One resource of each registered type; the mocks register them without checking any input. */
const PROGRAM = [
  'const ws = require("pulumi-whatsapp-settings");',
  ...RESOURCE_TYPES.map((type) => `new ws.${type}(${JSON.stringify(type)}, {});`),
].join("\n");

export interface RegisteredProgram {
  /** The program directory, with the packed package in its node_modules. */
  dir: string;
  /** Each type's serialized provider, as it rides in every property bag the engine sends. */
  providers: Record<ResourceType, string>;
}

let program: RegisteredProgram | undefined;

/** The packed program of this test file (packed once), and its providers. */
export function registeredProgram(): RegisteredProgram {
  if (!program) {
    const dir = packedProgram({ "index.js": PROGRAM });
    const registrations = runMockedProgram(dir);
    const providers = Object.fromEntries(
      RESOURCE_TYPES.map((type) => {
        const found = registrations.find((r) => r.type.endsWith(`:${type}`));
        if (!found) throw new Error(`the program registered no ${type}`);
        return [type, String(found.inputs.__provider)];
      }),
    ) as Record<ResourceType, string>;
    program = { dir, providers };
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
