/**
 * `ProfilePhoto` when an upload or its read-back fails part way: what the client holds, what state
 * records (the error's id and properties, Pulumi's partial state), what the error says, and what
 * the next `up` (diff, then the update an initialization error calls for) sends, request by
 * request. No step of it deletes the photo.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import * as provider from "../../provider/profile/photo/provider";
import type { Emulator, FaultRule } from "../emulator/index";
import { clientPerCase, connectionOf, passingCheck, requestLines } from "../support/provider";
import { rejection } from "../support/rejection";

type Props = Record<string, unknown>;

const PATH = "/v1/settings/profile/photo";
const POST = `POST ${PATH}`;
const GET = `GET ${PATH}`;
const dir = mkdtempSync(join(tmpdir(), "photo-faults-"));
const checked = passingCheck(provider);

/** A PNG file of 64 bytes told apart by `fill`. */
function png(name: string, fill: number): { path: string; sha256: string } {
  const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(56, fill)]);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, sha256: createHash("sha256").update(bytes).digest("hex") };
}

const OLD = png("old.png", 1);
const NEW = png("new.png", 2);

// Each case on a client of its own: it starts with no photo.
const current = clientPerCase(provider);

/** The connection's timeout, short so that an answer that never completes costs little. */
const connection = () => connectionOf(current(), { timeoutMs: 300 });

/** The SHA-256 of the photo the client holds, `null` when it has none. */
function held(e: Emulator): string | null {
  return e.photo === null ? null : createHash("sha256").update(e.photo).digest("hex");
}

/** What the client received, logins left out. */
/** The read of the client's registered number a create makes first. */
const WHO = "GET /v1/settings/application 200";

const sent = (e: Emulator) => requestLines(e).filter((line) => !line.startsWith("POST /v1/users/login"));

interface Case {
  fault: FaultRule;
  /** What the failed call sent, as `METHOD /path status`. */
  sent: string[];
  /** Whether the error carries an id (partial state) rather than leaving state as it was. */
  partial: boolean;
  /** What the error's message says. */
  says: string;
  /** Whether the client holds the new photo after the failure. */
  landed: boolean;
  /** What the next up sends. */
  next: string[];
}

const FAILED_WRITES: Array<[string, Case]> = [
  [
    "the upload refused (400): nothing changed",
    {
      fault: { route: POST, status: 400, code: 1009 },
      sent: [`${POST} 400`],
      partial: false,
      says: `${POST} failed: 400 1009`,
      landed: false,
      next: [`${POST} 200`, `${GET} 200`],
    },
  ],
  [
    "503 on every upload attempt: may have landed, recorded as not applied",
    {
      fault: { route: POST, status: 503, code: 1014 },
      sent: [`${POST} 503`, `${POST} 503`],
      partial: true,
      says: `${POST} failed: 503 1014`,
      landed: false,
      next: [`${POST} 200`, `${GET} 200`],
    },
  ],
  [
    "the upload applied, its answer never complete",
    {
      fault: { route: POST, dripMs: 1000, dripForever: true },
      sent: [`${POST} 200`, `${POST} 200`],
      partial: true,
      says: "no complete answer within 300 ms",
      landed: true,
      next: [`${POST} 200`, `${GET} 200`],
    },
  ],
  [
    "the upload landed, its read-back failed (503 on every attempt): recorded as applied",
    {
      fault: { route: GET, status: 503, code: 1014 },
      sent: [`${POST} 200`, `${GET} 503`, `${GET} 503`],
      partial: true,
      says: `${GET} failed: 503 1014`,
      landed: true,
      next: [],
    },
  ],
];

describe("a create that fails", () => {
  test.each(FAILED_WRITES)("%s; after the next up the client holds the file", async (_title, c) => {
    const e = current();
    e.faults.inject(c.fault);
    const inputs = await checked({ connection: connection(), file: OLD.path });
    const error = await rejection(provider.create(inputs));
    // A create reads the client's registered number before it writes.
    expect(sent(e)).toEqual([WHO, ...c.sent]);
    expect(error.message).toContain(c.says);
    expect(held(e)).toBe(c.landed ? OLD.sha256 : null);
    expect(Boolean(error.id)).toBe(c.partial);
    e.faults.clear();
    e.journal.clear();
    if (c.partial) {
      const recorded = error.properties as Props;
      // Pulumi updates a resource with an initialization error whatever the diff says.
      expect((await provider.diff(error.id as string, recorded, inputs)).changes).toBe(c.next.length > 0);
      await provider.update(error.id as string, recorded, inputs);
    } else {
      await provider.create(inputs);
    }
    expect(sent(e)).toEqual(c.partial ? c.next : [WHO, ...c.next]);
    expect(held(e)).toBe(OLD.sha256);
    expect(e.journal.count(`DELETE ${PATH}`)).toBe(0);
  });
});

describe("an update to another file that fails", () => {
  test.each(FAILED_WRITES)("%s; after the next up the client holds the new file", async (_title, c) => {
    const e = current();
    const made = await provider.create(await checked({ connection: connection(), file: OLD.path }));
    e.journal.clear();
    e.faults.inject(c.fault);
    const news = await checked({ connection: connection(), file: NEW.path }, made.outs);
    const error = await rejection(provider.update(made.id, made.outs, news));
    expect(sent(e)).toEqual(c.sent);
    expect(error.message).toContain(c.says);
    expect(held(e)).toBe(c.landed ? NEW.sha256 : OLD.sha256);
    // A refused write leaves state as it was; an unsure one records the old photo, a landed one the new.
    const recorded = (error.properties as Props | undefined) ?? made.outs;
    expect(recorded.sha256).toBe(c.partial && c.next.length === 0 ? NEW.sha256 : OLD.sha256);
    e.faults.clear();
    e.journal.clear();
    expect((await provider.diff(made.id, recorded, news)).changes).toBe(c.next.length > 0);
    await provider.update(made.id, recorded, news);
    expect(sent(e)).toEqual(c.next);
    expect(held(e)).toBe(NEW.sha256);
    expect(e.journal.count(`DELETE ${PATH}`)).toBe(0);
  });
});
