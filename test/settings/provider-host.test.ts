import { beforeAll, expect, onTestFinished, test } from "vitest";
import { type Registration, runMockedProgram, secretKeys, unwrapSecrets } from "../e2e/mocked-program";
import { ProviderHost } from "../engine/provider-host";
import { connectionOf, emulator } from "../support/emulator";
import { packedProgram } from "../support/packed";

// One ApplicationSettings per entry of PROGRAMS ([name, args] pairs): a run under mocks costs a
// second of CPU, so the registrations one test needs come from one run.
const PROGRAM = `
const ws = require("pulumi-whatsapp-settings");
for (const [name, args] of JSON.parse(process.env.PROGRAMS)) new ws.ApplicationSettings(name, args);
`;

function register(dir: string, programs: Record<string, Record<string, unknown>>): Record<string, Registration> {
  const registrations = runMockedProgram(dir, "./index.js", { PROGRAMS: JSON.stringify(Object.entries(programs)) });
  return Object.fromEntries(
    Object.keys(programs).map((name) => {
      const registration = registrations.find((r) => r.name === name);
      if (!registration) throw new Error(`the program registered no ${name}`);
      return [name, registration];
    }),
  );
}

test("the packed package drives a whole lifecycle through Pulumi's dynamic-provider host", async () => {
  const e = await emulator();
  const dir = packedProgram({ "index.js": PROGRAM });
  const connection = connectionOf(e);
  const urn = "urn:pulumi:dev::program::pulumi-nodejs:dynamic/whatsapp:ApplicationSettings::settings";

  // The program's registration: type token, secret connection, and a provider that is one require().
  const { settings: first } = register(dir, {
    settings: { connection, logLevel: "warning", webhooks: { maxConcurrentRequests: 6 } },
  });
  if (!first) throw new Error("the program registered nothing");
  expect(first.type).toBe("pulumi-nodejs:dynamic/whatsapp:ApplicationSettings");
  expect(secretKeys(first.inputs)).toEqual(["connection"]);
  expect(first.inputs.__provider).toContain('require("pulumi-whatsapp-settings/dist/provider/settings/provider.js")');
  expect(String(first.inputs.__provider).length).toBeLessThan(1000);

  const host = await ProviderHost.start(dir);
  onTestFinished(() => host.close());
  await host.configure({});

  // preview + up: check, then create.
  const checked = await host.check(urn, {}, unwrapSecrets(first.inputs) as Record<string, unknown>);
  expect(checked.failures).toEqual([]);
  const created = await host.create(urn, checked.inputs);
  expect(created.id).toBe(`${e.url}/v1/settings/application`);
  expect(created.properties).toMatchObject({
    logLevel: "warning",
    restartRequiredFields: ["logLevel"],
    apiVersion: "v2.53.2",
  });
  expect(e.getSetting("log_level")).toBe("warning");
  expect(e.pendingRestart()).toEqual(["log_level"]);
  await e.restart();

  // An unchanged program: no diff.
  const again = await host.check(urn, checked.inputs, unwrapSecrets(first.inputs) as Record<string, unknown>);
  expect(await host.diff(urn, created.id, created.properties, again.inputs)).toMatchObject({ changes: "none" });

  // A restart-only change is flagged by check, so preview shows it; update applies it.
  const { settings: second } = register(dir, {
    settings: { connection, logLevel: "warning", webhooks: { maxConcurrentRequests: 18 } },
  });
  if (!second) throw new Error("the program registered nothing");
  const checkedSecond = await host.check(urn, again.inputs, unwrapSecrets(second.inputs) as Record<string, unknown>);
  expect(checkedSecond.inputs).toMatchObject({
    restartRequired: true,
    restartRequiredFields: ["webhooks.maxConcurrentRequests"],
  });
  // The host's stderr arrives on its own pipe, possibly after the gRPC answer.
  await expect
    .poll(() => host.stderr)
    .toContain("takes effect only after a Coreapp restart: webhooks.maxConcurrentRequests");
  expect(await host.diff(urn, created.id, created.properties, checkedSecond.inputs)).toMatchObject({
    changes: "some",
    replaces: [],
  });
  const updated = await host.update(urn, created.id, created.properties, checkedSecond.inputs);
  expect(updated.properties).toMatchObject({ webhooks: { maxConcurrentRequests: 18 } });
  expect(e.pendingRestart()).toEqual(["webhooks.max_concurrent_requests"]);

  // Drift on the client, then refresh: the live value comes back as output and as input.
  e.setSetting("log_level", "fatal");
  const refreshed = await host.read(urn, created.id, updated.properties, checkedSecond.inputs);
  expect(refreshed.properties).toMatchObject({ logLevel: "fatal" });
  expect(refreshed.inputs).toMatchObject({ logLevel: "fatal" });
  const third = await host.check(urn, refreshed.inputs, unwrapSecrets(second.inputs) as Record<string, unknown>);
  expect(await host.diff(urn, created.id, refreshed.properties, third.inputs)).toMatchObject({ changes: "some" });

  // destroy, from a fresh host (a later deployment): the client is back to its defaults.
  await host.close();
  const later = await ProviderHost.start(dir);
  onTestFinished(() => later.close());
  await later.configure({});
  await later.delete(urn, created.id, refreshed.properties);
  expect(e.getSetting("log_level")).toBe("info");
  expect(e.getSetting("webhooks.max_concurrent_requests")).toBe(6);
  expect(e.journal.count("POST /v1/users/login")).toBe(2);
});

