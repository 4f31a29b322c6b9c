import { describe, expect, test } from "vitest";
import { UNKNOWN } from "../../provider/check";
import { configure } from "../../provider/runtime";
import { carriesSecret } from "../../provider/settings/inputs";
import { FIELDS, WEBHOOK_USER_INFO_REASON } from "../../provider/settings/schema";
import { URL_SPACE_OR_CONTROL_REASON } from "../../provider/url";
import { captureWarnings, settingsProvider as provider } from "../support/provider";

const connection = { baseUrl: "https://wa.example.com:9090", username: "admin", password: "Adm1n-Passw0rd!" };

async function failures(settings: Record<string, unknown>, conn: unknown = connection) {
  const result = await provider.check({}, { ...settings, connection: conn });
  return result.failures;
}

describe("check refuses bad input before any request, naming the property and the allowed values", () => {
  test.each(
    [
      [{ callbackPersist: "yes" }, "callbackPersist", 'must be true or false; got "yes"'],
      [
        { callbackBackoffDelayMs: -5 },
        "callbackBackoffDelayMs",
        "must be a whole number of milliseconds, 0 or more (a numeric string is accepted); got -5",
      ],
      [
        { maxCallbackBackoffDelayMs: "15 minutes" },
        "maxCallbackBackoffDelayMs",
        'must be a whole number of milliseconds, 0 or more (a numeric string is accepted); got "15 minutes"',
      ],
      [{ heartbeatInterval: 2.5 }, "heartbeatInterval", "must be a whole number of seconds from 0 to 86400; got 2.5"],
      [
        { unhealthyInterval: 100000 },
        "unhealthyInterval",
        "must be a whole number of seconds from 0 to 86400; got 100000",
      ],
      [{ axolotlContextStripingDisabled: 1 }, "axolotlContextStripingDisabled", "must be true or false; got 1"],
      [{ notifyUserChangeNumber: "false" }, "notifyUserChangeNumber", 'must be true or false; got "false"'],
      [{ showSecurityNotifications: null, sentStatus: "on" }, "sentStatus", 'must be true or false; got "on"'],
      [{ skipReferralMediaDownload: [] }, "skipReferralMediaDownload", "must be true or false; got []"],
      [
        { garbagecollectorEnable: { messages: "no" } },
        "garbagecollectorEnable.messages",
        'must be true or false; got "no"',
      ],
      [{ garbagecollectorEnable: { media: 0 } }, "garbagecollectorEnable.media", "must be true or false; got 0"],
      [{ garbagecollectorEnable: true }, "garbagecollectorEnable", "must be an object; got true"],
      [
        { media: { autoDownload: ["image", "gif"] } },
        "media.autoDownload",
        'must be a list of audio, document, voice, video, image, sticker; got ["image","gif"]',
      ],
      [
        { media: { autoDownload: ["image", "video", "image"] } },
        "media.autoDownload",
        "must name each value once; listed more than once: image",
      ],
      [
        { media: { autoDownload: ["audio", "audio", "voice", "voice"] } },
        "media.autoDownload",
        "must name each value once; listed more than once: audio, voice",
      ],
      [
        { media: { autoDownload: "image" } },
        "media.autoDownload",
        'must be a list of audio, document, voice, video, image, sticker; got "image"',
      ],
      [
        { webhooks: { url: "http://hooks.example.com/in?auth=s3cret" } },
        "webhooks.url",
        'must be an https:// URL of at most 2048 characters, or ""',
      ],
      [
        { webhooks: { url: `https://hooks.example.com/${"a".repeat(2100)}` } },
        "webhooks.url",
        'must be an https:// URL of at most 2048 characters, or ""',
      ],
      [{ webhooks: { maxConcurrentRequests: 7 } }, "webhooks.maxConcurrentRequests", "must be 6, 12, 18, 24; got 7"],
      [
        { webhooks: { maxConcurrentRequests: "7" } },
        "webhooks.maxConcurrentRequests",
        "must be 6, 12, 18, 24; got a string",
      ],
      [{ webhooks: { message: { read: "yes" } } }, "webhooks.message.read", "must be true or false; got a string"],
      [{ webhooks: { message: { read: 1 } } }, "webhooks.message.read", "must be true or false; got 1"],
      [{ webhooks: { url: "https://user:pa55word@hooks.example.com/wa" } }, "webhooks.url", WEBHOOK_USER_INFO_REASON],
      [{ webhooks: "https://hooks.example.com/wa?auth=s3cret" }, "webhooks", "must be an object; got a string"],
      [{ webhooks: ["https://hooks.example.com/wa?auth=s3cret"] }, "webhooks", "must be an object; got a list"],
      [{ webhooks: { url: 42 } }, "webhooks.url", 'must be an https:// URL of at most 2048 characters, or ""; got 42'],
      [{ logLevel: "Adm1n-Passw0rd!" }, "logLevel", "must be info, warning, error, fatal; got a string"],
      [{ logLevel: "a-much-longer-word" }, "logLevel", "must be info, warning, error, fatal; got a string"],
      [
        { heartbeatInterval: "5 seconds" },
        "heartbeatInterval",
        'must be a whole number of seconds from 0 to 86400; got "5 seconds"',
      ],
      [
        { heartbeatInterval: { value: 5 } },
        "heartbeatInterval",
        "must be a whole number of seconds from 0 to 86400; got an object",
      ],
      [{ verboseLogging: "true" }, "verboseLogging", 'must be true or false; got "true"'],
      [{ logLevel: "debug" }, "logLevel", 'must be info, warning, error, fatal; got "debug"'],
      [{ passThrough: "no" }, "passThrough", 'must be true or false; got "no"'],
      [{ waId: "15550001111" }, "waId", "is read-only (the registered number) and cannot be set"],
      [{ logLevl: "info" }, "logLevl", "is not a setting (did you mean logLevel?)"],
      [{ callback_persist: true }, "callback_persist", "is not a setting (did you mean callbackPersist?)"],
      [
        { webhooks: { maxConcurrentRequest: 6 } },
        "webhooks.maxConcurrentRequest",
        "is not a setting (did you mean maxConcurrentRequests?)",
      ],
      [
        { webhooks: { max_concurrent_requests: 6 } },
        "webhooks.max_concurrent_requests",
        "is not a setting (did you mean maxConcurrentRequests?)",
      ],
      [
        { webhooks: { colour: "blue" } },
        "webhooks.colour",
        "is not a setting; allowed here: url, maxConcurrentRequests, message",
      ],
    ].map(([settings, property, reason]) => ({ settings, property, reason })),
  )("$property: $reason", async ({ settings, property, reason }) => {
    const warnings = captureWarnings();
    expect(await failures(settings as Record<string, unknown>)).toContainEqual({ property, reason });
    // A refused value still names a deprecated field; nothing else warns when check fails.
    expect(warnings).toEqual(
      property === "passThrough"
        ? ["warning: [runtime] passThrough is deprecated since v2.35.0: it cannot be re-enabled any more; remove it"]
        : [],
    );
  });

  test.each(
    [
      [
        { baseUrl: "wa.example.com" },
        "connection.baseUrl",
        "must be an http(s):// URL, e.g. https://wa.example.com:9090",
      ],
      [
        { baseUrl: "https://admin:pw@wa.example.com" },
        "connection.baseUrl",
        "must not carry user info: pass username and password (or a token) as their own settings",
      ],
      [{ username: "admin", password: "x" }, "connection.baseUrl", "is required, e.g. https://wa.example.com:9090"],
      [
        { baseUrl: "https://wa.example.com" },
        "connection",
        "needs username and password (preferred: tokens expire after 7 days) or a token",
      ],
      [
        { baseUrl: "https://wa.example.com", username: "admin" },
        "connection",
        "needs both username and password (or a token)",
      ],
      [
        { ...connection, timeoutMs: 5 },
        "connection.timeoutMs",
        "must be a whole number of milliseconds from 100 to 600000",
      ],
      [
        { ...connection, caCert: "" },
        "connection.caCert",
        "must be a PEM certificate (-----BEGIN CERTIFICATE-----, not empty)",
      ],
      [
        { ...connection, caCert: "ca.pem" },
        "connection.caCert",
        "must be a PEM certificate (-----BEGIN CERTIFICATE-----, not empty)",
      ],
      [
        { ...connection, insecure: true },
        "connection.insecure",
        "is not a connection setting; allowed here: baseUrl, token, username, password, caCert, insecureSkipVerify, timeoutMs",
      ],
    ].map(([conn, property, reason]) => ({ conn, property, reason })),
  )("$property: $reason", async ({ conn, property, reason }) => {
    expect(await failures({}, conn)).toContainEqual({ property, reason });
  });

  const SPACES_AND_CONTROLS: ReadonlyArray<[string, string]> = [
    ["a newline", "\n"],
    ["a carriage return", "\r"],
    ["a tab", "\t"],
    ["a space", " "],
    ["a NUL", "\u0000"],
    ["DEL", "\u007f"],
    ["a C1 control (NEL)", "\u0085"],
    ["a no-break space", "\u00a0"],
  ];

  test.each(
    SPACES_AND_CONTROLS.flatMap(([what, character]) => [
      { what, where: "inside the path", url: `https://hooks.example.com/w${character}a?auth=s3cret` },
      { what, where: "at the end", url: `https://hooks.example.com/wa?auth=s3cret${character}` },
      { what, where: "at the start", url: `${character}https://hooks.example.com/wa` },
    ]),
  )("webhooks.url with $what $where is refused, without repeating it", async ({ url }) => {
    const found = await failures({ webhooks: { url } });
    // Where the URL does not parse either, that is said too.
    expect(found).toContainEqual({ property: "webhooks.url", reason: URL_SPACE_OR_CONTROL_REASON });
    expect(found.every((failure) => failure.property === "webhooks.url")).toBe(true);
    expect(JSON.stringify(found)).not.toContain("s3cret");
  });

  test.each(SPACES_AND_CONTROLS)("connection.baseUrl with %s is refused", async (_what, character) => {
    for (const baseUrl of [`https://wa.example.com:9090${character}`, `https://wa.exa${character}mple.com`]) {
      expect(await failures({}, { ...connection, baseUrl })).toEqual([
        { property: "connection.baseUrl", reason: URL_SPACE_OR_CONTROL_REASON },
      ]);
    }
  });

  test("a webhook URL is never repeated in a failure, since it may carry a secret", async () => {
    const found = await failures({ webhooks: { url: "http://hooks.example.com/in?auth=hunter2" } });
    expect(JSON.stringify(found)).not.toContain("hunter2");
  });

  test("an empty whatsapp:caCert in stack config (a CA file that was not read) is refused at check, naming the key", async () => {
    const config = new Map([
      ["whatsapp:baseUrl", "https://wa.example.com:9090"],
      ["whatsapp:username", "admin"],
      ["whatsapp:password", "Adm1n-Passw0rd!"],
      ["whatsapp:caCert", ""],
    ]);
    await configure({ config: { get: (key) => config.get(key) } });
    const result = await provider.check({}, { logLevel: "info" });
    expect(result.failures).toEqual([
      {
        property: "connection",
        reason:
          "whatsapp:caCert (stack config) or WHATSAPP_CA_CERT is not valid: is not a PEM certificate (-----BEGIN CERTIFICATE----- ...); or pass connection: {baseUrl, username, password} or a Provider",
      },
    ]);
  });

  test("without a connection and without stack config, check says how to connect", async () => {
    const result = await provider.check({}, { logLevel: "info" });
    expect(result.failures).toEqual([
      {
        property: "connection",
        reason:
          "whatsapp:baseUrl (stack config) or WHATSAPP_BASE_URL is not set; or pass connection: {baseUrl, username, password} or a Provider",
      },
    ]);
  });
});

