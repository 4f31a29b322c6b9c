/**
 * `TwoStepVerification` when a write fails part way: what the client holds, what state records
 * (the error's id and properties, Pulumi's partial state), what the error says, and what the next
 * `up` (diff, then the update an initialization error calls for) sends, request by request. No
 * step of it disables two-step verification.
 */
import { describe, expect, test } from "vitest";
import * as provider from "../../provider/account/provider";
import type { FaultRule } from "../emulator/index";
import { clientPerCase, connectionOf, passingCheck, requestLines } from "../support/provider";
import { rejection } from "../support/rejection";

type Props = Record<string, unknown>;

const PATH = "/v1/settings/account/two-step";
const POST = `POST ${PATH}`;
const OLD_PIN = "482913";
const NEW_PIN = "551204";
const checked = passingCheck(provider);

// Each case on a client of its own: two-step verification starts off.
const current = clientPerCase(provider);

/** The connection's timeout, short so that an answer that never completes costs little. */
const connection = () => connectionOf(current(), { timeoutMs: 300 });

interface Case {
  fault: FaultRule;
  /** What the failed create sent, as `METHOD /path status`, logins left out. */
  sent: string[];
  /** Whether the error carries an id (partial state) rather than leaving nothing in state. */
  partial: boolean;
  /** The PIN the client holds after the failure (`null`: off). */
  holds: string | null;
  /** What the error's message says. */
  says: string;
}

const EVERY_ATTEMPT = { route: POST } as const;

/** The read of the client's registered number a create makes before it writes. */
const WHO = "GET /v1/settings/application 200";

describe("a create that fails", () => {
  test.each<[string, Case]>([
    [
      "400, refused: nothing changed and nothing in state",
      {
        fault: { ...EVERY_ATTEMPT, status: 400, code: 1009 },
        sent: [WHO, `${POST} 400`],
        partial: false,
        holds: null,
        says: `${POST} failed: 400 1009`,
      },
    ],
    [
      "503 on every attempt: may have landed, so state records the resource without claiming the PIN",
      {
        fault: { ...EVERY_ATTEMPT, status: 503, code: 1014 },
        sent: [WHO, `${POST} 503`, `${POST} 503`],
        partial: true,
        holds: null,
        says: `${POST} failed: 503 1014`,
      },
    ],
    [
      "applied, the answer never complete on any attempt: state records it unsure",
      {
        fault: { ...EVERY_ATTEMPT, dripMs: 1000, dripForever: true },
        sent: [WHO, `${POST} 200`, `${POST} 200`],
        partial: true,
        holds: OLD_PIN,
        says: "no complete answer within 300 ms",
      },
    ],
  ])("%s; the next up sets the PIN", async (_title, c) => {
    const e = current();
    e.faults.inject(c.fault);
    const inputs = await checked({ connection: connection(), pin: OLD_PIN });
    const error = await rejection(provider.create(inputs));
    expect(requestLines(e).filter((line) => !line.startsWith("POST /v1/users/login"))).toEqual(c.sent);
    expect(error.message).toContain(c.says);
    expect(e.twoStepPin).toBe(c.holds);
    expect(Boolean(error.id)).toBe(c.partial);
    e.faults.clear();
    e.journal.clear();
    if (!c.partial) {
      // Nothing in state: the next up creates it again.
      await provider.create(inputs);
    } else {
      const recorded = error.properties as Props;
      expect(JSON.stringify(recorded)).not.toContain(OLD_PIN);
      expect(await provider.diff(error.id as string, recorded, inputs)).toMatchObject({ changes: true });
      await provider.update(error.id as string, recorded, inputs);
    }
    expect(requestLines(e).filter((line) => !line.startsWith("POST /v1/users/login"))).toEqual(
      c.partial ? [`${POST} 200`] : [WHO, `${POST} 200`],
    );
    expect(e.twoStepPin).toBe(OLD_PIN);
    expect(e.journal.count(`DELETE ${PATH}`)).toBe(0);
  });
});

describe("an update of the PIN that fails", () => {
  test.each<[string, FaultRule, string[], string | null]>([
    ["400, refused", { ...EVERY_ATTEMPT, status: 400, code: 1009 }, [`${POST} 400`], OLD_PIN],
    ["503 on every attempt", { ...EVERY_ATTEMPT, status: 503, code: 1014 }, [`${POST} 503`, `${POST} 503`], OLD_PIN],
    [
      "applied, the answer never complete",
      { ...EVERY_ATTEMPT, dripMs: 1000, dripForever: true },
      [`${POST} 200`, `${POST} 200`],
      NEW_PIN,
    ],
  ])("%s: state keeps the old PIN, so the next up sends the new one again", async (_title, fault, sent, holds) => {
    const e = current();
    const made = await provider.create(await checked({ connection: connection(), pin: OLD_PIN }));
    e.journal.clear();
    e.faults.inject(fault);
    const news = await checked({ connection: connection(), pin: NEW_PIN }, made.outs);
    const error = await rejection(provider.update(made.id, made.outs, news));
    expect(requestLines(e)).toEqual(sent);
    expect(e.twoStepPin).toBe(holds);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(NEW_PIN);
    // A refused write leaves state as it was (no properties); an unsure one records the old outputs.
    const recorded = (error.properties as Props | undefined) ?? made.outs;
    expect(recorded.pin).toBe(OLD_PIN);
    e.faults.clear();
    e.journal.clear();
    expect(await provider.diff(made.id, recorded, news)).toMatchObject({ changes: true, replaces: [] });
    await provider.update(made.id, recorded, news);
    expect(requestLines(e)).toEqual([`${POST} 200`]);
    expect(e.twoStepPin).toBe(NEW_PIN);
    expect(e.journal.count(`DELETE ${PATH}`)).toBe(0);
  });
});
