import { describe, expect, test } from "vitest";
import { SettingsBackupModel, SettingsRestoreModel } from "../provider/backup/schema";
import { MediaProviderModel } from "../provider/media/schema";
import {
  defaultOf,
  foreignKeys,
  outputOnlyKeys,
  propertyMeta,
  type ResourceModel,
  replacingInputs,
  secretOutputs,
} from "../provider/model";
import { ApplicationSettingsModel } from "../provider/settings/schema";

interface Facts {
  placeholders: string[];
  /** Whether its outputs keep the connection it used (`clientConnection`). */
  storesConnection: boolean;
  secret: string[];
  replacing: string[];
  defaults: Record<string, unknown>;
}

const DERIVED: Array<[ResourceModel, Facts]> = [
  [
    ApplicationSettingsModel,
    {
      placeholders: ["restartRequired", "restartRequiredFields", "apiVersion", "baseUrl", "waId", "sharesClient"],
      storesConnection: true,
      secret: ["connection", "clientConnection"],
      replacing: [],
      defaults: {},
    },
  ],
  [
    SettingsBackupModel,
    {
      placeholders: ["data", "sha256", "sizeBytes", "apiVersion", "createdAt", "baseUrl"],
      storesConnection: false,
      secret: ["password", "data", "connection"],
      replacing: ["password", "triggers"],
      defaults: {},
    },
  ],
  [
    SettingsRestoreModel,
    {
      placeholders: [
        "sha256",
        "restartRequired",
        "gatewayStatus",
        "restoredAt",
        "apiVersion",
        "baseUrl",
        "waId",
        "alreadyRestored",
      ],
      storesConnection: true,
      secret: ["data", "password", "connection", "clientConnection"],
      replacing: ["triggers"],
      defaults: { waitForHealthy: true, healthTimeoutMs: 300_000 },
    },
  ],
  [
    MediaProviderModel,
    {
      placeholders: ["baseUrl", "claimedAt"],
      storesConnection: true,
      secret: ["config", "connection", "clientConnection"],
      replacing: ["name"],
      defaults: { type: "www" },
    },
  ],
];

describe.each(DERIVED)("the $type model", (model, facts) => {
  test("gives the outputs a resource registers as placeholders", () => {
    expect(outputOnlyKeys(model)).toEqual(facts.placeholders);
  });

  test("gives the keys check leaves alone: the engine's, the outputs and the stored connection", () => {
    const stored = facts.storesConnection ? ["clientConnection"] : [];
    expect([...foreignKeys(model)]).toEqual([
      "__provider",
      "connection",
      "__resourceName",
      ...facts.placeholders,
      ...stored,
    ]);
  });

  test("gives the outputs kept secret whatever the program passed", () => {
    expect(secretOutputs(model)).toEqual(facts.secret);
  });

  test("gives the inputs whose change replaces the resource", () => {
    expect(replacingInputs(model)).toEqual(facts.replacing);
  });

  test("gives the defaults check fills in", () => {
    const defaults = Object.fromEntries(
      Object.keys(model.inputs.shape)
        .map((key) => [key, defaultOf(model, key)])
        .filter(([, value]) => value !== undefined),
    );
    expect(defaults).toEqual(facts.defaults);
  });

  test("documents every output, and every input but the settings (which have their own registry)", () => {
    const undocumented = Object.entries({
      ...(model === ApplicationSettingsModel ? {} : model.inputs.shape),
      ...model.outputs.shape,
    })
      .filter(([, schema]) => !propertyMeta.get(schema as never)?.description)
      .map(([key]) => key);
    expect(undocumented).toEqual([]);
  });
});