describe("check normalises, flags restarts and tolerates unknowns", () => {
  test("valid inputs come back normalised, with the restart-required fields of this change", async () => {
    const warnings = captureWarnings();
    const result = await provider.check(
      { logLevel: "info", webhooks: { maxConcurrentRequests: 6 } },
      {
        connection,
        logLevel: "error",
        callbackBackoffDelayMs: "4000",
        webhooks: { maxConcurrentRequests: 6, url: "https://hooks.example.com/in" },
      },
    );
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({
      connection,
      logLevel: "error",
      callbackBackoffDelayMs: 4000,
      webhooks: { maxConcurrentRequests: 6, url: "https://hooks.example.com/in" },
      restartRequired: true,
      restartRequiredFields: ["logLevel"],
    });
    expect(warnings).toEqual(["warning: [runtime] takes effect only after a Coreapp restart: logLevel"]);
  });

  test("a change to no restart-required field is not flagged", async () => {
    const result = await provider.check({ sentStatus: false }, { connection, sentStatus: true });
    expect(result.inputs).toMatchObject({ restartRequired: false, restartRequiredFields: [] });
  });

  test("a restart is announced in one warning line", async () => {
    const warnings = captureWarnings();
    // At create nothing is read yet, so the client may already hold the value: "may".
    await provider.check({}, { connection, verboseLogging: true, webhooks: { maxConcurrentRequests: 24 } });
    await provider.check({ connection, logLevel: "info" }, { connection, logLevel: "error" });
    expect(warnings).toEqual([
      "warning: [runtime] may need a Coreapp restart, if the client's value differs: webhooks.maxConcurrentRequests, verboseLogging",
      "warning: [runtime] takes effect only after a Coreapp restart: logLevel",
    ]);
  });

  const MAY_RESTART = "warning: [runtime] may need a Coreapp restart, if the client's value differs:";
  test.each([
    ["a top-level setting", { logLevel: UNKNOWN }, [`${MAY_RESTART} logLevel`]],
    ["a group", { webhooks: UNKNOWN }, [`${MAY_RESTART} webhooks`]],
    [
      "a nested setting",
      { webhooks: { url: UNKNOWN, maxConcurrentRequests: 12 } },
      [`${MAY_RESTART} webhooks.maxConcurrentRequests`],
    ],
    ["a list item", { media: { autoDownload: ["image", UNKNOWN] } }, []],
    ["the connection", {}, [], UNKNOWN],
    ["the password", {}, [], { baseUrl: "https://wa.example.com", username: "admin", password: UNKNOWN }],
  ])(
    "Pulumi's unknown placeholder in %s is kept and not refused",
    async (_where, settings, expectedWarnings, conn: unknown = connection) => {
      const warnings = captureWarnings();
      const result = await provider.check({}, { ...settings, connection: conn });
      expect(result.failures).toEqual([]);
      expect(result.inputs).toMatchObject(settings);
      expect(warnings).toEqual(expectedWarnings);
    },
  );

  test("an unknown restart-required value counts as a possible restart", async () => {
    const warnings = captureWarnings();
    const result = await provider.check({ logLevel: "info" }, { connection, logLevel: UNKNOWN });
    expect(result.inputs.restartRequiredFields).toEqual(["logLevel"]);
    expect(warnings).toEqual(["warning: [runtime] takes effect only after a Coreapp restart: logLevel"]);
  });

  test("deprecated fields and passThrough: true are warned about", async () => {
    const warnings = captureWarnings();
    await provider.check({}, { connection, passThrough: true, dbGarbagecollectorEnable: true });
    expect(warnings.join("\n")).toContain(
      "passThrough is deprecated since v2.35.0: it cannot be re-enabled any more; remove it",
    );
    expect(warnings.join("\n")).toContain("passThrough: true deletes messages");
    expect(warnings.join("\n")).toContain(
      "dbGarbagecollectorEnable is deprecated since v2.39.0: use garbagecollectorEnable",
    );
  });
});

