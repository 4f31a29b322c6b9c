/**
 * `TwoStepVerification`: its check table, and its lifecycle against emulated clients, counting the
 * DELETEs (which disable two-step verification, a security downgrade) each client received.
 */
import { beforeEach, describe, expect, test } from "vitest";
import * as provider from "../../provider/account/provider";
import { parseId } from "../../provider/resource-id";
import type { EchoForm, Emulator } from "../emulator/index";
import { configOf, Deployment, requests as hostedRequests, startDeployment } from "../safety/hosted";
import { suiteEmulator } from "../support/emulator";
import { captureWarnings, connectionOf, OFFLINE_CONNECTION, passingCheck, requestLines } from "../support/provider";
import { rejection } from "../support/rejection";

const PATH = "/v1/settings/account/two-step";
const PIN = "482913";
const connection = OFFLINE_CONNECTION;
const first = suiteEmulator();
const second = suiteEmulator();

const requests = requestLines;

function deletes(e: Emulator): number {
  return e.journal.count(`DELETE ${PATH}`);
}

const checked = passingCheck(provider);

async function created(e: Emulator, pin = PIN) {
  return provider.create(await checked({ connection: connectionOf(e), pin }));
}

beforeEach(() => {
  first().journal.clear();
  second().journal.clear();
});

describe("check", () => {
  test.each(["123456", "000000"])("takes %s", async (pin) => {
    expect((await provider.check({}, { connection, pin })).failures).toEqual([]);
  });

  test.each<[string, unknown]>([
    ["five digits", "12345"],
    ["seven digits", "1234567"],
    ["a letter", "12345a"],
    ["a number, which would lose leading zeros", 123456],
    ["no PIN", undefined],
  ])("refuses %s, naming the property and never the value", async (_title, pin) => {
    const { failures } = await provider.check({}, { connection, pin });
    expect(failures).toEqual([{ property: "pin", reason: "must be exactly 6 digits, as a string" }]);
  });
});

