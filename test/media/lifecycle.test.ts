import { describe, expect, test } from "vitest";
import { UNKNOWN } from "../../provider/check";
import * as provider from "../../provider/media/provider";
import type { Emulator } from "../emulator/index";
import { call, login } from "../support/api";
import { captureWarnings, connectionOf, emulator } from "../support/provider";
import { rejection } from "../support/rejection";

type Props = Record<string, unknown>;

const PATH = "/v1/settings/application/media/providers";
const BEARER = { bearer: "cdn-token-0123456789" };
const BASIC = { basic: { username: "media-user", password: "media-pass-0123456789" } };

async function checked(news: Props, olds: Props = {}): Promise<Props> {
  const result = await provider.check(olds, news);
  expect(result.failures).toEqual([]);
  return result.inputs;
}

/** What the client lists, read with a plain HTTP call. */
async function listed(e: Emulator): Promise<Props[]> {
  const reply = await call(e, "GET", PATH, { token: await login(e) });
  return reply.json.settings.application.media.providers;
}

/** Writes to the client behind the provider's back, as another tool or a person would. */
async function behindTheBack(e: Emulator, method: "POST" | "DELETE", suffix: string, body?: unknown) {
  const reply = await call(e, method, `${PATH}${suffix}`, { token: await login(e), body });
  expect(reply.status).toBe(200);
}

function requests(e: Emulator): string[] {
  return e.journal.entries.map((r) => `${r.method} ${r.path} ${r.status}`);
}

async function created(e: Emulator, news: Props = { name: "cdn", config: BEARER }) {
  const inputs = await checked({ connection: connectionOf(e), ...news });
  const result = await provider.create(inputs);
  e.journal.clear();
  return { id: result.id, outs: result.outs, inputs };
}

