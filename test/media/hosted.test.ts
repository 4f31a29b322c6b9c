/**
 * `MediaProvider` as users run it: the packed package behind Pulumi's real dynamic-provider host,
 * and a whole program through the engine stand-in, counting what the client received and
 * checking that the credentials stay secret in registration, state and refresh.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { runMockedProgram, secretKeys } from "../e2e/mocked-program";
import { runEngine } from "../engine/deployment";
import { isSecret, revealProps } from "../engine/property-values";
import { configOf, Deployment, requests } from "../safety/hosted";
import { call, login } from "../support/api";
import { emulator } from "../support/emulator";
import { packedProgram } from "../support/packed";
import { programOf } from "../support/program-dir";

const PATH = "/v1/settings/application/media/providers";
const TOKEN = "Cdn-Bearer-7f3a9c21";
const USER = "media-user";
const PASSWORD = "Images-Pass-5e8d2b4";
const NEW_TOKEN = "Rotated-Bearer-11aa22bb";
const CREDENTIALS = [TOKEN, PASSWORD, NEW_TOKEN];

const PROGRAM = `
const ws = require("pulumi-whatsapp-settings");
new ws.ApplicationSettings("settings", { sentStatus: true });
new ws.MediaProvider("cdn", { name: "cdn", config: { bearer: "${TOKEN}" } });
new ws.MediaProvider("images", { name: "images", type: "www", config: { basic: { username: "${USER}", password: "${PASSWORD}" } } });
`;

function expectNoCredential(text: string): void {
  for (const credential of CREDENTIALS) expect(text).not.toContain(credential);
}

describe("through Pulumi's dynamic-provider host", () => {
  test("the registration stores config secret, as an input and as an output", () => {
    const registrations = runMockedProgram(packedProgram({ "index.js": PROGRAM }));
    const media = registrations.filter((r) => r.type.endsWith("whatsapp:MediaProvider"));
    expect(media.map((r) => r.name)).toEqual(["cdn", "images"]);
    for (const registration of media) {
      expect(secretKeys(registration.inputs)).toEqual(["config"]);
      expect(registration.additionalSecretOutputs).toEqual(expect.arrayContaining(["config", "clientConnection"]));
      expect(registration.inputs.__provider).toContain(
        'require("pulumi-whatsapp-settings/dist/provider/media/provider.js")',
      );
    }
  });

  test("one ApplicationSettings and two MediaProviders: create, no-op, refresh, update, delete, request by request", async () => {
    const e = await emulator();
    const first = await Deployment.start(configOf(e));
    const settings = await first.up("ApplicationSettings", "settings", { sentStatus: true });
    const cdnInputs = { name: "cdn", config: { bearer: TOKEN } };
    const imagesInputs = { name: "images", type: "www", config: { basic: { username: USER, password: PASSWORD } } };
    let cdn = await first.up("MediaProvider", "cdn", cdnInputs);
    let images = await first.up("MediaProvider", "images", imagesInputs);
    expect(requests(e)).toEqual([
      "POST /v1/users/login",
      "GET /v1/settings/application",
      "PATCH /v1/settings/application",
      "GET /v1/settings/application",
      `GET ${PATH}`,
      `POST ${PATH}`,
      `GET ${PATH}`,
      `GET ${PATH}`,
      `POST ${PATH}`,
      `GET ${PATH}`,
    ]);
    expect(cdn.id).toBe(`${e.url}${PATH}#cdn`);
    expect(images.outputs).toMatchObject({ name: "images", type: "www", baseUrl: e.url });
    // The connection came from stack config: kept, so refresh and delete reach this client later.
    expect(images.outputs.clientConnection).toMatchObject({ baseUrl: e.url, username: "admin" });

    // The next deployment, a new provider process: an unchanged program changes nothing.
    e.journal.clear();
    const next = await Deployment.start(configOf(e));
    for (const [name, state, inputs] of [
      ["cdn", cdn, cdnInputs],
      ["images", images, imagesInputs],
    ] as const) {
      const checked = await next.check("MediaProvider", name, inputs, state.outputs);
      expect(await next.diff("MediaProvider", name, state, checked)).toMatchObject({ changes: "none", replaces: [] });
    }
    expect(requests(e)).toEqual([]);

    // Refresh: one login, one GET per provider.
    cdn = { ...cdn, ...(await next.read("MediaProvider", "cdn", cdn)) };
    images = { ...images, ...(await next.read("MediaProvider", "images", images)) };
    expect(cdn.outputs).toMatchObject({ config: { bearer: TOKEN } });
    expect(requests(e)).toEqual(["POST /v1/users/login", `GET ${PATH}`, `GET ${PATH}`]);

    // A new token: an update of cdn alone, POST then GET.
    e.journal.clear();
    const rotated = await next.check(
      "MediaProvider",
      "cdn",
      { name: "cdn", config: { bearer: NEW_TOKEN } },
      cdn.outputs,
    );
    expect(await next.diff("MediaProvider", "cdn", cdn, rotated)).toMatchObject({ changes: "some", replaces: [] });
    cdn = await next.update("MediaProvider", "cdn", cdn, rotated);
    expect(requests(e)).toEqual([`POST ${PATH}`, `GET ${PATH}`]);

    // Destroy: each provider deleted by name; the settings reset as ApplicationSettings does.
    e.journal.clear();
    await next.delete("MediaProvider", "cdn", cdn);
    await next.delete("MediaProvider", "images", images);
    await next.delete("ApplicationSettings", "settings", settings);
    expect(requests(e).filter((r) => r.includes("/media/"))).toEqual([`DELETE ${PATH}/cdn`, `DELETE ${PATH}/images`]);
    const left = await call(e, "GET", PATH, { token: await login(e) });
    expect(left.json.settings.application.media.providers).toEqual([]);
    expectNoCredential(`${first.stderr}\n${next.stderr}`);
  });
});

describe("through the engine stand-in", () => {
  test("credentials stay secret in state, also when a refresh reads changed ones back from the client", async () => {
    const e = await emulator();
    const program = programOf({ "Pulumi.yaml": "name: media\nruntime: nodejs\n", "index.js": PROGRAM });
    const options = {
      dir: program.dir,
      config: { "whatsapp:baseUrl": e.url, "whatsapp:username": "admin", "whatsapp:caCert": e.caCert as string },
      secrets: { "whatsapp:password": e.adminPassword },
    };
    const up = await runEngine("up", options);
    expect(up.ok).toBe(true);
    expectNoCredential(readFileSync(up.stateFile, "utf8"));

    // Someone rotates the token on the client; refresh reads the new one (clear text in the GET).
    await call(e, "POST", PATH, {
      token: await login(e),
      body: [{ name: "cdn", type: "www", config: { bearer: NEW_TOKEN } }],
    });
    const refresh = await runEngine("refresh", options);
    expect(refresh.ok).toBe(true);
    const state = readFileSync(refresh.stateFile, "utf8");
    expectNoCredential(state);
    const cdn = refresh.checkpoint.resources.find((r) => r.name === "cdn");
    expect(isSecret(cdn?.outputs.config)).toBe(true);
    expect(isSecret(cdn?.inputs.config)).toBe(true);
    expect(revealProps(cdn?.outputs ?? {}).config).toEqual({ bearer: NEW_TOKEN });
    expectNoCredential(JSON.stringify([refresh.steps, refresh.diagnostics]));

    // The next up puts the program's token back; destroy deletes both providers by name.
    e.journal.clear();
    const again = await runEngine("up", options);
    expect(again.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`)).toEqual(["update cdn"]);
    expect(requests(e).filter((r) => r.includes("/media/"))).toEqual([`POST ${PATH}`, `GET ${PATH}`]);
    e.journal.clear();
    const destroy = await runEngine("destroy", options);
    expect(destroy.ok).toBe(true);
    expect(
      requests(e)
        .filter((r) => r.startsWith("DELETE") && r.includes("/media/"))
        .sort(),
    ).toEqual([`DELETE ${PATH}/cdn`, `DELETE ${PATH}/images`]);
    expectNoCredential(JSON.stringify([up, refresh, again, destroy].map((r) => [r.steps, r.diagnostics])));
  });
});
