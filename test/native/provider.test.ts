/**
 * The native `whatsapp` provider, driven over gRPC the way Pulumi's engine drives a resource
 * plugin (pkg/resource/plugin/provider_plugin.go: GetPluginInfo, CheckConfig, Configure, then
 * Check, Diff, Create, Read, Update, Delete per resource, Cancel at the end), against emulated
 * clients. Every step counts the requests each client received.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { native } from "../../provider/index";
import { serve } from "../../provider/native/main";
import {
  emptyPb,
  fromStruct,
  grpc,
  providerGrpc,
  providerPb,
  SECRET_SIGNATURE,
  SIGNATURE_KEY,
  toStruct,
  UNKNOWN,
} from "../../provider/native/protocol";
import { packageSchema, resourceToken } from "../../provider/native/schema";
import { RESOURCES } from "../../provider/resources";
import { shutdown } from "../../provider/runtime";
import { NATIVE_SDK_FILE, nativeSdk } from "../../scripts/native-sdk";
import type { Emulator } from "../emulator/index";
import { emulator } from "../support/emulator";
import { ROOT } from "../support/packed";

type Props = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: generated protobuf messages carry no types
type Message = any;

const secret = (value: unknown) => ({ [SIGNATURE_KEY]: SECRET_SIGNATURE, value });

/** The properties as the engine would show them: every secret, at any depth, as `[secret]`. */
const shown = (props: Props) =>
  JSON.stringify(props, (_key, value) =>
    value && typeof value === "object" && value[SIGNATURE_KEY] === SECRET_SIGNATURE ? "[secret]" : value,
  );
const SETTINGS = "whatsapp:index:ApplicationSettings";
const MEDIA = "whatsapp:index:MediaProvider";
const urn = (type: string, name: string) => `urn:pulumi:dev::fleet::${type}::${name}`;
const WRITES = /^(POST|PATCH|PUT|DELETE) \/v1\/(settings|users\/login)/;

/** A client of the provider's gRPC service, each RPC as a promise. */
class Engine {
  private readonly client: Message;