describe("create", () => {
  test("it lists the client's providers, POSTs a one-element list, then GETs the list to confirm the provider is there", async () => {
    const e = await emulator();
    const connection = connectionOf(e);
    const { id, outs } = await provider.create(await checked({ connection, name: "cdn", config: BEARER }));
    expect(id).toBe(`${e.url}${PATH}#cdn`);
    expect(requests(e)).toEqual(["POST /v1/users/login 200", `GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    // The journal masks the credential; the shape is what the API documents.
    expect(e.journal.filter("POST")[1]?.body).toEqual([{ name: "cdn", type: "www", config: { bearer: "[secret]" } }]);
    expect(outs).toEqual({
      name: "cdn",
      type: "www",
      config: BEARER,
      baseUrl: e.url,
      connection,
      claimedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: BEARER }]);
  });

  test("basic credentials are sent as {basic: {username, password}}", async () => {
    const e = await emulator();
    await created(e, { name: "images", type: "www", config: BASIC });
    expect(await listed(e)).toEqual([{ name: "images", type: "www", config: BASIC }]);
  });

  test("a client that answers 200 but does not list the provider fails, recording it with no config", async () => {
    const e = await emulator();
    e.faults.inject({
      route: `GET ${PATH}`,
      body: JSON.stringify({ settings: { application: { media: { providers: [] } } } }),
    });
    const inputs = await checked({ connection: connectionOf(e), name: "cdn", config: BEARER });
    const error = await rejection(provider.create(inputs));
    expect(error.code).toBe("WHATSAPP_FIELD_IGNORED");
    expect(error.message).toBe(`POST ${PATH} answered 200 but the client lists no media provider named cdn`);
    // Recorded (so delete can remove it), with a config the next up will send again.
    expect(error.id).toBe(`${e.url}${PATH}#cdn`);
    expect(error.properties).toMatchObject({ name: "cdn", type: "www", config: null });
  });

  test("a refused POST records nothing and says what the client said", async () => {
    const e = await emulator();
    e.faults.inject({ route: `POST ${PATH}`, code: 1009, details: "Can only add 1 config at a time" });
    const inputs = await checked({ connection: connectionOf(e), name: "cdn", config: BEARER });
    const error = await rejection(provider.create(inputs));
    expect(error).toMatchObject({
      code: "WHATSAPP_API",
      status: 400,
      message: `POST ${PATH} failed: 400 1009 Parameter value is not valid (Can only add 1 config at a time)`,
    });
    // A 4xx changed nothing: no id and properties, so Pulumi records no resource.
    expect("properties" in error).toBe(false);
  });
});

describe("ownership: a provider belongs to the stack only if it created or adopted it", () => {
  const THEIRS = { bearer: "someone-elses-token-9f8e7d" };

  test("a provider of the same name the stack does not own is refused after one GET, before any write", async () => {
    const e = await emulator();
    await behindTheBack(e, "POST", "", [{ name: "cdn", type: "www", config: THEIRS }]);
    e.journal.clear();
    const inputs = await checked({ connection: connectionOf(e), name: "cdn", config: BEARER });
    const error = await rejection(provider.create(inputs));
    expect(error.code).toBe("WHATSAPP_NOT_OWNED");
    expect(error.message).toBe(
      `the client at ${e.url} already has a media provider named "cdn" that this stack did not create; nothing was ` +
        "sent; to take it over on purpose (its credentials are overwritten, and destroy deletes it), set adopt: true " +
        "on this MediaProvider; if this stack created it under another resource name, give the renamed resource an " +
        "alias instead; otherwise choose another name",
    );
    // Nothing written, nothing recorded: Pulumi keeps no resource that a later destroy could delete.
    expect("properties" in error).toBe(false);
    expect(requests(e)).toEqual(["POST /v1/users/login 200", `GET ${PATH} 200`]);
    expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: THEIRS }]);
  });

  test("adopt: true takes it over with one POST, and its delete then removes it", async () => {
    const e = await emulator();
    await behindTheBack(e, "POST", "", [{ name: "cdn", type: "www", config: THEIRS }]);
    e.journal.clear();
    const inputs = await checked({ connection: connectionOf(e), name: "cdn", config: BEARER, adopt: true });
    const { id, outs } = await provider.create(inputs);
    expect(requests(e)).toEqual(["POST /v1/users/login 200", `GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: BEARER }]);
    e.journal.clear();
    await provider.delete(id, outs);
    expect(requests(e)).toEqual([`DELETE ${PATH}/cdn 200`]);
  });

  test("adopt changes nothing once the resource exists: no diff, no request", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    const news = await checked({ connection: connectionOf(e), name: "cdn", config: BEARER, adopt: true }, outs);
    expect(await provider.diff(id, outs, news)).toMatchObject({ changes: false });
    expect(requests(e)).toEqual([]);
  });

  test.each([
    ["a string", "yes"],
    ["a number", 1],
  ])("adopt as %s is refused at check", async (_title, adopt) => {
    const { failures } = await provider.check(
      {},
      { connection: connectionOf(await emulator()), name: "cdn", config: BEARER, adopt },
    );
    expect(failures).toEqual([{ property: "adopt", reason: `must be true or false; got ${JSON.stringify(adopt)}` }]);
  });

  test("a replacement under the same name writes over its predecessor's provider, whose delete then sends nothing", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    // replaceOnChanges or --replace: Pulumi diffs first, then creates the new one, then deletes the old one.
    const news = await checked({ connection: connectionOf(e), name: "cdn", config: BASIC }, outs);
    await provider.diff(id, outs, news);
    const replacement = await provider.create(news);
    await provider.delete(id, outs);
    expect(replacement.id).toBe(id);
    expect(requests(e)).toEqual([`GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: BASIC }]);
    // The replacement's own delete (a later destroy) still removes it.
    e.journal.clear();
    await provider.delete(replacement.id, replacement.outs);
    expect(requests(e)).toEqual([`DELETE ${PATH}/cdn 200`]);
  });

  test("a resource renamed without an alias is refused like any other; with adopt: true it takes over and the old one's delete sends nothing", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    // A rename without an alias: Pulumi creates the new resource (no diff runs), then deletes the old one.
    const renamed = await checked({ connection: connectionOf(e), name: "cdn", config: BASIC });
    expect((await rejection(provider.create(renamed))).code).toBe("WHATSAPP_NOT_OWNED");
    expect(requests(e)).toEqual([`GET ${PATH} 200`]);
    e.journal.clear();
    const adopted = await provider.create({ ...renamed, adopt: true });
    await provider.delete(id, outs);
    expect(requests(e)).toEqual([`GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: BASIC }]);
    expect(adopted.outs).toMatchObject({ name: "cdn", config: BASIC });
  });

  test("a delete-before-replace under the same name deletes first, then creates: the client holds the new one", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    const news = await checked({ connection: connectionOf(e), name: "cdn", config: BASIC }, outs);
    await provider.diff(id, outs, news);
    await provider.delete(id, outs);
    await provider.create(news);
    expect(requests(e)).toEqual([`DELETE ${PATH}/cdn 200`, `GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: BASIC }]);
  });
});

