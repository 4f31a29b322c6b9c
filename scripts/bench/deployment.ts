/**
 * What the benchmarks deploy: one `ApplicationSettings` from the packed package, with the same
 * settings for every emulated client.
 */
import type { ApplicationSettingsInput } from "../../provider/settings/schema";
import { runMockedProgram } from "../../test/e2e/mocked-program";
import type { Emulator } from "../../test/emulator/index";
import { packedProgram } from "../../test/support/packed";

// Only the serialized provider is taken from this run; each client's inputs come from `inputsFor`.
const PROGRAM = `
const ws = require("pulumi-whatsapp-settings");
new ws.ApplicationSettings("settings", { sentStatus: true, connection: { baseUrl: "https://x", username: "admin", password: "x" } });
`;

/** The settings every benchmarked resource asks for; each differs from its default, so create writes them all. */
export const WANTED = {
  sentStatus: true,
  logLevel: "warning",
  callbackBackoffDelayMs: 4000,
  webhooks: { url: "https://hooks.example.com/bench", maxConcurrentRequests: 12 },
} satisfies ApplicationSettingsInput;

/** The packed program directory, its serialized `__provider` and the resource's URN. */
export interface Deployment {
  dir: string;
  provider: string;
  urn: string;
}

/** Packs the package into a program directory and registers the program's resource under mocks. */
export function packDeployment(): Deployment {
  const dir = packedProgram({ "index.js": PROGRAM });
  const [registration] = runMockedProgram(dir);
  if (!registration) throw new Error("the bench program registered no resource");
  return {
    dir,
    provider: registration.inputs.__provider as string,
    urn: `urn:pulumi:bench::bench::${registration.type}::${registration.name}`,
  };
}

/** The inputs the engine sends for one client: the provider, its connection and the settings. */
export function inputsFor(
  deployment: Deployment,
  client: Emulator,
  settings: ApplicationSettingsInput = WANTED,
): Record<string, unknown> {
  const connection = { baseUrl: client.url, username: "admin", password: client.adminPassword, caCert: client.caCert };
  return { __provider: deployment.provider, connection, ...settings };
}
