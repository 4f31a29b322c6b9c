import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, expectTypeOf, test, vi } from "vitest";
import * as errors from "../provider/errors";
import {
  ApiError,
  type CallError,
  causeCode,
  certainlyNotApplied,
  ERROR_CLASSES,
  ERROR_CODES,
  type ErrorClasses,
  type ErrorCode,
  isWhatsAppError,
  NetworkError,
  ResponseShapeError,
  TimeoutError,
  TlsError,
  WhatsAppError,
  withContext,
} from "../provider/errors";
import * as index from "../provider/index";
import { redact } from "../provider/redact";

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });

type ErrorClass = new (...args: never[]) => WhatsAppError;

/** Every error class errors.ts exports, found rather than listed: a new one is covered here unedited. */
const CLASSES: ReadonlyArray<[string, ErrorClass]> = Object.entries(errors as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === "function" && entry[1].prototype instanceof WhatsAppError,
);

/**
 * An error of any class, built without arguments written for it: each argument its constructor
 * takes is a stand-in that reads as text, as a list and as an object of fields alike.
 */
function build(Class: ErrorClass): WhatsAppError {
  const anything: unknown = new Proxy(() => anything, {
    get: (_target, key) => (key === Symbol.toPrimitive ? () => "x" : anything),
  });
  return new Class(...(Array.from({ length: Class.length }, () => anything) as never[]));
}

/** Each class's name, the code an instance of it carries, and the class. */
const BUILT = CLASSES.map(([name, Class]) => [name, build(Class).code, Class] as const);

/** A failed call of each kind, as the client builds it: what `withContext` builds again. */
const CALL_ERRORS: { [C in CallError["code"]]: () => ErrorClasses[C] } = {
  WHATSAPP_API: () => new ApiError({ method: "GET", path: "/v1/health", status: 503, apiCode: 1016 }),
  WHATSAPP_RESPONSE_SHAPE: () => new ResponseShapeError("GET", "/v1/health", "not JSON"),
  WHATSAPP_NETWORK: () => new NetworkError("GET https://wa/v1/health: ECONNREFUSED", { cause: refused }),
  WHATSAPP_TLS: () => new TlsError("GET https://wa/v1/health: TLS verification failed", {}),
  WHATSAPP_TIMEOUT: () => new TimeoutError("GET https://wa/v1/health: no complete answer"),
};

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
  test("errors.ts exports the classes of its table, each under its own name, and one for every code", () => {
    expect(CLASSES.map(([name]) => name).sort()).toEqual(Object.keys(ERROR_CLASSES).sort());
    for (const [name, Class] of CLASSES) {
      expect({ name, class: Class.name, inTable: ERROR_CLASSES[name as keyof typeof ERROR_CLASSES] === Class }).toEqual(
        { name, class: name, inTable: true },
      );
    }
    expect(BUILT.map(([, code]) => code).sort()).toEqual(Object.values(ERROR_CODES).sort());
  });

  test.each(BUILT)(
    "%s has its name and the code %s, the package exports it, and README's Errors table lists the code",
    (name, code, Class) => {
      const error = build(Class);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(code).toMatch(/^WHATSAPP_[A-Z_]+$/);
      expect(code).toBe(ERROR_CODES[name as keyof typeof ERROR_CODES]);
      expect(error.stack).toMatch(new RegExp(`^${name}: `));
      expect((index as Record<string, unknown>)[name]).toBe(Class);
      expect(readmeCodes()).toContain(code);
    },
  );

  test("README's Errors table lists no code the provider does not have, and each once", () => {
    const listed = readmeCodes();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(BUILT.map(([, code]) => code).sort());
  });

  test.each(BUILT)("isWhatsAppError matches a %s by its code %s alone", (_name, code, Class) => {
    const error = build(Class);
    expect(isWhatsAppError(error)).toBe(true);
    expect(isWhatsAppError(error, code)).toBe(true);
    const others = BUILT.map(([, other]) => other).filter((other) => other !== code);
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
    const error: unknown = CALL_ERRORS.WHATSAPP_API();
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

  test.each(Object.entries(CALL_ERRORS).map(([code, make]) => [make().name, code, make] as const))(
    "a rebuilt %s keeps its code %s and what lies beneath it",
    (name, code, make) => {
      const original = make();
      const rebuilt = withContext(original, { during: "while testing" });
      expect(rebuilt.name).toBe(name);
      expect(rebuilt.code).toBe(code);
      expect(rebuilt.detail).toBe(original.detail);
      expect(rebuilt.message).toBe(`while testing: ${original.message}`);
      expect(causeCode(rebuilt)).toBe(causeCode(original));
      expect(certainlyNotApplied(rebuilt)).toBe(certainlyNotApplied(original));
    },
  );

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
