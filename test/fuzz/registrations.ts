/**
 * A generated program as Pulumi would register it: the inputs each resource class hands
 * `pulumi.dynamic.Resource` (secret ones wrapped, as `provider/registration.ts` decides from the
 * models), the connection a `Provider` or a resource's own `connection` gives, and the stack
 * config. Restores take their backup's `data` output, unknown in a preview that creates the backup.
 */
import { TwoStepVerificationModel } from "../../provider/account/schema";
import { SettingsBackupModel, SettingsRestoreModel } from "../../provider/backup/schema";
import { MediaProviderModel } from "../../provider/media/schema";
import { secretOutputs as modelSecretOutputs, RESOURCE_NAME } from "../../provider/model";
import { BusinessProfileModel } from "../../provider/profile/business/schema";
import { ProfilePhotoModel } from "../../provider/profile/photo/schema";
import { ProfileAboutModel } from "../../provider/profile/schema";
import { ApplicationSettingsModel } from "../../provider/settings/schema";
import { makeSecret, type Props, UNKNOWN } from "../engine/property-values";
import type { FastProgram, Registration } from "./fast-engine";
import { type Kind, type Program, type Resource, targetOf } from "./program";
import {
  ABOUT_TEXTS,
  BACKUP_PASSWORD,
  BEARERS,
  type ClientRef,
  DESCRIPTIONS,
  PINS,
  TIMEOUT_MS,
  WEBHOOK_SECRETS,
  type World,
} from "./world";

const MODELS = {
  ApplicationSettings: ApplicationSettingsModel,
  SettingsBackup: SettingsBackupModel,
  SettingsRestore: SettingsRestoreModel,
  MediaProvider: MediaProviderModel,
  TwoStepVerification: TwoStepVerificationModel,
  ProfilePhoto: ProfilePhotoModel,
  ProfileAbout: ProfileAboutModel,
  BusinessProfile: BusinessProfileModel,
} as const;

/** The kinds whose class adds its resource's name to the inputs (for check's rules across resources). */
const NAMED: readonly Kind[] = ["ApplicationSettings", "MediaProvider", "TwoStepVerification", "ProfilePhoto"];

export function webhookUrl(index: number): string {
  return `https://hooks.example.com/wa?auth=${WEBHOOK_SECRETS[index % WEBHOOK_SECRETS.length]}`;
}

export function connectionOf(world: World, ref: ClientRef): Props {
  const client = world.client(ref.client);
  return { baseUrl: world.baseUrl(ref), username: "admin", password: client.adminPassword, timeoutMs: TIMEOUT_MS };
}

export function stackConfig(world: World, program: Program): Record<string, string> {
  const connection = connectionOf(world, program.stack);
  return {
    "whatsapp:baseUrl": String(connection.baseUrl),
    "whatsapp:username": "admin",
    "whatsapp:password": String(connection.password),
    "whatsapp:timeoutMs": String(TIMEOUT_MS),
    // Retries stay on, without waiting: a sequence runs in milliseconds.
    "whatsapp:retryBaseDelayMs": "0",
    "whatsapp:retryAttempts": "3",
  };
}

/** The program's own inputs of a resource (before secrets are wrapped). */
function ownInputs(world: World, resource: Resource): Props {
  switch (resource.kind) {
    case "ApplicationSettings":
      return {
        ...(resource.logLevel ? { logLevel: resource.logLevel } : {}),
        ...(resource.sentStatus === undefined ? {} : { sentStatus: resource.sentStatus }),
        ...(resource.webhook === undefined ? {} : { webhooks: { url: webhookUrl(resource.webhook) } }),
      };
    case "SettingsBackup":
      return {
        password: BACKUP_PASSWORD,
        ...(resource.triggers === undefined ? {} : { triggers: [resource.triggers] }),
      };
    case "SettingsRestore":
      return {
        password: BACKUP_PASSWORD,
        // The client comes back by itself here; nothing waits for it.
        waitForHealthy: false,
        ...(resource.triggers === undefined ? {} : { triggers: [resource.triggers] }),
      };
    case "MediaProvider":
      return {
        name: resource.mediaName,
        type: "www",
        config: { bearer: BEARERS[(resource.bearer ?? 0) % BEARERS.length] },
      };
    case "TwoStepVerification":
      return { pin: PINS[(resource.pin ?? 0) % PINS.length] };
    case "ProfilePhoto":
      return { file: world.photoPath(resource.photo ?? 0) };
    case "ProfileAbout":
      return { text: ABOUT_TEXTS[(resource.about ?? 0) % ABOUT_TEXTS.length] };
    case "BusinessProfile":
      return { description: DESCRIPTIONS[(resource.description ?? 0) % DESCRIPTIONS.length] };
  }
}

function wrapSecrets(kind: Kind, props: Props): Props {
  const model = MODELS[kind];
  const wrapped: Props = {};
  for (const [key, value] of Object.entries(props)) {
    const meta = (model.inputs.shape as Record<string, unknown>)[key];
    const secret =
      meta === undefined ||
      modelSecretOutputs(model).includes(key) ||
      // A webhook URL with a query secret keeps its whole group secret (settings/resource.ts).
      (kind === "ApplicationSettings" && key === "webhooks");
    wrapped[key] = secret ? makeSecret(value) : value;
  }
  return wrapped;
}

/** Restores come after every backup, so a restore's backup is always registered first. */
function ordered(program: Program): Resource[] {
  return [
    ...program.resources.filter((r) => r.kind !== "SettingsRestore"),
    ...program.resources.filter((r) => r.kind === "SettingsRestore"),
  ];
}

export function fastProgram(world: World, program: Program): FastProgram {
  const byName = new Map(program.resources.map((r) => [r.name, r]));
  const registrations: Registration[] = ordered(program).map((resource, index, all) => ({
    kind: resource.kind,
    name: resource.name,
    aliases: resource.aliases,
    // As the faithful program declares them: each depends on the one before, a restore on its backup.
    dependencies: [
      ...new Set([
        ...(index > 0 ? [(all[index - 1] as Resource).name] : []),
        ...(resource.source ? [resource.source] : []),
      ]),
    ].map((name) => ({ kind: (byName.get(name) as Resource).kind, name })),
    additionalSecretOutputs: modelSecretOutputs(MODELS[resource.kind]),
  }));
  return {
    registrations,
    inputsOf(registration, outputs) {
      const resource = byName.get(registration.name) as Resource;
      const inputs = wrapSecrets(resource.kind, ownInputs(world, resource));
      if (resource.kind === "SettingsRestore") {
        const data = outputs.get(resource.source ?? "")?.data;
        // An output not known yet (the backup is created in this deployment) is unknown in preview.
        inputs.data = makeSecret(data === undefined ? UNKNOWN : ((data as { value?: unknown }).value ?? data));
      }
      if (resource.connection) inputs.connection = makeSecret(connectionOf(world, resource.connection));
      // As the classes of these register it (settings/, media/, account/, profile/photo/ resource.ts), in the clear.
      if (NAMED.includes(resource.kind)) {
        inputs[RESOURCE_NAME] = resource.name;
      }
      return inputs;
    },
  };
}

/** The client a resource of the program reaches. */
export function clientOf(program: Program, resource: Resource): number {
  return targetOf(program, resource).client;
}
