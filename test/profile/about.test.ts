/** `ProfileAbout`: its check table, and its lifecycle against the emulator, request by request. */
import { describe, expect, test } from "vitest";
import * as provider from "../../provider/profile/provider";
import { parseId } from "../../provider/resource-id";
import type { Emulator } from "../emulator/index";
import { Deployment, requests as hostedRequests } from "../safety/hosted";
import { call, login } from "../support/api";
import { connectionOf, emulator, OFFLINE_CONNECTION, passingCheck, requestLines } from "../support/provider";

type Props = Record<string, unknown>;

const PATH = "/v1/settings/profile/about";
const connection = OFFLINE_CONNECTION;

const requests = requestLines;

const checked = passingCheck(provider);

/** The text the client holds, read with a plain HTTP call. */
async function about(e: Emulator): Promise<unknown> {
  return (await call(e, "GET", PATH, { token: await login(e) })).json.settings.profile.about.text;
}

describe("check", () => {
  test.each<[string, Props]>([
    ["a short text", { text: "Open 9-17" }],
    ["139 characters", { text: "a".repeat(139) }],
    ["139 emoji, each one character", { text: "🙂".repeat(139) }],
  ])("takes %s", async (_title, news) => {
    expect((await provider.check({}, { connection, ...news })).failures).toEqual([]);
  });

  test.each<[string, Props, string, string]>([
    ["an empty text", { text: "" }, "text", "must be 1 to 139 characters"],
    ["140 characters", { text: "a".repeat(140) }, "text", "must be 1 to 139 characters"],
    ["a number", { text: 42 }, "text", "must be 1 to 139 characters"],
    ["no text", {}, "text", "must be 1 to 139 characters"],
    ["null, which has no default to stand for", { text: null }, "text", "must be 1 to 139 characters"],
    ["a typo", { text: "x", txt: "y" }, "txt", "is not an input of ProfileAbout (did you mean text?)"],
  ])("refuses %s, naming the property", async (_title, news, property, reason) => {
    expect((await provider.check({}, { connection, ...news })).failures).toEqual([{ property, reason }]);
  });
});

describe("lifecycle", () => {
  test("create logs in, PATCHes the text and reads it back; its id names the client and the path", async () => {
    const e = await emulator();
    const { id, outs } = await provider.create(await checked({ connection: connectionOf(e), text: "Open 9-17" }));
    expect(requests(e)).toEqual(["POST /v1/users/login 200", `PATCH ${PATH} 200`, `GET ${PATH} 200`]);
    expect(e.journal.filter("PATCH")[0]?.body).toEqual({ text: "Open 9-17" });
    expect(parseId(id)).toEqual({ client: e.url, path: PATH, key: undefined });
    expect(outs).toMatchObject({ text: "Open 9-17", baseUrl: e.url });
    expect(await about(e)).toBe("Open 9-17");
  });

  test("update sends the new text; a change of connection alone sends nothing", async () => {
    const e = await emulator();
    const first = await provider.create(await checked({ connection: connectionOf(e), text: "Open 9-17" }));
    e.journal.clear();
    const news = await checked({ connection: connectionOf(e), text: "Open 8-18" }, first.outs);
    expect(await provider.diff(first.id, first.outs, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await provider.update(first.id, first.outs, news);
    expect(requests(e)).toEqual([`PATCH ${PATH} 200`, `GET ${PATH} 200`]);
    expect(updated.outs).toMatchObject({ text: "Open 8-18" });
    e.journal.clear();
    const tuned = await checked({ connection: connectionOf(e, { timeoutMs: 5000 }), text: "Open 8-18" }, updated.outs);
    await provider.update(first.id, updated.outs, tuned);
    expect(requests(e)).toEqual([]);
  });

  test("read shows a text changed behind the provider's back; delete sends nothing and leaves the text", async () => {
    const e = await emulator();
    const { id, outs } = await provider.create(await checked({ connection: connectionOf(e), text: "Open 9-17" }));
    const token = await login(e);
    expect((await call(e, "PATCH", PATH, { token, body: { text: "Closed" } })).status).toBe(200);
    e.journal.clear();
    const read = await provider.read(id, outs);
    expect(requests(e)).toEqual([`GET ${PATH} 200`]);
    expect(read.inputs).toMatchObject({ text: "Closed" });
    e.journal.clear();
    await provider.delete();
    expect(requests(e)).toEqual([]);
    expect(await about(e)).toBe("Closed");
  });

  test("a text the client refuses fails the create with the API's error and leaves the client as it was", async () => {
    const e = await emulator();
    const inputs = { connection: connectionOf(e), text: "a".repeat(140) };
    await expect(provider.create(inputs)).rejects.toMatchObject({ code: "WHATSAPP_API", status: 400, apiCode: 1009 });
    expect(await about(e)).toBe("");
  });
});

test("the packed package sets and reads the text through Pulumi's dynamic-provider host", async () => {
  const e = await emulator();
  const deployment = await Deployment.start();
  const state = await deployment.up("ProfileAbout", "about", { connection: connectionOf(e), text: "Open 9-17" });
  expect(state.outputs).toMatchObject({ text: "Open 9-17", baseUrl: e.url });
  const read = await deployment.read("ProfileAbout", "about", state);
  expect(read.outputs).toMatchObject({ text: "Open 9-17" });
  expect(hostedRequests(e)).toEqual(["POST /v1/users/login", `PATCH ${PATH}`, `GET ${PATH}`, `GET ${PATH}`]);
}, 120_000);
