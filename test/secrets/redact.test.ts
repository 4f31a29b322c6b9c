/** `redact` as a table: each way a secret can be echoed back, and what is left of the text. */
import { describe, expect, test } from "vitest";
import { redact, secretForms, urlSecrets } from "../../provider/redact";

const SECRET = "Sh4red/Hook+Secret=Zq9";

describe("redact removes a known secret in every form a server may echo it", () => {
  test.each([
    ["as is", `invalid value '${SECRET}'`],
    ["JSON-escaped", `{"details":"${JSON.stringify(SECRET).slice(1, -1)}"}`],
    ["JSON-escaped with escaped slashes", `"${SECRET.replace(/\//g, "\\/")}"`],
    ["percent-encoded (URI component)", `value=${encodeURIComponent(SECRET)}`],
    [
      "percent-encoded, lower-case hex",
      `value=${encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())}`,
    ],
    ["form-encoded", new URLSearchParams({ value: `${SECRET} x` }).toString()],
    ["in base64, at offset 0", Buffer.from(`${SECRET} tail`).toString("base64")],
    ["in base64, at offset 1", Buffer.from(`a${SECRET} tail`).toString("base64")],
    ["in base64, at offset 2", Buffer.from(`ab${SECRET} tail`).toString("base64")],
    ["in base64url", Buffer.from(`ab${SECRET} tail`).toString("base64url")],
  ])("%s", (_form, text) => {
    const out = redact(text, [SECRET]);
    for (const form of secretForms(SECRET)) expect(out).not.toContain(form);
    expect(out).toContain("[secret]");
  });
});

describe("redact removes a secret of any length where a server echoes it", () => {
  // A password or token has no length rule of ours; a short one is cut where it stands alone.
  const secrets = Array.from({ length: 8 }, (_, i) => "q7/Z x9&W".slice(0, i + 1));
  const echoes = (secret: string): Array<[string, string]> => [
    ["as is", `invalid value '${secret}'`],
    ["JSON-escaped", `{"password":"${JSON.stringify(secret).slice(1, -1)}"}`],
    ["percent-encoded", `password=${encodeURIComponent(secret)}&next=1`],
    ["form-encoded", new URLSearchParams({ password: secret, next: "1" }).toString()],
  ];
  const rows = secrets.flatMap((secret) =>
    echoes(secret).map(([form, text]): [number, string, string, string] => [secret.length, form, secret, text]),
  );
  test.each(rows)("of %i characters, %s", (_length, _form, secret, text) => {
    const out = redact(text, [secret]);
    const values = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
    values.push(new URLSearchParams({ p: secret }).toString().slice(2));
    for (const value of values) {
      const alone = new RegExp(`(^|[^A-Za-z0-9])${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9])`);
      expect(out).not.toMatch(alone);
    }
    expect(out).toContain("[secret]");
  });

  test("a short secret inside a longer word is left, the word is no echo of it", () => {
    expect(redact("adminstrator q7 q7x", ["q7"])).toBe("adminstrator [secret] q7x");
  });
});

describe("redact removes what a URL carries, unknown secrets included", () => {
  test.each([
    ["a query string", "url 'https://h.example/wa?auth=S3cr3t-Val'", "url 'https://h.example/wa?[secret]'"],
    ["a fragment", "url https://h.example/wa#S3cr3t-Val here", "url https://h.example/wa#[secret] here"],
    ["user info", "url https://user:S3cr3t-Val@h.example/wa", "url https://[secret]@h.example/wa"],
    [
      "JSON-escaped slashes",
      String.raw`{"url":"https:\/\/h.example\/wa?auth=S3cr3t-Val"}`,
      String.raw`{"url":"https:\/\/h.example\/wa?[secret]"}`,
    ],
    [
      "JSON-escaped user info",
      String.raw`"https:\/\/user:S3cr3t-Val@h.example\/wa"`,
      String.raw`"https:\/\/[secret]@h.example\/wa"`,
    ],
    [
      "percent-encoded query",
      "url=https%3A%2F%2Fh.example%2Fwa%3Fauth%3DS3cr3t-Val&next=1",
      "url=https%3A%2F%2Fh.example%2Fwa%3F[secret]&next=1",
    ],
    [
      "percent-encoded fragment",
      "url=https%3A%2F%2Fh.example%2Fwa%23S3cr3t-Val",
      "url=https%3A%2F%2Fh.example%2Fwa%23[secret]",
    ],
    [
      "percent-encoded user info",
      "url=https%3A%2F%2Fuser%3AS3cr3t-Val%40h.example%2Fwa",
      "url=https%3A%2F%2F[secret]%40h.example%2Fwa",
    ],
    ["a bearer token", "Authorization: Bearer eyJ.abc-def_1", "Authorization: Bearer [secret]"],
    ["Basic credentials, percent-encoded", "Basic%20YWRtaW46cGE%2Bcw%3D%3D x", "Basic [secret] x"],
    [
      "a URL with nothing secret",
      "GET https://wa.example.com:9090/v1/health failed",
      "GET https://wa.example.com:9090/v1/health failed",
    ],
  ])("%s", (_name, text, expected) => {
    expect(redact(text)).toBe(expected);
  });
});

test.each([
  ["a query value", { url: "https://h/wa?auth=S3cr3t-Val&x=1" }, ["S3cr3t-Val", "auth=S3cr3t-Val&x=1"]],
  ["a fragment", { url: "https://h/wa#S3cr3t-Val" }, ["S3cr3t-Val"]],
  ["user info", { webhooks: { url: "https://u:S3cr3t-Val@h/wa" } }, ["S3cr3t-Val"]],
  ["no URL", { sent_status: true, log_level: "info" }, []],
])("urlSecrets finds %s in a request body", (_name, body, expected) => {
  const found = urlSecrets(body);
  for (const secret of expected) expect(found).toContain(secret);
  if (expected.length === 0) expect(found).toEqual([]);
});
