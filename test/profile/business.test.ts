/** `BusinessProfile`: its check table, and its lifecycle against the emulator, request by request. */
import { beforeEach, describe, expect, test } from "vitest";
import * as provider from "../../provider/profile/business/provider";
import { parseId } from "../../provider/resource-id";
import type { Emulator } from "../emulator/index";
import { Deployment, requests as hostedRequests } from "../safety/hosted";
import { call, login } from "../support/api";
import { suiteEmulator } from "../support/emulator";
import { connectionOf, OFFLINE_CONNECTION, passingCheck, requestLines } from "../support/provider";

type Props = Record<string, unknown>;

const PATH = "/v1/settings/business/profile";
const connection = OFFLINE_CONNECTION;
const current = suiteEmulator();
/** A client older than v2.23, which takes only the whole profile. */
const older = suiteEmulator({ clientVersion: "2.21.6" });

const requests = requestLines;

const checked = passingCheck(provider);

/** The profile the client holds, read with a plain HTTP call. */
async function profileOf(e: Emulator): Promise<Props> {
  return (await call(e, "GET", PATH, { token: await login(e) })).json.settings.business.profile;
}

/** Sets the client's profile behind the provider's back. */
async function setBehind(e: Emulator, body: Props): Promise<void> {
  expect((await call(e, "POST", PATH, { token: await login(e), body })).status).toBe(200);
}

beforeEach(() => {
  current().journal.clear();
  older().journal.clear();
});

describe("check", () => {
  test.each<[string, Props]>([
    ["every property", { address: "1 Main St", description: "Plants", email: "a@b.co", vertical: "Other" }],
    ["two websites", { websites: ["https://example.com", "http://example.org/shop"] }],
    ["256-character address and description", { address: "a".repeat(256), description: "🙂".repeat(256) }],
    ["empty texts and no websites, which clear them", { address: "", email: "", websites: [] }],
    ["nothing at all (the client keeps its profile)", {}],
  ])("takes %s", async (_title, news) => {
    expect((await provider.check({}, { connection, ...news })).failures).toEqual([]);
  });

  test.each<[string, Props, string, string]>([
    ["a 257-character address", { address: "a".repeat(257) }, "address", "must be at most 256 characters"],
    ["a 257-character description", { description: "a".repeat(257) }, "description", "must be at most 256"],
    ["an e-mail without a domain", { email: "hello" }, "email", "must be an e-mail address of at most 128"],
    ["a 129-character e-mail", { email: `${"a".repeat(120)}@example.com` }, "email", "must be an e-mail address"],
    [
      "an industry not in the list",
      { vertical: "Gardening" },
      "vertical",
      "must be Automotive; Beauty, Spa and Salon;",
    ],
    ["an empty industry", { vertical: "" }, "vertical", "must be Automotive;"],
    [
      "three websites",
      { websites: ["https://a.example", "https://b.example", "https://c.example"] },
      "websites",
      "must be at most 2 URLs",
    ],
    ["a website without a scheme", { websites: ["example.com"] }, "websites", "must be at most 2 URLs"],
    ["a 257-character website", { websites: [`https://${"a".repeat(249)}`] }, "websites", "must be at most 2 URLs"],
    ["a typo", { adress: "1 Main St" }, "adress", "is not an input of BusinessProfile (did you mean address?)"],
  ])("refuses %s, naming the property", async (_title, news, property, reason) => {
    const { failures } = await provider.check({}, { connection, ...news });
    expect(failures).toHaveLength(1);
    expect(failures[0]?.property).toBe(property);
    expect(failures[0]?.reason).toContain(reason);
  });

  test("removing vertical from an existing resource is refused: the client cannot clear it", async () => {
    const { failures } = await provider.check({ vertical: "Other", email: "a@b.co" }, { connection, email: "a@b.co" });
    expect(failures).toEqual([{ property: "vertical", reason: expect.stringContaining("cannot be removed") }]);
    // Another value, or a resource that never managed it, is fine.
    expect((await provider.check({ vertical: "Other" }, { connection, vertical: "Restaurant" })).failures).toEqual([]);
    expect((await provider.check({ email: "a@b.co" }, { connection })).failures).toEqual([]);
  });
});