describe("numbers are accepted as numbers or numeric strings, for every numeric field", () => {
  const numeric = FIELDS.filter((field) => field.meta.kind === "number");
  const sample: Record<string, number> = {
    "webhooks.maxConcurrentRequests": 12,
    heartbeatInterval: 7,
    unhealthyInterval: 40,
    callbackBackoffDelayMs: 4000,
    maxCallbackBackoffDelayMs: 60000,
  };

  test("every numeric field of the schema is covered here", () => {
    expect(numeric.map((f) => f.path).sort()).toEqual(Object.keys(sample).sort());
  });

  test.each(numeric.map((f) => f.path))("%s takes a numeric string and keeps the number", async (path) => {
    const value = sample[path] as number;
    const nest = (v: unknown) =>
      path.includes(".") ? { [path.split(".")[0] as string]: { [path.split(".")[1] as string]: v } } : { [path]: v };
    const warnings = captureWarnings();
    const result = await provider.check({}, { ...nest(String(value)), connection });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject(nest(value));
    const restart = FIELDS.find((field) => field.path === path)?.meta.restart;
    expect(warnings).toEqual(
      restart ? [`warning: [runtime] may need a Coreapp restart, if the client's value differs: ${path}`] : [],
    );
  });

  test.each(["-1", "1e3", "12.0", " 12", "0x10"])("the string %j is refused wherever a number goes", async (text) => {
    const result = await provider.check({}, { heartbeatInterval: text, connection });
    expect(result.failures.map((f) => f.property)).toEqual(["heartbeatInterval"]);
  });
});

