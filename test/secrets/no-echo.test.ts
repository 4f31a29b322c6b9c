/**
 * No secret reaches a person: every failure path, driven through Pulumi's dynamic-provider host
 * against the emulator's fault injection, with the password, a token, a webhook's shared secret
 * and a backup's data and password in play, shows none of them in plain, JSON-escaped or
 * percent-encoded form in check failures, errors, warnings, the host's stderr or plaintext outputs.
 */
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { type Registration, runMockedProgram, secretKeys } from "../e2e/mocked-program";
import type { EchoForm, Emulator, FaultRule } from "../emulator/index";
import { call, login } from "../support/api";
import { suiteEmulator } from "../support/emulator";
import { PROVIDERS, type ProviderKind } from "../support/native-plugin";
import { packedProgram } from "../support/packed";
import { type Evidence, type ResourceType, suiteHost } from "./host";

type Props = Record<string, unknown>;

// Each carries `/`, `+` and `=`, so its plain, JSON-escaped and percent-encoded forms all differ.
const PASSWORD = "Adm1n/Pass+w0rd=Zq7";
const WEBHOOK_SECRET = "Sh4red/Hook+Secret=Zq9";
const BACKUP_PASSWORD = "B4ckup/Pass+word=Zq";
const WEBHOOK = `https://hooks.example.com/wa?auth=${WEBHOOK_SECRET}`;
const WEBHOOK_FRAGMENT = `https://hooks.example.com/wa#${WEBHOOK_SECRET}`;