describe("lifecycle", () => {
  test("create logs in and POSTs the PIN, which the journal and state keep out of sight", async () => {
    const e = first();
    const { id, outs } = await created(e);
    expect(requests(e)).toEqual(["POST /v1/users/login 200", "GET /v1/settings/application 200", `POST ${PATH} 200`]);
    expect(e.journal.filter(`POST ${PATH}`)[0]?.body).toEqual({ pin: "[secret]" });
    expect(e.twoStepEnabled).toBe(true);
    expect(parseId(id)).toEqual({ client: e.url, path: PATH, key: undefined });
    expect(outs).toMatchObject({ pin: PIN, baseUrl: e.url, enabledAt: expect.any(String), waId: e.waId });
  });

  test("update POSTs a new PIN; a change of connection alone sends nothing; refresh sends nothing", async () => {
    const e = first();
    const made = await created(e);
    e.journal.clear();
    const news = await checked({ connection: connectionOf(e), pin: "111111" }, made.outs);
    expect(await provider.diff(made.id, made.outs, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await provider.update(made.id, made.outs, news);
    expect(requests(e)).toEqual([`POST ${PATH} 200`]);
    expect(updated.outs).toMatchObject({ pin: "111111", enabledAt: made.outs.enabledAt });
    e.journal.clear();
    const tuned = await checked({ connection: connectionOf(e, { timeoutMs: 5000 }), pin: "111111" });
    await provider.update(made.id, updated.outs, tuned);
    const read = await provider.read(made.id, updated.outs);
    expect(read).toEqual({ id: made.id, props: updated.outs, inputs: { pin: "111111", connection: connectionOf(e) } });
    expect(requests(e)).toEqual([]);
  });

  test("delete sends one DELETE, which disables it, and says so without the PIN", async () => {
    const e = first();
    const made = await created(e);
    e.journal.clear();
    const warnings = captureWarnings();
    await provider.delete(made.id, made.outs);
    expect(deletes(e)).toBe(1);
    expect(e.twoStepEnabled).toBe(false);
    expect(warnings.join("\n")).toContain("two-step verification disabled");
    expect(warnings.join("\n")).not.toContain(PIN);
  });

  test("two deletes on one client in a deployment send one DELETE", async () => {
    const e = first();
    const a = await created(e);
    // Another resource's state naming the same client with the same stamp: a destroy of both.
    e.journal.clear();
    await provider.delete(a.id, a.outs);
    await provider.delete(a.id, { ...a.outs });
    expect(deletes(e)).toBe(1);
  });

  test("two resources on one client fail check, naming both; nothing is sent", async () => {
    const e = first();
    const named = (resource: string) => ({ connection: connectionOf(e), pin: PIN, __resourceName: resource });
    expect((await provider.check({}, named("main"))).failures).toEqual([]);
    expect((await provider.check({}, named("main"))).failures).toEqual([]);
    const { failures } = await provider.check({}, named("spare"));
    expect(failures).toEqual([
      {
        property: "connection",
        reason:
          `${e.url} is managed by two resources, TwoStepVerification "main" and TwoStepVerification "spare": a ` +
          "client holds one PIN, so removing either would remove what the other still declares; keep one of them",
      },
    ]);
    expect(JSON.stringify(failures)).not.toContain(PIN);
    expect(e.journal.entries).toEqual([]);
  });

  test("a resource this stack did not enable (imported: no enabledAt in state) is deleted without a DELETE", async () => {
    const e = first();
    await created(e);
    e.journal.clear();
    await provider.delete(`${e.url}${PATH}`, { baseUrl: e.url, connection: connectionOf(e) });
    expect(deletes(e)).toBe(0);
    expect(e.twoStepEnabled).toBe(true);
  });

  test("a replacement on the same client (created before the old one is deleted) leaves two-step verification on", async () => {
    const e = first();
    const old = await created(e);
    const replacement = await created(e, "222222");
    e.journal.clear();
    await provider.delete(old.id, old.outs);
    expect(deletes(e)).toBe(0);
    expect(e.twoStepEnabled).toBe(true);
    // The replacement's own delete later is the one that disables it.
    await provider.delete(replacement.id, replacement.outs);
    expect(deletes(e)).toBe(1);
  });

  test("a replacement on another client: preview warns of the DELETE; the old client alone receives it", async () => {
    const [a, b] = [first(), second()];
    const old = await created(a);
    const warnings = captureWarnings();
    const news = await checked({ connection: connectionOf(b), pin: PIN }, old.outs);
    expect(await provider.diff(old.id, old.outs, news)).toMatchObject({ changes: true, replaces: ["connection"] });
    expect(warnings.join("\n")).toContain(`${a.url}: this step will send DELETE ${PATH}`);
    await provider.create(news);
    await provider.delete(old.id, old.outs);
    expect([deletes(a), deletes(b)]).toEqual([1, 0]);
    expect([a.twoStepEnabled, b.twoStepEnabled]).toEqual([false, true]);
  });

  test.each<EchoForm>(["plain", "json", "base64"])(
    "a client echoing the POST (%s) fails the create without the PIN in the error",
    async (echo) => {
      const e = first();
      e.faults.inject({ route: `POST ${PATH}`, echo, times: 1 });
      const error = await rejection(created(e));
      expect(error.message).toContain("400");
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(PIN);
    },
  );
});

test("the packed package enables and disables it through Pulumi's dynamic-provider host, the PIN never on stderr", async () => {
  const e = second();
  const deployment = await Deployment.start();
  e.journal.clear();
  const state = await deployment.up("TwoStepVerification", "two-step", { connection: connectionOf(e), pin: PIN });
  expect(state.outputs).toMatchObject({ baseUrl: e.url });
  const read = await deployment.read("TwoStepVerification", "two-step", state);
  expect(read.outputs).toMatchObject({ enabledAt: state.outputs.enabledAt });
  await deployment.delete("TwoStepVerification", "two-step", state);
  expect(hostedRequests(e)).toEqual([
    "POST /v1/users/login",
    "GET /v1/settings/application",
    `POST ${PATH}`,
    `DELETE ${PATH}`,
  ]);
  expect(e.twoStepEnabled).toBe(false);
  expect(deployment.stderr).not.toContain(PIN);
}, 120_000);

// A native program with an explicit provider runs two plugin processes in one deployment: the
// rules between resources hold across them.
test("renamed without an alias, the new name created by an earlier deployment: the old one's delete leaves two-step verification on", async () => {
  // The deployment that created the new name (`up --target`, or an up killed before its deletes)
  // did not delete the old one.
  const e = second();
  const old = await (await startDeployment("dynamic")).up("TwoStepVerification", "old", {
    connection: connectionOf(e),
    pin: PIN,
  });
  const successor = await (await startDeployment("dynamic")).up("TwoStepVerification", "new", {
    connection: connectionOf(e),
    pin: PIN,
  });
  e.journal.clear();
  // The next up diffs the new name, in state, then deletes the old one.
  const next = await startDeployment("dynamic");
  const inputs = await next.check("TwoStepVerification", "new", { connection: connectionOf(e), pin: PIN });
  expect((await next.diff("TwoStepVerification", "new", successor, inputs)).changes).toBe("none");
  await next.delete("TwoStepVerification", "old", old);
  expect(deletes(e)).toBe(0);
  expect(e.twoStepEnabled).toBe(true);
  // Dropped from the program in turn, with nothing else declaring it: the one DELETE.
  const last = await startDeployment("dynamic");
  await last.delete("TwoStepVerification", "new", successor);
  expect(deletes(e)).toBe(1);
  expect(e.twoStepEnabled).toBe(false);
}, 120_000);

describe("through the native provider, with an explicit provider and the default one", { timeout: 120_000 }, () => {
  test("two resources on one client, one per provider, fail check, naming both; nothing is sent", async () => {
    const e = second();
    const deployment = await startDeployment("native", configOf(e));
    e.journal.clear();
    await deployment.check("TwoStepVerification", "main", { connection: connectionOf(e), pin: PIN });
    expect(await deployment.checkFailures("TwoStepVerification", "spare", { pin: PIN })).toEqual([
      {
        property: "connection",
        reason:
          `${e.url} is managed by two resources, TwoStepVerification "main" and TwoStepVerification "spare": a ` +
          "client holds one PIN, so removing either would remove what the other still declares; keep one of them",
      },
    ]);
    expect(hostedRequests(e)).toEqual([]);
  });

  test("moved from its own provider to the default one (a replacement), the old one's delete leaves two-step verification on", async () => {
    const e = second();
    const old = await (await startDeployment("native", configOf(e))).up("TwoStepVerification", "two-step", {
      connection: connectionOf(e),
      pin: PIN,
    });
    e.journal.clear();
    // Pulumi creates the replacement (default provider) before it deletes the old resource (its own provider).
    const next = await startDeployment("native", configOf(e));
    await next.up("TwoStepVerification", "two-step", { pin: "222222" });
    await next.delete("TwoStepVerification", "two-step", old);
    expect(deletes(e)).toBe(0);
    expect(e.twoStepEnabled).toBe(true);
  });
});
