import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, expectTypeOf, test, vi } from "vitest";
import {
  ApiError,
  BackupIntegrityError,
  ConfigError,
  causeCode,
  certainlyNotApplied,
  ERROR_CODES,
  type ErrorCode,
  FieldIgnoredError,
  InputError,
  isWhatsAppError,
  NetworkError,
  NotOwnedError,
  ResponseShapeError,
  RestoreUnfinishedError,
  SettingsConflictError,
  SharedClientError,
  TimeoutError,
  TlsError,
  UnsureClientError,
  VersionError,
  type WhatsAppError,
  WrongClientError,
  withContext,
} from "../provider/errors";
import { redact } from "../provider/redact";

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });

/** One instance of every error class, as the provider builds it. */
const ERRORS: ReadonlyArray<[string, ErrorCode, () => WhatsAppError]> = [
  ["InputError", "WHATSAPP_INVALID_INPUT", () => new InputError([{ property: "logLevel", reason: "must be info" }])],
  ["ConfigError", "WHATSAPP_CONFIG", () => new ConfigError("whatsapp:baseUrl is not set")],
  ["ApiError", "WHATSAPP_API", () => new ApiError({ method: "GET", path: "/v1/health", status: 503, apiCode: 1016 })],
  ["ResponseShapeError", "WHATSAPP_RESPONSE_SHAPE", () => new ResponseShapeError("GET", "/v1/health", "not JSON")],
  [
    "NetworkError",
    "WHATSAPP_NETWORK",
    () => new NetworkError("GET https://wa/v1/health: ECONNREFUSED", { cause: refused }),
  ],
  ["TlsError", "WHATSAPP_TLS", () => new TlsError("GET https://wa/v1/health: TLS verification failed", {})],
  ["TimeoutError", "WHATSAPP_TIMEOUT", () => new TimeoutError("GET https://wa/v1/health: no complete answer")],
  ["VersionError", "WHATSAPP_VERSION", () => new VersionError("the client at v2.41.3 cannot take: passThrough")],
  ["FieldIgnoredError", "WHATSAPP_FIELD_IGNORED", () => new FieldIgnoredError("the client did not keep logLevel")],
  ["BackupIntegrityError", "WHATSAPP_BACKUP_INTEGRITY", () => new BackupIntegrityError("the SHA-256 differs")],
  ["WrongClientError", "WHATSAPP_WRONG_CLIENT", () => new WrongClientError("https://one", "https://two")],
  [
    "RestoreUnfinishedError",
    "WHATSAPP_RESTORE_UNFINISHED",
    () =>
      new RestoreUnfinishedError({
        target: "https://one",
        sha256: "0".repeat(64),
        state: "sending",
        startedAt: "2026-01-01T00:00:00.000Z",
        recordPath: "/tmp/record.json",
      }),
  ],
  ["NotOwnedError", "WHATSAPP_NOT_OWNED", () => new NotOwnedError("https://one", "cdn")],
  [
    "UnsureClientError",
    "WHATSAPP_UNSURE_CLIENT",
    () =>
      new UnsureClientError({
        from: "https://one",
        to: "https://two",
        why: "https://one did not answer",
        consequence: "restoring the backup there",
        onPurpose: "a new `triggers` value restores there on purpose",
      }),
  ],
  [
    "SettingsConflictError",
    "WHATSAPP_SETTINGS_CONFLICT",
    () => new SettingsConflictError("https://localhost", "https://127.0.0.1", ["logLevel"]),
  ],
  [
    "SharedClientError",
    "WHATSAPP_SHARED_CLIENT",
    () =>
      new SharedClientError(
        "TwoStepVerification",
        "one PIN",
        { client: "wa_id 16315551234", resource: "second", address: "https://localhost" },
        { client: "wa_id 16315551234", resource: "first", address: "https://127.0.0.1" },
      ),
  ],
];

/** Every code, from the table the package derives `ErrorCode` from. */
const CODES: readonly ErrorCode[] = Object.values(ERROR_CODES);

/** The codes README's "Errors" table lists, from its first column. */
function readmeCodes(): string[] {
  const readme = readFileSync(resolve(__dirname, "../README.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("\n## Errors\n"),
    readme.indexOf("\n## ", readme.indexOf("\n## Errors\n") + 1),
  );
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  return rows.flatMap((row) => [...(row.split("|")[1] ?? "").matchAll(/`(WHATSAPP_\w+)`/g)].map((m) => m[1] as string));
}

describe("every error class", () => {
  test.each(ERRORS)("%s has its name and the code %s, and README's Errors table lists it", (name, code, make) => {
    const error = make();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.stack).toMatch(new RegExp(`^${name}: `));
    expect(readmeCodes()).toContain(code);
  });

  test("the table above has one class for every code", () => {
    expect(ERRORS.map(([, code]) => code).sort()).toEqual([...CODES].sort());
  });

  test("README's Errors table lists no code the provider does not have, and each once", () => {
    const listed = readmeCodes();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(ERRORS.map(([, code]) => code).sort());
  });

  test.each(ERRORS)("isWhatsAppError matches a %s by its code %s alone", (_name, code, make) => {
    const error = make();
    expect(isWhatsAppError(error)).toBe(true);
    expect(isWhatsAppError(error, code)).toBe(true);
    const others = ERRORS.map(([, other]) => other).filter((other) => other !== code);
    expect(others.filter((other) => isWhatsAppError(error, other))).toEqual([]);
  });
});