  constructor(port: number) {
    this.client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  call(method: string, request: Message): Promise<Message> {
    return new Promise((resolve, reject) =>
      this.client[method](request, (error: Error | null, response: Message) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  async configure(e: Emulator) {
    const request = new providerPb.ConfigureRequest();
    request.setArgs(
      toStruct({ baseUrl: e.url, username: "admin", password: secret(e.adminPassword), caCert: e.caCert }),
    );
    request.setAcceptsecrets(true);
    return this.call("configure", request);
  }

  async check(type: string, name: string, news: Props, olds: Props = {}) {
    const request = new providerPb.CheckRequest();
    request.setUrn(urn(type, name));
    request.setType(type);
    request.setName(name);
    request.setOlds(toStruct(olds));
    request.setNews(toStruct(news));
    const response = await this.call("check", request);
    return {
      inputs: fromStruct(response.getInputs()),
      failures: response.getFailuresList().map((f: Message) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async create(type: string, name: string, properties: Props, preview = false) {
    const request = new providerPb.CreateRequest();
    request.setUrn(urn(type, name));
    request.setType(type);
    request.setName(name);
    request.setProperties(toStruct(properties));
    request.setPreview(preview);
    const response = await this.call("create", request);
    return { id: response.getId() as string, outputs: fromStruct(response.getProperties()) };
  }

  async diff(type: string, name: string, state: { id: string; outputs: Props; inputs: Props }, news: Props) {
    const request = new providerPb.DiffRequest();
    request.setUrn(urn(type, name));
    request.setType(type);
    request.setName(name);
    request.setId(state.id);
    request.setOlds(toStruct(state.outputs));
    request.setOldInputs(toStruct(state.inputs));
    request.setNews(toStruct(news));
    const response = await this.call("diff", request);
    const kinds = Object.fromEntries(
      Object.entries(providerPb.PropertyDiff.Kind).map(([name, value]) => [value as number, name]),
    );
    const detailed: Record<string, string> = {};
    for (const [path, diff] of response.getDetaileddiffMap().entries())
      detailed[path] = kinds[diff.getKind()] as string;
    return {
      changes: response.getChanges() as number,
      replaces: response.getReplacesList() as string[],
      diffs: response.getDiffsList() as string[],
      detailed,
    };
  }

  async update(type: string, name: string, state: { id: string; outputs: Props }, news: Props, preview = false) {
    const request = new providerPb.UpdateRequest();
    request.setUrn(urn(type, name));
    request.setType(type);
    request.setName(name);
    request.setId(state.id);
    request.setOlds(toStruct(state.outputs));
    request.setNews(toStruct(news));
    request.setPreview(preview);
    return fromStruct((await this.call("update", request)).getProperties());
  }

  async read(type: string, name: string, id: string, properties: Props = {}) {
    const request = new providerPb.ReadRequest();
    request.setUrn(urn(type, name));
    request.setType(type);
    request.setName(name);
    request.setId(id);
    request.setProperties(toStruct(properties));
    const response = await this.call("read", request);
    return {
      id: response.getId() as string,
      outputs: fromStruct(response.getProperties()),
      inputs: fromStruct(response.getInputs()),
    };
  }

  async delete(type: string, name: string, state: { id: string; outputs: Props }) {
    const request = new providerPb.DeleteRequest();
    request.setUrn(urn(type, name));
    request.setType(type);
    request.setName(name);
    request.setId(state.id);
    request.setProperties(toStruct(state.outputs));
    await this.call("delete", request);
  }
}

const DIFF_NONE = providerPb.DiffResponse.DiffChanges.DIFF_NONE;
const DIFF_SOME = providerPb.DiffResponse.DiffChanges.DIFF_SOME;

let stop: () => Promise<void>;
let engine: Engine;

beforeAll(async () => {
  const served = await serve(undefined);
  stop = served.stop;
  engine = new Engine(served.port);
});
afterAll(() => stop());

describe("the plugin's own calls", () => {
  test("GetPluginInfo gives the package's version; GetSchema the registry's resources, valid against Pulumi's metaschema", async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect((await engine.call("getPluginInfo", new emptyPb.Empty())).getVersion()).toBe(manifest.version);
    const request = new providerPb.GetSchemaRequest();
    const schema = JSON.parse((await engine.call("getSchema", request)).getSchema());
    // Every resource of the registry, the four of the first release among them.
    expect(Object.keys(schema.resources).sort()).toEqual(
      RESOURCES.map(({ model }) => resourceToken(model.type)).sort(),
    );
    expect(Object.keys(schema.resources)).toEqual(
      expect.arrayContaining([SETTINGS, MEDIA, "whatsapp:index:SettingsBackup", "whatsapp:index:SettingsRestore"]),
    );
    // pkg/codegen/schema/pulumi.json (draft 2020-12), copied verbatim from pulumi/pulumi.
    const metaschema = JSON.parse(readFileSync(join(__dirname, "pulumi-package-metaschema.json"), "utf8"));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(metaschema);
    expect(validate(schema), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(schema.resources[MEDIA].inputProperties.config.secret).toBe(true);
    expect(schema.config.variables.password.secret).toBe(true);
    expect(schema.resources[MEDIA].inputProperties.name.willReplaceOnChanges).toBe(true);
  });

  test("Handshake, which newer engines send before Configure, says the plugin takes secrets and neither resource references nor output values", async () => {
    // pkg/resource/plugin/provider_plugin.go: the engine sends secrets to a plugin that accepts
    // them and strips them otherwise; resource references and outputs it would send as plain values.
    const response = await engine.call("handshake", new providerPb.ProviderHandshakeRequest());
    expect(response.getAcceptSecrets()).toBe(true);
    expect(response.getAcceptResources()).toBe(false);
    expect(response.getAcceptOutputs()).toBe(false);
  });

  test("the committed schema.json is the one the registry gives", () => {
    const committed = JSON.parse(readFileSync(join(ROOT, "schema.json"), "utf8"));
    expect(committed, "run npm run docs to write schema.json again").toEqual(packageSchema());
  });

  test("the committed SDK is the one the registry gives, and the package exports it as native", () => {
    expect(readFileSync(join(ROOT, NATIVE_SDK_FILE), "utf8"), "run npm run docs").toBe(nativeSdk());
    expect(Object.keys(native).sort()).toEqual(["Provider", ...RESOURCES.map(({ model }) => model.type)].sort());
  });

  test("GetSchema refuses a schema version it does not know", async () => {
    const request = new providerPb.GetSchemaRequest();
    request.setVersion(2);
    await expect(engine.call("getSchema", request)).rejects.toThrow("unsupported schema version 2");
  });

  test("CheckConfig names a bad key and what it must be; stack config's strings and the engine's version are taken", async () => {
    const request = new providerPb.CheckRequest();
    request.setUrn("urn:pulumi:dev::fleet::pulumi:providers:whatsapp::client-a");
    request.setOlds(toStruct({}));
    request.setNews(
      toStruct({ baseUrl: "ftp://wa.example.com", insecureSkipVerify: "true", version: "0.2.0", colour: "x" }),
    );
    const response = await engine.call("checkConfig", request);
    const failures = response.getFailuresList().map((f: Message) => `${f.getProperty()}: ${f.getReason()}`);
    expect(failures).toEqual([
      expect.stringMatching(/^colour: is not a setting of the whatsapp provider/),
      expect.stringMatching(/^baseUrl: must start with https:\/\/ \(or http:\/\/\)$/),
    ]);
  });
});

test("CheckConfig takes the advanced stack config the dynamic provider takes (README): whatsapp:retryAttempts, retryBaseDelayMs, retryDeadlineMs", async () => {
  const request = new providerPb.CheckRequest();
  request.setUrn("urn:pulumi:dev::fleet::pulumi:providers:whatsapp::default");
  request.setOlds(toStruct({}));
  request.setNews(
    toStruct({
      baseUrl: "https://wa.example.com",
      retryAttempts: "2",
      retryBaseDelayMs: "5",
      retryDeadlineMs: "1000",
      version: "0.2.0",
    }),
  );
  const response = await engine.call("checkConfig", request);
  expect(response.getFailuresList().map((f: Message) => `${f.getProperty()}: ${f.getReason()}`)).toEqual([]);
});

describe("a resource's life, over the protocol", () => {
  test("ApplicationSettings: preview sends nothing; create, a per-property diff, update, refresh, import and delete", async () => {
    const e = await emulator({ waId: "15550001234" });
    await engine.configure(e);
    const news = { logLevel: "warning", webhooks: { url: secret("https://hooks.example.com/wa?auth=Hook-Secret-1") } };
    const checked = await engine.check(SETTINGS, "settings", news);
    expect(checked.failures).toEqual([]);
    // The URL stays secret on the way back; the rest of the group shows.
    expect((checked.inputs.webhooks as Props).url).toEqual(secret("https://hooks.example.com/wa?auth=Hook-Secret-1"));

    // A group given as one secret keeps one flag for all of it, as Pulumi keeps what went in.
    const whole = secret({ url: "https://hooks.example.com/wa?auth=Hook-Secret-1", maxConcurrentRequests: 12 });
    const wholeChecked = await engine.check(SETTINGS, "whole", { logLevel: "warning", webhooks: whole });
    expect(wholeChecked.failures).toEqual([]);
    expect(wholeChecked.inputs.webhooks).toEqual(whole);

    const previewed = await engine.create(SETTINGS, "settings", checked.inputs, true);
    expect(previewed.id).toBe("");
    expect(previewed.outputs.restartRequired).toBe(UNKNOWN);
    expect(e.journal.count()).toBe(0);

    const created = await engine.create(SETTINGS, "settings", checked.inputs);
    expect(created.id).toContain("/v1/settings/application");
    expect(e.journal.count("PATCH /v1/settings/application")).toBe(1);
    expect(shown(created.outputs)).not.toContain("Hook-Secret-1");
    expect(shown(created.outputs)).not.toContain(e.adminPassword);
    const state = { id: created.id, outputs: created.outputs, inputs: checked.inputs };

    // The next deployment edits a setting (a plugin process serves one deployment).
    await shutdown();
    await engine.configure(e);
    const edited = (await engine.check(SETTINGS, "settings", { ...news, logLevel: "error" }, checked.inputs)).inputs;
    const before = e.journal.count();
    const diff = await engine.diff(SETTINGS, "settings", state, edited);
    expect(diff).toMatchObject({
      changes: DIFF_SOME,
      replaces: [],
      diffs: ["logLevel"],
      detailed: { logLevel: "UPDATE" },
    });
    expect(await engine.update(SETTINGS, "settings", state, edited, true)).toMatchObject({ logLevel: "error" });
    expect(e.journal.count()).toBe(before);
    const updated = await engine.update(SETTINGS, "settings", state, edited);
    expect(e.getSetting("log_level")).toBe("error");
    const current = { id: created.id, outputs: updated, inputs: edited };
    expect((await engine.diff(SETTINGS, "settings", current, edited)).changes).toBe(DIFF_NONE);

    // Refresh: a hand edit on the client shows in state.
    e.setSetting("log_level", "fatal");
    const refreshed = await engine.read(SETTINGS, "settings", created.id, updated);
    expect(refreshed.outputs.logLevel).toBe("fatal");

    // A later deployment, whose program no longer declares it: a new plugin process, which
    // remembers nothing of this one's checks (its shared state reset, as a new process starts).
    await shutdown();
    await engine.configure(e);
    const deletes = e.journal.count("DELETE /v1/settings/application");
    await engine.delete(SETTINGS, "settings", current);
    expect(e.journal.count("DELETE /v1/settings/application")).toBe(deletes + 1);
  });

  test("MediaProvider: import of a provider already on the client from its id alone gives inputs that diff to nothing", async () => {
    const e = await emulator({ waId: "15550001234" });
    await engine.configure(e);
    // Someone added it by hand; the stack adopts it by importing it.
    const made = await engine.create(
      MEDIA,
      "cdn",
      (await engine.check(MEDIA, "cdn", { name: "cdn", config: secret({ bearer: "Cdn-Bearer-Token-1" }), adopt: true }))
        .inputs,
    );
    const writes = e.journal.entries.filter((r) => WRITES.test(`${r.method} ${r.path}`)).length;
    const imported = await engine.read(MEDIA, "cdn", made.id);
    expect(imported.id).toBe(made.id);
    expect(imported.inputs).toMatchObject({ name: "cdn", type: "www" });
    const program = (await engine.check(MEDIA, "cdn", imported.inputs, imported.inputs)).inputs;
    expect(
      (
        await engine.diff(
          MEDIA,
          "cdn",
          { id: imported.id, outputs: imported.outputs, inputs: imported.inputs },
          program,
        )
      ).changes,
    ).toBe(DIFF_NONE);
    expect(e.journal.entries.filter((r) => WRITES.test(`${r.method} ${r.path}`)).length).toBe(writes);
  });

  test("a failure names the resource's error code; a bad input is a check failure naming the property, before any request", async () => {
    const e = await emulator({ waId: "15550001234" });
    await engine.configure(e);
    const checked = await engine.check(SETTINGS, "settings", { logLevel: "debug" });
    expect(checked.failures).toEqual([{ property: "logLevel", reason: expect.stringContaining("info") }]);
    expect(e.journal.count()).toBe(0);
  });
});

/** A plugin process's first line of output: the port it serves on, then a client of it. */
async function pluginAt(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], cwd: ROOT });
  const first = await new Promise<string>((resolve) =>
    child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())),
  );
  return { child, first, engine: new Engine(Number(first.trim())) };
}

test("plugin/ is what Pulumi's Node language host runs for a PulumiPlugin.yaml directory: run-plugin loads its main, which serves", async () => {
  // sdk/nodejs/cmd/pulumi-language-nodejs RunPlugin: node <@pulumi/pulumi/cmd/run-plugin> <plugin dir> <engine args>.
  expect(readFileSync(join(ROOT, "plugin/PulumiPlugin.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  const runPlugin = join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-plugin/index.js");
  const {
    child,
    first,
    engine: plugin,
  } = await pluginAt(process.execPath, [runPlugin, join(ROOT, "plugin"), "127.0.0.1:1"]);
  try {
    expect(first).toMatch(/^\d+\n$/);
    expect((await plugin.call("getPluginInfo", new emptyPb.Empty())).getVersion()).toMatch(/^\d+\.\d+\.\d+/);
  } finally {
    child.kill("SIGTERM");
  }
});

test("the executable takes the engine's address last, after the engine's flags, and prints only its port", async () => {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin/pulumi-resource-whatsapp"), "--logtostderr", "-v=9", "127.0.0.1:1"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  try {
    const first = await new Promise<string>((resolve) =>
      child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())),
    );
    expect(first).toMatch(/^\d+\n$/);
    const plugin = new Engine(Number(first.trim()));
    expect((await plugin.call("getPluginInfo", new emptyPb.Empty())).getVersion()).toMatch(/^\d+\.\d+\.\d+/);
    await plugin.call("cancel", new emptyPb.Empty());
  } finally {
    child.kill("SIGTERM");
  }
});