describe("a create interrupted after its POST landed", () => {
  test("the same resource's next create takes its provider back, with a warning; another resource is still refused", async () => {
    const e = await emulator();
    const own = await checked({ connection: connectionOf(e), name: "cdn", config: BEARER, __resourceName: "cdn" });
    await provider.create(own);
    // The deployment is killed before state records the create: a new provider process, no state.
    await provider.shutdown();
    e.journal.clear();
    const other = await checked({ connection: connectionOf(e), name: "cdn", config: BASIC, __resourceName: "cdn-b" });
    expect((await rejection(provider.create(other))).code).toBe("WHATSAPP_NOT_OWNED");
    expect(requests(e)).toEqual(["POST /v1/users/login 200", `GET ${PATH} 200`]);
    e.journal.clear();
    const warnings = captureWarnings();
    const again = await provider.create(own);
    expect(requests(e)).toEqual([`GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(warnings).toEqual([
      expect.stringContaining(`${e.url}: media provider "cdn" was sent by an interrupted create of this resource at`),
    ]);
    expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: BEARER }]);
    // Once its delete removed the provider, the note is gone: nothing is taken back any more.
    await provider.delete(again.id, again.outs);
    await behindTheBack(e, "POST", "", [{ name: "cdn", type: "www", config: BASIC }]);
    expect((await rejection(provider.create(own))).code).toBe("WHATSAPP_NOT_OWNED");
  });
});

describe("two claims of one provider", () => {
  const claimant = (e: Emulator, resource: string, name = "cdn") => ({
    connection: connectionOf(e),
    name,
    config: BEARER,
    __resourceName: resource,
  });

  test("a second resource claiming the same (client, name) fails check, naming both resources", async () => {
    const e = await emulator();
    expect((await provider.check({}, claimant(e, "cdn-a"))).failures).toEqual([]);
    expect((await provider.check({}, claimant(e, "cdn-b"))).failures).toEqual([
      {
        property: "name",
        reason:
          `"cdn" on ${e.url} is claimed by two resources, MediaProvider "cdn-b" and MediaProvider "cdn-a": the ` +
          "client holds one provider per name, so removing either would delete the provider the other still " +
          "manages; keep one of them, or give each its own name",
      },
    ]);
    expect(e.journal.entries).toEqual([]);
  });

  test.each([
    ["the same resource checked again (preview, then up)", "cdn-a", "cdn", "same"],
    ["another name on the same client", "cdn-b", "images", "same"],
    ["the same name on another client", "cdn-b", "cdn", "other"],
  ])("%s is no conflict", async (_title, resource, name, client) => {
    const e = await emulator();
    const other = await emulator();
    expect((await provider.check({}, claimant(e, "cdn-a"))).failures).toEqual([]);
    const second = claimant(client === "same" ? e : other, resource, name);
    expect((await provider.check({}, second)).failures).toEqual([]);
  });
});

describe("diff", () => {
  test.each([
    ["the same inputs", {}, { changes: false, replaces: [] }],
    [
      "the same config with its keys in another order",
      { config: { basic: { password: "p4ssw0rd!", username: "u" } } },
      { changes: false, replaces: [] },
    ],
    ["another bearer token", { config: { bearer: "another-token" } }, { changes: true, replaces: [] }],
    ["basic credentials instead of a bearer token", { config: BASIC }, { changes: true, replaces: [] }],
    ["another name", { name: "cdn_two" }, { changes: true, replaces: ["name"] }],
    ["a name not known yet", { name: UNKNOWN }, { changes: true, replaces: ["name"] }],
    ["a config not known yet", { config: { bearer: UNKNOWN } }, { changes: true, replaces: [] }],
    [
      "another client",
      { connection: { baseUrl: "https://other.example.com:9090", token: "t0k3n-xyz" } },
      { changes: true, replaces: ["connection"] },
    ],
    [
      "a cosmetic spelling of the same client",
      { connection: { baseUrl: "HTTPS://wa.example.com:443/", token: "t0k3n-xyz" } },
      { changes: true, replaces: [] },
    ],
  ])("%s: %o", async (_title, change, expected) => {
    const olds: Props = {
      name: "cdn",
      type: "www",
      config: { basic: { username: "u", password: "p4ssw0rd!" } },
      baseUrl: "https://wa.example.com",
      connection: { baseUrl: "https://wa.example.com", token: "t0k3n-xyz" },
    };
    const news = { name: "cdn", type: "www", config: olds.config, connection: olds.connection, ...change };
    expect(await provider.diff("id", olds, news)).toMatchObject(expected);
  });
});

describe("update", () => {
  test("a new config is POSTed under the same name, which overwrites it, then confirmed with a GET", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    const news = await checked({ connection: connectionOf(e), name: "cdn", config: BASIC }, outs);
    expect(await provider.diff(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
    const { outs: updated } = await provider.update(id, outs, news);
    expect(requests(e)).toEqual([`POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(updated).toMatchObject({ name: "cdn", type: "www", config: BASIC });
    expect(await listed(e)).toEqual([{ name: "cdn", type: "www", config: BASIC }]);
  });

  test("a change of the connection alone (new credentials, same client) is recorded without a request", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    const news = await checked({ connection: connectionOf(e, { timeoutMs: 5000 }), name: "cdn", config: BEARER }, outs);
    expect(await provider.diff(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
    const { outs: updated } = await provider.update(id, outs, news);
    expect(requests(e)).toEqual([]);
    expect(updated.connection).toMatchObject({ timeoutMs: 5000 });
  });

  test("a new name replaces: the new provider is created, then the old one deleted", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    const news = await checked({ connection: connectionOf(e), name: "cdn_two", config: BEARER }, outs);
    expect(await provider.diff(id, outs, news)).toMatchObject({
      changes: true,
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
    const replacement = await provider.create(news);
    await provider.delete(id, outs);
    expect(replacement.id).toBe(`${e.url}${PATH}#cdn_two`);
    expect(requests(e)).toEqual([`GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`, `DELETE ${PATH}/cdn 200`]);
    expect(await listed(e)).toEqual([{ name: "cdn_two", type: "www", config: BEARER }]);
  });
});

describe("read", () => {
  test("an unchanged provider reads back as it is: one GET, and no diff afterwards", async () => {
    const e = await emulator();
    const { id, outs, inputs } = await created(e);
    const read = await provider.read(id, outs);
    expect(requests(e)).toEqual([`GET ${PATH} 200`]);
    expect(read).toEqual({
      id,
      props: outs,
      inputs: { name: "cdn", type: "www", config: BEARER, connection: inputs.connection },
    });
    expect(await provider.diff(id, read.props as Props, inputs)).toMatchObject({ changes: false });
  });

  test("a config changed on the client shows as the live value, so the next up puts the program's back", async () => {
    const e = await emulator();
    const { id, outs, inputs } = await created(e);
    await behindTheBack(e, "POST", "", [{ name: "cdn", type: "www", config: BASIC }]);
    const read = await provider.read(id, outs);
    expect(read.props).toMatchObject({ config: BASIC });
    expect(read.inputs).toMatchObject({ config: BASIC });
    expect(await provider.diff(id, read.props as Props, inputs)).toMatchObject({ changes: true, replaces: [] });
  });

  test("unknown keys a newer client adds to a config are not drift", async () => {
    const e = await emulator();
    const { id, outs, inputs } = await created(e);
    await behindTheBack(e, "POST", "", [{ name: "cdn", type: "www", config: { ...BEARER, ttl: 60 } }]);
    const read = await provider.read(id, outs);
    expect(await provider.diff(id, read.props as Props, inputs)).toMatchObject({ changes: false });
  });

  test("a provider the client no longer lists is gone: read returns no id, so Pulumi drops it from state", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    await behindTheBack(e, "DELETE", "/cdn");
    e.journal.clear();
    expect(await provider.read(id, outs)).toEqual({});
    expect(requests(e)).toEqual([`GET ${PATH} 200`]);
  });

  test("a connection that now names another client sends nothing to either", async () => {
    const e = await emulator();
    const other = await emulator();
    const { id, outs } = await created(e);
    await expect(provider.read(id, { ...outs, connection: connectionOf(other) })).rejects.toMatchObject({
      code: "WHATSAPP_WRONG_CLIENT",
    });
    expect(requests(e)).toEqual([]);
    expect(other.journal.entries).toEqual([]);
  });
});

describe("delete", () => {
  test("it sends DELETE …/providers/{name} and the provider is gone", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    await provider.delete(id, outs);
    expect(requests(e)).toEqual([`DELETE ${PATH}/cdn 200`]);
    expect(await listed(e)).toEqual([]);
  });

  test("a provider already gone (404) counts as deleted", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    await behindTheBack(e, "DELETE", "/cdn");
    e.journal.clear();
    await expect(provider.delete(id, outs)).resolves.toBeUndefined();
    expect(requests(e)).toEqual([`DELETE ${PATH}/cdn 404`]);
  });

  test("other failures keep the resource: the error goes back to Pulumi", async () => {
    const e = await emulator();
    const { id, outs } = await created(e);
    e.faults.inject({ route: `DELETE ${PATH}/cdn`, status: 403, code: 1005 });
    await expect(provider.delete(id, outs)).rejects.toMatchObject({ code: "WHATSAPP_API", status: 403 });
  });
});

describe("the emulator's media providers", () => {
  test("a POST of an existing name overwrites that provider in place: one entry, the new values, same position", async () => {
    const e = await emulator();
    await behindTheBack(e, "POST", "", [{ name: "first", type: "www", config: BEARER }]);
    await behindTheBack(e, "POST", "", [{ name: "second", type: "www", config: BEARER }]);
    await behindTheBack(e, "POST", "", [{ name: "first", type: "www", config: BASIC }]);
    expect(await listed(e)).toEqual([
      { name: "first", type: "www", config: BASIC },
      { name: "second", type: "www", config: BEARER },
    ]);
  });
});