describe("a webhooks group is stored secret when it may hold a secret", () => {
  test.each([
    ["a query string", { url: "https://hooks.example.com/wa?auth=s3cret" }, true],
    ["a fragment", { url: "https://hooks.example.com/wa#s3cret" }, true],
    ["user info", { url: "https://user:pass@hooks.example.com/wa" }, true],
    ["a string instead of the group", "https://hooks.example.com/wa?auth=s3cret", true],
    ["a list instead of the group", ["https://hooks.example.com/wa?auth=s3cret"], true],
    ["a URL of the wrong type", { url: ["https://hooks.example.com/wa?auth=s3cret"] }, true],
    ["a plain URL", { url: "https://hooks.example.com/wa", maxConcurrentRequests: 6 }, false],
    ["no URL", { maxConcurrentRequests: 6 }, false],
    ["no group", undefined, false],
  ])("%s → %s", (_name, webhooks, secret) => {
    expect(carriesSecret("webhooks", webhooks)).toBe(secret);
  });
});

describe("diff compares managed settings only", () => {
  const olds = {
    connection,
    baseUrl: connection.baseUrl,
    logLevel: "info",
    callbackBackoffDelayMs: 3000,
    media: { autoDownload: ["image", "audio"] },
    restartRequired: true,
    restartRequiredFields: ["logLevel"],
    apiVersion: "v2.53.2",
  };

  test.each([
    [
      "the same settings",
      { logLevel: "info", callbackBackoffDelayMs: 3000, media: { autoDownload: ["image", "audio"] } },
      false,
    ],
    [
      "a numeric string for a number",
      { logLevel: "info", callbackBackoffDelayMs: "3000", media: { autoDownload: ["image", "audio"] } },
      false,
    ],
    [
      "media types in another order",
      { logLevel: "info", callbackBackoffDelayMs: 3000, media: { autoDownload: ["audio", "image"] } },
      false,
    ],
    [
      "a changed value",
      { logLevel: "error", callbackBackoffDelayMs: 3000, media: { autoDownload: ["image", "audio"] } },
      true,
    ],
    ["a field no longer managed", { logLevel: "info", media: { autoDownload: ["image", "audio"] } }, true],
    [
      "a newly managed field",
      { logLevel: "info", callbackBackoffDelayMs: 3000, media: { autoDownload: ["image", "audio"] }, sentStatus: true },
      true,
    ],
    [
      "an unknown value",
      { logLevel: UNKNOWN, callbackBackoffDelayMs: 3000, media: { autoDownload: ["image", "audio"] } },
      true,
    ],
  ])("%s → changes: %s", async (_name, settings, changes) => {
    expect(
      await provider.diff("id", olds, { ...settings, connection, restartRequired: false, restartRequiredFields: [] }),
    ).toEqual({ changes });
  });

  test("another client (baseUrl) replaces the resource, creating the new one first", async () => {
    const warnings = captureWarnings();
    const news = { connection: { ...connection, baseUrl: "https://other.example.com:9090" }, logLevel: "info" };
    expect(await provider.diff("id", olds, news)).toEqual({
      changes: true,
      replaces: ["connection"],
      deleteBeforeReplace: false,
    });
    // Neither address answers here, so the address decides; preview names the reset it leads to.
    expect(warnings).toEqual([
      "warning: [runtime] moving to https://other.example.com:9090 (who answers could not be read (WHATSAPP_NETWORK), so the address decides): the replacement resets the settings of https://wa.example.com:9090 when it deletes the old resource (set retainOnDelete to keep them)",
      "warning: [runtime] https://wa.example.com:9090: this step will send a reset (DELETE /v1/settings/application): the replacement's delete puts every setting of the old client back to its default, the webhook URL too",
    ]);
  });

  test("rotated credentials are an update, not a replacement", async () => {
    const news = {
      connection: { ...connection, password: "R0tated-Passw0rd!" },
      logLevel: "info",
      callbackBackoffDelayMs: 3000,
      media: { autoDownload: ["image", "audio"] },
    };
    expect(await provider.diff("id", olds, news)).toEqual({ changes: true });
  });
});