describe("isWhatsAppError", () => {
  test("matches errors built by another copy of the module, where instanceof fails", async () => {
    vi.resetModules();
    const copy = await import("../provider/errors.js");
    expect(copy.ApiError).not.toBe(ApiError);
    const error: unknown = new copy.ApiError({
      method: "PATCH",
      path: "/v1/settings/application",
      status: 400,
      apiCode: 1009,
    });
    expect(error instanceof ApiError).toBe(false);
    expect(isWhatsAppError(error, "WHATSAPP_API")).toBe(true);
    expect(certainlyNotApplied(error)).toBe(true);
    if (!isWhatsAppError(error, "WHATSAPP_API")) throw new Error("expected a match");
    expect([error.status, error.apiCode]).toEqual([400, 1009]);
  });

  test.each<[string, unknown]>([
    ["a plain Error", new Error("boom")],
    ["an object that only looks like one", { code: "WHATSAPP_API", message: "x" }],
    ["a system error", refused],
    ["undefined", undefined],
    ["a string", "WHATSAPP_API"],
  ])("does not match %s", (_name, value) => {
    expect(isWhatsAppError(value)).toBe(false);
    expect(isWhatsAppError(value, "WHATSAPP_API")).toBe(false);
  });

  test("narrows to the class for the code, so callers read its fields without a cast", () => {
    const error: unknown = ERRORS[2]?.[2]();
    if (isWhatsAppError(error, "WHATSAPP_API")) expectTypeOf(error).toEqualTypeOf<ApiError>();
    if (isWhatsAppError(error, "WHATSAPP_WRONG_CLIENT")) expectTypeOf(error.recorded).toEqualTypeOf<string>();
    if (isWhatsAppError(error)) expectTypeOf(error.code).toEqualTypeOf<ErrorCode>();
    expect(isWhatsAppError(error, "WHATSAPP_API") && error.status).toBe(503);
  });
});

describe("errors are final when built", () => {
  const api = () =>
    new ApiError({ method: "POST", path: "/v1/settings/backup", status: 500, apiCode: 1014, title: "Internal error" });

  test("withContext builds a new error of the same class; the original is its cause and stays as it was", () => {
    const original = api();
    const before = { message: original.message, stack: original.stack };
    const rebuilt = withContext(original, {
      during: "the client must be running to take a backup",
      attempts: ["attempt 1: one", "attempt 2: two"],
    });
    expect(rebuilt).not.toBe(original);
    expect(rebuilt).toMatchObject({ name: "ApiError", code: "WHATSAPP_API", status: 500, apiCode: 1014 });
    expect(rebuilt.cause).toBe(original);
    expect({ message: original.message, stack: original.stack }).toEqual(before);
    expect(rebuilt.message).toMatchInlineSnapshot(
      `"the client must be running to take a backup: POST /v1/settings/backup failed: 500 1014 Internal error (gave up after 2 attempts: attempt 1: one; attempt 2: two)"`,
    );
    expect(rebuilt.stack?.startsWith(`ApiError: ${rebuilt.message}\n`)).toBe(true);
  });

  test("context given earlier is kept when more is added", () => {
    const retried = withContext(api(), { attempts: ["attempt 1: a", "attempt 2: b"] });
    const explained = withContext(retried, { hint: "look at the client" });
    expect(explained.attempts).toEqual(["attempt 1: a", "attempt 2: b"]);
    expect(explained.message).toBe(
      "POST /v1/settings/backup failed: 500 1014 Internal error; look at the client (gave up after 2 attempts: attempt 1: a; attempt 2: b)",
    );
  });

  test.each(
    ERRORS.filter(([, code]) =>
      ["WHATSAPP_API", "WHATSAPP_RESPONSE_SHAPE", "WHATSAPP_NETWORK", "WHATSAPP_TLS", "WHATSAPP_TIMEOUT"].includes(
        code,
      ),
    ),
  )("a rebuilt %s keeps its code %s and what lies beneath it", (name, code, make) => {
    const original = make() as Parameters<typeof withContext>[0];
    const rebuilt = withContext(original, { during: "while testing" });
    expect(rebuilt.name).toBe(name);
    expect(rebuilt.code).toBe(code);
    expect(rebuilt.detail).toBe(original.detail);
    expect(rebuilt.message).toBe(`while testing: ${original.message}`);
    expect(causeCode(rebuilt)).toBe(causeCode(original));
    expect(certainlyNotApplied(rebuilt)).toBe(certainlyNotApplied(original));
  });

  test("a message redacted as it is built leaves no secret in the stack Pulumi prints", () => {
    const secret = "hunter2-shared-secret";
    const original = new NetworkError(redact(`POST https://wa/v1/settings/restore: reset (${secret})`, [secret]), {
      cause: refused,
    });
    const rebuilt = withContext(original, { hint: "check the client" });
    for (const error of [original, rebuilt]) {
      expect(error.message).toContain("[secret]");
      expect(`${error.stack}`).not.toContain(secret);
    }
  });
});