const PLAIN_WEBHOOKS: Array<[string, string, string[]]> = [
  ["with a query string", "https://hooks.example.com/in?auth=s3cret", ["connection", "webhooks"]],
  ["without one", "https://hooks.example.com/in", ["connection"]],
];

/**
 * The registrations of the tests below, from one program run: each test has its own resource,
 * and sends it under its own name (the registered inputs carry the resource's name).
 */
let registered: { dir: string; of: Record<string, Registration> } | undefined;
beforeAll(() => {
  const dir = packedProgram({ "index.js": PROGRAM });
  const of = register(dir, {
    config: { sentStatus: true },
    bad: {
      connection: { baseUrl: "https://wa.example.com", username: "admin", password: "x" },
      webhooks: { maxConcurrentRequests: 10 },
    },
    ...Object.fromEntries(
      PLAIN_WEBHOOKS.map(([name, url]) => [
        name,
        {
          connection: { baseUrl: "https://wa.example.com", token: "t0ken-abcdef" },
          webhooks: { url, maxConcurrentRequests: 6 },
        },
      ]),
    ),
  });
  registered = { dir, of };
});

function urnOf(name: string): string {
  return `urn:pulumi:dev::program::pulumi-nodejs:dynamic/whatsapp:ApplicationSettings::${name}`;
}

function registrationOf(name: string): { dir: string; registration: Registration } {
  const registration = registered?.of[name];
  if (!registered || !registration) throw new Error(`no registration of ${name}`);
  return { dir: registered.dir, registration };
}

test("stack config reaches the provider through configure", async () => {
  const e = await emulator();
  const { dir, registration } = registrationOf("config");
  expect(registration.inputs).not.toHaveProperty("connection");
  const host = await ProviderHost.start(dir);
  onTestFinished(() => host.close());
  await host.configure({
    "whatsapp:baseUrl": e.url,
    "whatsapp:username": "admin",
    "whatsapp:password": e.adminPassword,
    "whatsapp:caCert": e.caCert as string,
  });
  const urn = urnOf("config");
  const checked = await host.check(urn, {}, unwrapSecrets(registration.inputs) as Record<string, unknown>);
  expect(checked.failures).toEqual([]);
  const created = await host.create(urn, checked.inputs);
  expect(created.properties).toMatchObject({ sentStatus: true, baseUrl: e.url });
  expect(e.getSetting("sent_status")).toBe(true);
});

test("bad input fails check through the host with the property and allowed values", async () => {
  const { dir, registration } = registrationOf("bad");
  const host = await ProviderHost.start(dir);
  onTestFinished(() => host.close());
  await host.configure({});
  const urn = urnOf("bad");
  const checked = await host.check(urn, {}, unwrapSecrets(registration.inputs) as Record<string, unknown>);
  expect(checked.failures).toEqual([
    { property: "webhooks.maxConcurrentRequests", reason: "must be 6, 12, 18, 24; got 10" },
  ]);
});

test.each(PLAIN_WEBHOOKS)("a plain webhook URL %s is stored secret only when it carries one", (name, _url, secret) => {
  const { registration } = registrationOf(name);
  expect(secretKeys(registration.inputs)).toEqual(secret);
  expect(registration.additionalSecretOutputs).toEqual(["connection", "clientConnection"]);
});
