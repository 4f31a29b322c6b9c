import { describe, expect, test } from "vitest";
import { UNKNOWN } from "../../provider/check";
import * as provider from "../../provider/media/provider";
import { secretForms } from "../../provider/redact";
import type { EchoForm } from "../emulator/index";
import { connectionOf, emulator } from "../support/provider";
import { rejection } from "../support/rejection";

type Props = Record<string, unknown>;

const PATH = "/v1/settings/application/media/providers";
const TOKEN = "Tok_9f8e7d6c5b4a";
const USER = "media-user-5d4c";
const PASSWORD = "Pw_1a2b3c4d5e6f";
const CREDENTIALS = [TOKEN, USER, PASSWORD];
const CONNECTION = { baseUrl: "https://wa.example.com:9090", username: "admin", password: "admin-pass-123" };
const NAME_REASON = "must be 1 to 200 characters, each a letter (A-Z, a-z), `_` or `-`";
const CONFIG_REASON =
  "must be exactly one of {bearer: string} or {basic: {username: string, password: string}}, the username non-empty, the bearer token and the password at least 8 characters (a shorter secret cannot be kept out of messages)";

/** No credential in any form a server or a formatter might give it. */
function expectNoCredential(text: string): void {
  for (const credential of CREDENTIALS) {
    for (const form of secretForms(credential)) expect(text).not.toContain(form);
  }
}

describe("check refuses bad inputs offline, naming the property and never the credentials", () => {
  test.each<[string, Props, { property: string; reason: string }]>([
    [
      "a name with a space",
      { name: "my cdn", config: { bearer: TOKEN } },
      { property: "name", reason: `${NAME_REASON}; got "my cdn"` },
    ],
    [
      "a name with a digit",
      { name: "cdn2", config: { bearer: TOKEN } },
      { property: "name", reason: `${NAME_REASON}; got "cdn2"` },
    ],
    [
      "a name of 201 characters",
      { name: "a".repeat(201), config: { bearer: TOKEN } },
      { property: "name", reason: `${NAME_REASON}; got a string` },
    ],
    ["an empty name", { name: "", config: { bearer: TOKEN } }, { property: "name", reason: `${NAME_REASON}; got ""` }],
    ["no name", { config: { bearer: TOKEN } }, { property: "name", reason: NAME_REASON }],
    ["a number as name", { name: 7, config: { bearer: TOKEN } }, { property: "name", reason: `${NAME_REASON}; got 7` }],
    [
      "the internal type everstore",
      { name: "cdn", type: "everstore", config: { bearer: TOKEN } },
      { property: "type", reason: 'must be one of: "www"; got "everstore"' },
    ],
    [
      "a type in capitals",
      { name: "cdn", type: "WWW", config: { bearer: TOKEN } },
      { property: "type", reason: 'must be one of: "www"; got "WWW"' },
    ],
    ["no config", { name: "cdn" }, { property: "config", reason: CONFIG_REASON }],
    [
      "a config that is the token itself",
      { name: "cdn", config: TOKEN },
      { property: "config", reason: CONFIG_REASON },
    ],
    ["an empty bearer token", { name: "cdn", config: { bearer: "" } }, { property: "config", reason: CONFIG_REASON }],
    [
      "a bearer token as a number",
      { name: "cdn", config: { bearer: 918273645546 } },
      { property: "config", reason: CONFIG_REASON },
    ],
    [
      "both a bearer token and basic credentials",
      { name: "cdn", config: { bearer: TOKEN, basic: { username: USER, password: PASSWORD } } },
      { property: "config", reason: CONFIG_REASON },
    ],
    [
      "basic credentials without a password",
      { name: "cdn", config: { basic: { username: USER } } },
      { property: "config", reason: CONFIG_REASON },
    ],
    [
      "basic credentials with an extra key",
      { name: "cdn", config: { basic: { username: USER, password: PASSWORD, realm: PASSWORD } } },
      { property: "config", reason: CONFIG_REASON },
    ],
    [
      "a token under another key",
      { name: "cdn", config: { token: TOKEN } },
      { property: "config", reason: CONFIG_REASON },
    ],
    [
      "a credential at the top level",
      { name: "cdn", config: { bearer: TOKEN }, password: PASSWORD },
      {
        property: "password",
        reason: "is not an input of MediaProvider; allowed here: name, type, config, adopt, connection",
      },
    ],
  ])("%s", async (_title, news, expected) => {
    const { failures } = await provider.check({}, { connection: CONNECTION, ...news });
    expect(failures).toEqual([expected]);
    expectNoCredential(JSON.stringify(failures));
  });

  test("values not known yet (preview) are not failures", async () => {
    const { failures, inputs } = await provider.check(
      {},
      { connection: CONNECTION, name: UNKNOWN, config: { bearer: UNKNOWN } },
    );
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ name: UNKNOWN, type: "www" });
  });

  test("type defaults to www", async () => {
    const { failures, inputs } = await provider.check(
      {},
      { connection: CONNECTION, name: "cdn", config: { bearer: TOKEN } },
    );
    expect(failures).toEqual([]);
    expect(inputs.type).toBe("www");
  });

  test("a resource with no connection and no stack config is refused at check", async () => {
    const { failures } = await provider.check({}, { name: "cdn", config: { bearer: TOKEN } });
    expect(failures.map((f) => f.property)).toEqual(["connection"]);
  });
});

describe("the credentials never appear in a message", () => {
  const FORMS: EchoForm[] = ["plain", "json", "percent", "form", "base64"];
  const CONFIGS: Array<[string, Props]> = [
    ["bearer", { bearer: TOKEN }],
    ["basic", { basic: { username: USER, password: PASSWORD } }],
  ];

  test.each(FORMS.flatMap((form) => CONFIGS.map(([kind, config]) => [form, kind, config] as const)))(
    "a client that echoes the POST back (%s) with %s credentials",
    async (form, _kind, config) => {
      const e = await emulator();
      e.faults.inject({ route: `POST ${PATH}`, echo: form });
      const inputs = (await provider.check({}, { connection: connectionOf(e), name: "cdn", config })).inputs;
      const error = await rejection(provider.create(inputs));
      expect(error).toMatchObject({ code: "WHATSAPP_API", status: 400 });
      expectNoCredential(`${error.message}\n${error.stack}`);
    },
  );

  test("a failed update names neither the old nor the new credentials", async () => {
    const e = await emulator();
    const olds = (
      await provider.create(
        (
          await provider.check({}, { connection: connectionOf(e), name: "cdn", config: { bearer: TOKEN } })
        ).inputs,
      )
    ).outs;
    e.faults.inject({ route: `POST ${PATH}`, echo: "plain" });
    const news = (
      await provider.check(olds, {
        connection: connectionOf(e),
        name: "cdn",
        config: { basic: { username: USER, password: PASSWORD } },
      })
    ).inputs;
    const error = await rejection(provider.update("id", olds, news));
    expect(error).toMatchObject({ code: "WHATSAPP_API" });
    expectNoCredential(`${error.message}\n${error.stack}`);
  });

  test("the emulator's journal masks the bearer token and the password", async () => {
    const e = await emulator();
    for (const [name, config] of [
      ["bearer", { bearer: TOKEN }],
      ["basic", { basic: { username: USER, password: PASSWORD } }],
    ] as const) {
      await provider.create((await provider.check({}, { connection: connectionOf(e), name, config })).inputs);
    }
    const journal = JSON.stringify(e.journal.entries);
    expect(journal).not.toContain(TOKEN);
    expect(journal).not.toContain(PASSWORD);
  });
});