describe("lifecycle on a client of v2.23 or later", () => {
  test("create reads the profile, POSTs the given properties only and reads them back; the id names the client", async () => {
    const e = current();
    await setBehind(e, { address: "kept by the client" });
    e.journal.clear();
    const inputs = await checked({ connection: connectionOf(e), email: "hello@example.com", vertical: "Restaurant" });
    const { id, outs } = await provider.create(inputs);
    expect(requests(e)).toEqual(["POST /v1/users/login 200", `GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(e.journal.filter("POST")[1]?.body).toEqual({ email: "hello@example.com", vertical: "Restaurant" });
    expect(parseId(id)).toEqual({ client: e.url, path: PATH, key: undefined });
    expect(outs).toMatchObject({ email: "hello@example.com", vertical: "Restaurant", baseUrl: e.url });
    expect(outs).not.toHaveProperty("address");
    expect(await profileOf(e)).toMatchObject({ address: "kept by the client", email: "hello@example.com" });
  });

  test("update POSTs the changed properties and clears a removed one; a change of connection alone sends nothing", async () => {
    const e = current();
    const first = await provider.create(
      await checked({ connection: connectionOf(e), email: "a@example.com", websites: ["https://example.com"] }),
    );
    e.journal.clear();
    const news = await checked({ connection: connectionOf(e), email: "b@example.com" }, first.outs);
    expect(await provider.diff(first.id, first.outs, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await provider.update(first.id, first.outs, news);
    expect(requests(e)).toEqual([`POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(e.journal.filter("POST")[0]?.body).toEqual({ email: "b@example.com", websites: [] });
    expect(updated.outs).toMatchObject({ email: "b@example.com" });
    expect(updated.outs).not.toHaveProperty("websites");
    expect(await profileOf(e)).toMatchObject({ email: "b@example.com", websites: [] });
    e.journal.clear();
    const tuned = await checked({ connection: connectionOf(e, { timeoutMs: 5000 }), email: "b@example.com" });
    expect(await provider.diff(first.id, updated.outs, tuned)).toMatchObject({ changes: true, replaces: [] });
    await provider.update(first.id, updated.outs, tuned);
    expect(requests(e)).toEqual([]);
  });

  test("read shows a managed property changed behind the provider's back, and only managed ones; delete sends nothing", async () => {
    const e = current();
    const { id, outs } = await provider.create(await checked({ connection: connectionOf(e), description: "Plants" }));
    await setBehind(e, { description: "Changed by hand", address: "Elsewhere" });
    e.journal.clear();
    const read = await provider.read(id, outs);
    expect(requests(e)).toEqual([`GET ${PATH} 200`]);
    expect(read.inputs).toEqual({ description: "Changed by hand", connection: connectionOf(e) });
    e.journal.clear();
    await provider.delete();
    expect(requests(e)).toEqual([]);
    expect(await profileOf(e)).toMatchObject({ description: "Changed by hand" });
  });

  test("a value the client refuses fails the create with the API's error and leaves the profile as it was", async () => {
    const e = current();
    const before = await profileOf(e);
    const inputs = { connection: connectionOf(e), address: "a".repeat(257) };
    await expect(provider.create(inputs)).rejects.toMatchObject({ code: "WHATSAPP_API", status: 400, apiCode: 1009 });
    expect(await profileOf(e)).toEqual(before);
  });

  test("the client refuses to clear an industry once set, as the provider assumes", async () => {
    const e = current();
    await setBehind(e, { vertical: "Education" });
    const refused = await call(e, "POST", PATH, { token: await login(e), body: { vertical: "" } });
    expect(refused.status).toBe(400);
    expect(await profileOf(e)).toMatchObject({ vertical: "Education" });
  });
});

describe("lifecycle on a client older than v2.23", () => {
  test("create and update send the whole profile, the unmanaged properties as the client holds them", async () => {
    const e = older();
    await setBehind(e, {
      address: "kept",
      description: "kept too",
      email: "old@example.com",
      vertical: "Education",
      websites: ["https://kept.example"],
    });
    e.journal.clear();
    const { id, outs } = await provider.create(
      await checked({ connection: connectionOf(e), email: "new@example.com" }),
    );
    expect(requests(e)).toEqual(["POST /v1/users/login 200", `GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    const whole = {
      address: "kept",
      description: "kept too",
      email: "new@example.com",
      vertical: "Education",
      websites: ["https://kept.example"],
    };
    expect(e.journal.filter("POST")[1]?.body).toEqual(whole);
    expect(await profileOf(e)).toEqual(whole);
    expect(outs).toMatchObject({ email: "new@example.com", apiVersion: "v2.21.6" });
    e.journal.clear();
    const news = await checked({ connection: connectionOf(e), email: "newer@example.com" }, outs);
    await provider.update(id, outs, news);
    expect(requests(e)).toEqual([`GET ${PATH} 200`, `POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(e.journal.filter("POST")[0]?.body).toEqual({ ...whole, email: "newer@example.com" });
    expect(await profileOf(e)).toEqual({ ...whole, email: "newer@example.com" });
  });
});

test("the packed package sets and reads the profile through Pulumi's dynamic-provider host", async () => {
  const e = current();
  const deployment = await Deployment.start();
  e.journal.clear();
  const state = await deployment.up("BusinessProfile", "profile", {
    connection: connectionOf(e),
    websites: ["https://hosted.example"],
  });
  expect(state.outputs).toMatchObject({ websites: ["https://hosted.example"], baseUrl: e.url });
  const read = await deployment.read("BusinessProfile", "profile", state);
  expect(read.outputs).toMatchObject({ websites: ["https://hosted.example"] });
  expect(hostedRequests(e)).toEqual([
    "POST /v1/users/login",
    `GET ${PATH}`,
    `POST ${PATH}`,
    `GET ${PATH}`,
    `GET ${PATH}`,
  ]);
}, 120_000);
