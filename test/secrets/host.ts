/**
 * One packed program and Pulumi's dynamic-provider host for the secrets and transport tests:
 * each resource type's serialized provider (`__provider`, as a program registers it) and helpers
 * that drive check and create the way the engine does.
 */

import { beforeAll } from "vitest";
import { carriesSecret } from "../../provider/settings/inputs";
import { isSecret, revealProps } from "../engine/property-values";
import { type CheckResult, HostError, type ProviderHost } from "../engine/provider-host";
import { type ResourceType, registeredProgram, startHost, urnOf } from "../support/hosted-program";
import {
  EngineLog,
  type NativeProvider,
  NativeProviders,
  nativeUrn,
  type ProviderKind,
} from "../support/native-plugin";

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

/** check, then create, collecting the evidence: through one of the two providers. */
export interface SecretsHost {
  readonly provider: ProviderKind;
  /** check alone, its inputs as they come over the wire (the native plugin wraps secrets there). */
  check(type: ResourceType, news: Props): Promise<CheckResult>;
  checkAndCreate(
    type: ResourceType,
    news: Props,
    options?: { create?: boolean },
  ): Promise<Evidence & { created?: { id: string; properties: Props } }>;
}

/**
 * One host for every test of the enclosing file or `describe`, of `provider`, under stack config
 * `config`. The native one keeps one plugin process per provider resource for the whole suite:
 * the default provider (stack config) and one explicit provider per connection the paths give,
 * each with the suite's advanced settings (retries) among its inputs.
 */
export function suiteHost(provider: ProviderKind, config: Record<string, string> = {}): () => SecretsHost {
  if (provider === "dynamic") {
    const program = suiteProgram(config);
    return () => ({
      provider,
      check: (type, news) => program().host.check(urnOf(type), {}, { ...news, __provider: program().providers[type] }),
      checkAndCreate: (type, news, options) => checkAndCreate(program(), type, news, options),
    });
  }
  let host: NativeSecretsHost | undefined;
  beforeAll(async () => {
    const started = await NativeSecretsHost.start(config);
    host = started;
    return () => started.close();
  }, 60_000);
  return () => {
    if (!host) throw new Error("the suite's host is used before its beforeAll ran");
    return host;
  };
}

/** Props with every value the wire marks secret left out: what the engine keeps in plaintext. */
function withoutSecrets(props: Props): Props {
  const keep = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.filter((v) => !isSecret(v)).map(keep);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, v]) => !isSecret(v))
          .map(([k, v]) => [k, keep(v)]),
      );
    }
    return value;
  };
  return keep(props) as Props;
}

/**
 * The native plugin: a resource's `connection` makes it a resource of an explicit provider of
 * that client (the connection taken out of its inputs), else of the default provider. A provider
 * whose CheckConfig fails stops its resources before their check, as the engine does; its
 * failures are the evidence then. Plaintext is what the plugin's answer leaves unwrapped.
 */
export class NativeSecretsHost implements SecretsHost {
  readonly provider = "native";

  private constructor(private readonly providers: NativeProviders) {}

  static async start(config: Record<string, string>): Promise<NativeSecretsHost> {
    return new NativeSecretsHost(new NativeProviders(registeredProgram().dir, await EngineLog.start(), config));
  }

  private providerOf(news: Props): { provider: Promise<NativeProvider>; props: Props } {
    return this.providers.of(news);
  }

  /** Check's inputs as they come over the wire, secrets wrapped; failures when there are any. */
  async check(type: ResourceType, news: Props): Promise<CheckResult> {
    const { provider, props } = this.providerOf(news);
    const { host, configFailures } = await provider;
    if (configFailures.length > 0) return { inputs: {}, failures: configFailures };
    return host.check(nativeUrn(type), {}, props);
  }

  async checkAndCreate(type: ResourceType, news: Props, options: { create?: boolean } = {}) {
    const { provider, props } = this.providerOf(news);
    const { host, configFailures } = await provider;
    const logged = this.providers.engine.lines.length;
    const before = host.stderr.length;
    const evidence: Evidence & { created?: { id: string; properties: Props } } = {
      failures: configFailures,
      error: undefined,
      stderr: "",
      plaintext: {},
    };
    if (configFailures.length === 0) {
      const checked = await host.check(nativeUrn(type), {}, props);
      evidence.failures = checked.failures;
      if (checked.failures.length === 0 && options.create !== false) {
        try {
          const created = await host.create(nativeUrn(type), checked.inputs);
          evidence.created = { id: created.id, properties: revealProps(created.properties) };
          evidence.plaintext = withoutSecrets(created.properties);
        } catch (error) {
          if (!(error instanceof HostError)) throw error;
          evidence.error = error.message;
        }
      }
    }
    // Log lines reach the engine over their own calls: give them a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 50));
    evidence.stderr = [...this.providers.engine.lines.slice(logged), host.stderr.slice(before)].join("\n");
    return evidence;
  }

  close(): Promise<void> {
    return this.providers.close();
  }
}