const FORMS: ReadonlyArray<[string, (secret: string) => string]> = [
  ["plain", (s) => s],
  ["JSON-escaped", (s) => JSON.stringify(s).slice(1, -1).replace(/\//g, "\\/")],
  ["percent-encoded", (s) => encodeURIComponent(s)],
];
const ECHO_FORMS: readonly EchoForm[] = ["plain", "json", "percent", "form", "base64"];

interface Context {
  e: Emulator;
  dropping: Emulator;
  token: string;
  data: string;
  conn: Props;
  tokenConn: Props;
}

/** What a path's inputs are built from: the shared clients and secrets, and the provider it runs through. */
type PathContext = Context & { provider: ProviderKind };

interface FailurePath {
  name: string;
  type: ResourceType;
  news: (c: PathContext) => Props;
  faults?: FaultRule[];
  /** `check`: refused before any request; `error`: create failed; `echo`: failed with an echo redacted. */
  fails: "check" | "error" | "echo";
  on?: "dropping";
}

const CHECK_PATHS: FailurePath[] = [
  {
    name: "check: webhooks given as the secret URL itself",
    type: "ApplicationSettings",
    news: (c) => ({ connection: c.conn, webhooks: WEBHOOK }),
    fails: "check",
  },
  {
    name: "check: webhooks given as a list",
    type: "ApplicationSettings",
    news: (c) => ({ connection: c.conn, webhooks: [WEBHOOK, WEBHOOK_FRAGMENT] }),
    fails: "check",
  },
  {
    name: "check: a webhook URL over plain http",
    type: "ApplicationSettings",
    news: (c) => ({ connection: c.conn, webhooks: { url: WEBHOOK.replace("https:", "http:") } }),
    fails: "check",
  },
  {
    name: "check: a webhook URL with user info",
    type: "ApplicationSettings",
    news: (c) => ({
      connection: c.conn,
      webhooks: { url: `https://hook:${encodeURIComponent(WEBHOOK_SECRET)}@hooks.example.com/wa` },
    }),
    fails: "check",
  },
  {
    name: "check: a webhook URL of the wrong type",
    type: "ApplicationSettings",
    news: (c) => ({ connection: c.conn, webhooks: { url: { href: WEBHOOK }, maxConcurrentRequests: WEBHOOK } }),
    fails: "check",
  },
  {
    name: "check: secrets written into settings of other types",
    type: "ApplicationSettings",
    news: (c) => ({
      connection: c.tokenConn,
      logLevel: PASSWORD,
      sentStatus: c.token,
      heartbeatInterval: BACKUP_PASSWORD,
      media: { autoDownload: [c.data, WEBHOOK_SECRET] },
      garbagecollectorEnable: encodeURIComponent(PASSWORD),
    }),
    fails: "check",
  },
  {
    name: "check: secrets in the wrong connection fields",
    type: "ApplicationSettings",
    news: (c) => ({
      connection: {
        baseUrl: `https://admin:${encodeURIComponent(PASSWORD)}@wa.example.com`,
        token: [c.token],
        password: { value: PASSWORD },
        timeoutMs: BACKUP_PASSWORD,
      },
    }),
    fails: "check",
  },
  {
    name: "check: a backup password of the wrong type",
    type: "SettingsBackup",
    news: (c) => ({ connection: c.tokenConn, password: [BACKUP_PASSWORD], outputFile: "", passwrd: BACKUP_PASSWORD }),
    fails: "check",
  },
  {
    name: "check: restore data and password of the wrong types",
    type: "SettingsRestore",
    news: (c) => ({
      connection: c.conn,
      data: [c.data],
      password: { value: BACKUP_PASSWORD },
      expectedSha256: c.data,
      healthTimeoutMs: PASSWORD,
      waitForHealthy: c.token,
    }),
    fails: "check",
  },
];

/** A failure in which the client's answer echoes what it was sent: each runs once per echo form. */
interface Echo {
  name: string;
  type: ResourceType;
  news: (c: PathContext, form: EchoForm) => Props;
  /** The call whose answer echoes, and how it fails when not with the default 400. */
  fault: Omit<FaultRule, "echo" | "times">;
}

// Each path (and provider) its own intent: a restore that may have landed is never sent again for the same one.
function restoreInputs(c: PathContext, intent: Props): Props {
  const triggers = { ...intent, provider: c.provider };
  return { connection: c.conn, data: c.data, password: BACKUP_PASSWORD, waitForHealthy: false, triggers };
}

const ECHOES: Echo[] = [
  {
    name: "create: the client echoes the PATCH with the webhook query secret",
    type: "ApplicationSettings",
    news: (c) => ({ connection: c.conn, webhooks: { url: WEBHOOK }, sentStatus: true }),
    fault: { route: "PATCH /v1/settings/application" },
  },
  {
    name: "create: the client echoes the PATCH with a fragment secret",
    type: "ApplicationSettings",
    news: (c) => ({ connection: c.conn, webhooks: { url: WEBHOOK_FRAGMENT } }),
    fault: { route: "PATCH /v1/settings/application" },
  },
  {
    name: "create: the client echoes the bearer token",
    type: "ApplicationSettings",
    news: (c) => ({ connection: c.tokenConn, sentStatus: true }),
    fault: { route: "GET /v1/settings/application" },
  },
  {
    name: "login: the client echoes the Basic credentials",
    type: "ApplicationSettings",
    news: (c) => ({ connection: { ...c.conn, username: "auditor" }, sentStatus: true }),
    fault: { route: "POST /v1/users/login" },
  },
  {
    name: "backup: the client echoes the backup password",
    type: "SettingsBackup",
    news: (c) => ({ connection: c.conn, password: BACKUP_PASSWORD }),
    fault: { route: "POST /v1/settings/backup" },
  },
  {
    name: "restore: the client refuses and echoes data and password",
    type: "SettingsRestore",
    news: (c, form) => restoreInputs(c, { refused: form }),
    fault: { route: "POST /v1/settings/restore" },
  },
  {
    name: "restore: a 500 that may have landed echoes data and password",
    type: "SettingsRestore",
    news: (c, form) => restoreInputs(c, { landed: form }),
    fault: { route: "POST /v1/settings/restore", code: 1014 },
  },
];

const ECHO_PATHS: FailurePath[] = ECHO_FORMS.flatMap((form) =>
  ECHOES.map(
    ({ name, type, news, fault }): FailurePath => ({
      name: `${name} (${form})`,
      type,
      news: (c) => news(c, form),
      faults: [{ ...fault, echo: form, times: 1 }],
      fails: "echo",
    }),
  ),
);

const OTHER_PATHS: FailurePath[] = [
  {
    name: "create: a wrong password",
    type: "ApplicationSettings",
    news: (c) => ({ connection: { ...c.conn, password: `Wr0ng-${PASSWORD}` }, webhooks: { url: WEBHOOK } }),
    fails: "error",
  },
  {
    name: "create: a token the client does not know",
    type: "ApplicationSettings",
    news: (c) => ({ connection: { ...c.tokenConn, token: `${c.token}x` }, webhooks: { url: WEBHOOK } }),
    fails: "error",
  },
  {
    name: "create: nothing listens at the base URL",
    type: "ApplicationSettings",
    news: (c) => ({ connection: { ...c.conn, baseUrl: "https://127.0.0.1:1" }, webhooks: { url: WEBHOOK } }),
    fails: "error",
  },
  {
    name: "create: an answer that drips past timeoutMs",
    type: "ApplicationSettings",
    news: (c) => ({ connection: { ...c.conn, timeoutMs: 300 }, webhooks: { url: WEBHOOK } }),
    faults: [{ route: "GET /v1/settings/application", dripMs: 100 }],
    fails: "error",
  },
  {
    name: "create: the client answers 200 but drops the webhook URL",
    type: "ApplicationSettings",
    news: (c) => ({ connection: { ...c.conn, baseUrl: c.dropping.url }, webhooks: { url: WEBHOOK } }),
    fails: "error",
    on: "dropping",
  },
  {
    name: "backup: the Coreapp is down",
    type: "SettingsBackup",
    news: (c) => ({ connection: c.conn, password: BACKUP_PASSWORD }),
    faults: [{ route: "POST /v1/settings/backup", code: 1014 }],
    fails: "error",
  },
];

const PATHS = [...CHECK_PATHS, ...ECHO_PATHS, ...OTHER_PATHS];

// One pair of clients, with one token and one backup, serves every path: they are the secrets looked for.
const client = suiteEmulator({
  adminPassword: PASSWORD,
  users: [{ username: "auditor", password: PASSWORD, role: "ROLE_ADMIN" }],
});
const droppingClient = suiteEmulator({ adminPassword: PASSWORD, dropFields: ["webhooks.url"] });
let context: Context;
const CONFIG = { "whatsapp:retryAttempts": "2", "whatsapp:retryBaseDelayMs": "5" };

beforeAll(async () => {
  const e = client();
  const dropping = droppingClient();
  const token = await login(e);
  const backup = await call(e, "POST", "/v1/settings/backup", { token, body: { password: BACKUP_PASSWORD } });
  const data = backup.json.settings.data as string;
  const conn = { baseUrl: e.url, username: "admin", password: PASSWORD, caCert: e.caCert };
  const tokenConn = { baseUrl: e.url, token, caCert: e.caCert };
  context = { e, dropping, token, data, conn, tokenConn };
}, 120_000);

afterEach(() => {
  context.e.faults.clear();
  context.dropping.faults.clear();
});

function secrets(c: Context): Array<[string, string]> {
  return [
    ["password", PASSWORD],
    ["token", c.token],
    ["webhook query secret", WEBHOOK_SECRET],
    ["backup data", c.data],
    ["backup password", BACKUP_PASSWORD],
  ];
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

/** Every secret × form found anywhere a person or plaintext state could see it. */
function leaks(evidence: Evidence, c: Context): { checked: number; found: string[] } {
  const texts = [
    ...evidence.failures.flatMap((f) => [f.property, f.reason]),
    evidence.error ?? "",
    evidence.stderr,
    ...strings(evidence.plaintext),
  ];
  const found: string[] = [];
  let checked = 0;
  for (const [name, secret] of secrets(c)) {
    for (const [form, encode] of FORMS) {
      checked += 1;
      const text = encode(secret);
      // A long secret also leaks in part (a truncated echo): look for a piece of it too.
      const pieces = text.length > 48 ? [text, text.slice(8, 40)] : [text];
      if (texts.some((t) => pieces.some((piece) => t.includes(piece)))) found.push(`${name} (${form})`);
    }
  }
  return { checked, found };
}

// A native deployment starts a plugin process per provider resource: slower on a loaded machine.
describe.each(PROVIDERS)("through the %s provider", { timeout: 120_000 }, (provider) => {
  const tally = { paths: 0, checks: 0, refused: 0 };
  const host = suiteHost(provider, CONFIG);

  describe("no secret appears in any failure, message, log line or plaintext output", () => {
    test.each(PATHS.map((path) => [path.name, path] as const))("%s", async (_name, path) => {
      const c = context;
      const target = path.on === "dropping" ? c.dropping : c.e;
      for (const fault of path.faults ?? []) target.faults.inject(fault);
      const evidence = await host().checkAndCreate(path.type, path.news({ ...c, provider }));
      if (path.fails === "check") {
        expect(evidence.failures.length).toBeGreaterThan(0);
        tally.refused += evidence.failures.length;
      } else {
        expect(evidence.failures).toEqual([]);
        expect(evidence.error).toBeDefined();
      }
      // The echo did happen, and was cut out: proof the path exercised redaction.
      if (path.fails === "echo") expect(evidence.error).toContain("[secret]");
      const { checked, found } = leaks(evidence, c);
      expect(found).toEqual([]);
      tally.paths += 1;
      tally.checks += checked;
    });

    test("a run through every path checked every secret in every form", () => {
      expect(tally.paths).toBe(PATHS.length);
      expect(tally.checks).toBe(PATHS.length * 5 * FORMS.length);
      console.info(
        `${provider}: secret forms × failure paths: ${5 * FORMS.length} × ${PATHS.length} = ${tally.checks} checks; ` +
          `${CHECK_PATHS.length} bad inputs refused by check with ${tally.refused} failures`,
      );
    });
  });

  // The dynamic provider's secrets are decided where the program registers them (the describe
  // after this one); the native plugin's check decides them on the wire.
  describe("a webhook URL is secret on the wire, and only it", () => {
    test.skipIf(provider === "dynamic").each([
      ["a query-string secret", WEBHOOK],
      ["a fragment secret", WEBHOOK_FRAGMENT],
      // The schema marks the property secret, whatever a value holds: a URL without a secret too.
      ["no secret", "https://hooks.example.com/wa"],
    ])("the native check wraps a webhook URL with %s, and nothing else of the group", async (_name, url) => {
      const checked = await host().check("ApplicationSettings", {
        connection: context.conn,
        webhooks: { url, maxConcurrentRequests: 12 },
      });
      expect(checked.failures).toEqual([]);
      const webhooks = checked.inputs.webhooks as Record<string, unknown>;
      expect(secretKeys(checked.inputs)).not.toContain("webhooks");
      expect(secretKeys(webhooks)).toEqual(["url"]);
      expect(webhooks.maxConcurrentRequests).toBe(12);
    });
  });

  describe("successful steps keep secrets out of plaintext outputs", () => {
    test("a created ApplicationSettings holds its webhook secret only in secret outputs, its base URL in plaintext", async () => {
      const c = context;
      const evidence = await host().checkAndCreate("ApplicationSettings", {
        connection: c.conn,
        webhooks: { url: WEBHOOK, maxConcurrentRequests: 12 },
      });
      expect(evidence.error).toBeUndefined();
      expect(evidence.created?.properties).toMatchObject({ webhooks: { url: WEBHOOK } });
      expect((evidence.plaintext.webhooks as Props | undefined)?.url).toBeUndefined();
      expect(leaks(evidence, c).found).toEqual([]);
      // A base URL is an address, not a credential: plaintext in the id and the outputs (SECURITY.md).
      expect(evidence.created?.id).toBe(`${c.e.url}/v1/settings/application`);
      expect(evidence.plaintext.baseUrl).toBe(c.e.url);
    });

    test("a backup's plaintext outputs carry neither its data nor its password", async () => {
      const c = context;
      const evidence = await host().checkAndCreate("SettingsBackup", {
        connection: c.conn,
        password: BACKUP_PASSWORD,
      });
      expect(evidence.error).toBeUndefined();
      const data = evidence.created?.properties.data as string;
      expect(data.length).toBeGreaterThan(40);
      const found = leaks(evidence, { ...c, data }).found;
      expect(found).toEqual([]);
    });
  });
});

describe("a webhook URL that may hold a secret is registered secret, and only it", () => {
  const cases: Array<[string, boolean, string]> = [
    ["a query-string secret", true, WEBHOOK],
    ["a fragment secret", true, WEBHOOK_FRAGMENT],
    ["user info", true, "https://hook:pa55word@hooks.example.com/wa"],
    ["no secret", false, "https://hooks.example.com/wa"],
  ];
  // One program declares a resource per case, registered in one run under mocks: each
  // resource's registration is its own, and the run costs a second of CPU.
  const program = `
const ws = require("pulumi-whatsapp-settings");
for (const [name, args] of JSON.parse(process.env.PROGRAMS)) new ws.ApplicationSettings(name, args);
`;
  let registrations: Registration[] = [];
  beforeAll(() => {
    const programs = cases.map(([name, , url]) => [
      name,
      {
        connection: { baseUrl: "https://wa.example.com", token: "t0ken-abcdef" },
        webhooks: { url, maxConcurrentRequests: 12 },
      },
    ]);
    const dir = packedProgram({ "index.js": program });
    registrations = runMockedProgram(dir, "./index.js", { PROGRAMS: JSON.stringify(programs) });
  });
  test.each(cases)("a webhook URL with %s → secret: %s", (name, secret) => {
    const registration = registrations.find((r) => r.name === name);
    const webhooks = registration?.wire.webhooks as Record<string, unknown>;
    // The group stays an object, so a preview shows maxConcurrentRequests; only the URL is hidden.
    expect(secretKeys(registration?.wire ?? {})).not.toContain("webhooks");
    expect(secretKeys(webhooks)).toEqual(secret ? ["url"] : []);
    expect(webhooks.maxConcurrentRequests).toBe(12);
  });
});
