/**
 * One packed program and Pulumi's dynamic-provider host for the secrets and transport tests:
 * each resource type's serialized provider (`__provider`, as a program registers it) and helpers
 * that drive check and create the way the engine does.
 */

import { beforeAll } from "vitest";
import { carriesSecret } from "../../provider/settings/inputs";
import { HostError, type ProviderHost } from "../engine/provider-host";
import { type ResourceType, registeredProgram, startHost, urnOf } from "../support/hosted-program";

export { type ResourceType, urnOf };

type Props = Record<string, unknown>;

export interface HostedProgram {
  dir: string;
  host: ProviderHost;
  providers: Record<ResourceType, string>;
  close(): Promise<void>;
}

/** The registered program under a host configured with `config`. */
export async function hostedProgram(config: Record<string, string> = {}): Promise<HostedProgram> {
  const { dir, providers } = registeredProgram();
  const host = await startHost(config, dir);
  return { dir, host, providers, close: () => host.close() };
}

/**
 * One hosted program for every test of the enclosing file or `describe` (starting a host is the
 * slow part): started before its first test, closed after its last. The function returned gives it.
 */
export function suiteProgram(config: Record<string, string> = {}): () => HostedProgram {
  let program: HostedProgram | undefined;
  beforeAll(async () => {
    const started = await hostedProgram(config);
    program = started;
    return () => started.close();
  }, 60_000);
  return () => {
    if (!program) throw new Error("the suite's program is used before its beforeAll ran");
    return program;
  };
}

/**
 * The same program under a fresh host with other stack config: a host configures each provider
 * once, on first use, as a deployment does.
 */
export async function reconfigured(program: HostedProgram, config: Record<string, string>): Promise<HostedProgram> {
  await program.host.close();
  const host = await startHost(config, program.dir);
  return { ...program, host, close: () => host.close() };
}

/** What one step left for people and for plaintext state: messages, failures, stderr, outputs. */
export interface Evidence {
  failures: Array<{ property: string; reason: string }>;
  error: string | undefined;
  stderr: string;
  /** Output properties outside the ones the resource stores secret. */
  plaintext: Props;
}

/**
 * Outputs each resource type asks the engine to keep secret (its secret inputs included);
 * `webhooks` only when it may hold a secret. The registration test proves the resources do so.
 * Written out by hand on purpose, apart from the models (test/model.test.ts pins what they derive);
 * it lists what the secret-path tables here need, not every output.
 */
export const SECRET_OUTPUTS: Record<ResourceType, readonly string[]> = {
  ApplicationSettings: ["connection", "webhooks"],
  SettingsBackup: ["connection", "password", "data"],
  SettingsRestore: ["connection", "password", "data"],
  MediaProvider: ["connection", "config"],
  ProfileAbout: ["connection"],
  BusinessProfile: ["connection"],
  TwoStepVerification: ["connection", "pin"],
  ProfilePhoto: ["connection"],
};

function plaintextOf(type: ResourceType, properties: Props): Props {
  // `webhooks` is secret only when it may hold a secret; otherwise it is plaintext and scanned.
  const secret = (key: string) =>
    SECRET_OUTPUTS[type].includes(key) && (key !== "webhooks" || carriesSecret("webhooks", properties.webhooks));
  return Object.fromEntries(Object.entries(properties).filter(([key]) => !secret(key)));
}

/** check, then (when check passes and `create` is set) create, collecting all a person would see. */
export async function checkAndCreate(
  program: HostedProgram,
  type: ResourceType,
  news: Props,
  options: { create?: boolean } = {},
): Promise<Evidence & { created?: { id: string; properties: Props } }> {
  const { host } = program;
  const before = host.stderr.length;
  const inputs = { ...news, __provider: program.providers[type] };
  const checked = await host.check(urnOf(type), {}, inputs);
  const evidence: Evidence & { created?: { id: string; properties: Props } } = {
    failures: checked.failures,
    error: undefined,
    stderr: "",
    plaintext: {},
  };
  if (checked.failures.length === 0 && options.create !== false) {
    try {
      const created = await host.create(urnOf(type), checked.inputs);
      evidence.created = created;
      evidence.plaintext = plaintextOf(type, created.properties);
    } catch (error) {
      if (!(error instanceof HostError)) throw error;
      evidence.error = error.message;
    }
  }
  // check's inputs are not scanned: the engine keeps secret what arrived secret, whatever check returns.
  evidence.stderr = host.stderr.slice(before);
  return evidence;
}
