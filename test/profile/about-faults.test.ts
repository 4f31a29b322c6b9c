/**
 * `ProfileAbout` when a PATCH or its read-back fails part way: what the client holds, what state
 * records (the error's id and properties, Pulumi's partial state), what the error says, and what
 * the next `up` (diff, then the update an initialization error calls for) sends, request by request.
 */
import { expect, test } from "vitest";
import * as provider from "../../provider/profile/provider";
import type { Emulator, FaultRule } from "../emulator/index";
import { clientPerCase, connectionOf, passingCheck, requestLines } from "../support/provider";
import { rejection } from "../support/rejection";

type Props = Record<string, unknown>;

const PATH = "/v1/settings/profile/about";
const PATCH = `PATCH ${PATH}`;
const GET = `GET ${PATH}`;
const TEXT = "Open 9-17, Mon-Fri";
const checked = passingCheck(provider);

// Each case on a client of its own: its text starts empty.
const current = clientPerCase(provider);

/** What the client received, logins left out. */
const sent = (e: Emulator) => requestLines(e).filter((line) => !line.startsWith("POST /v1/users/login"));

test.each<[string, FaultRule, string[], boolean, string, string[]]>([
  [
    "the PATCH refused (400): nothing changed",
    { route: PATCH, status: 400, code: 1009 },
    [`${PATCH} 400`],
    false,
    "",
    [`${PATCH} 200`, `${GET} 200`],
  ],
  [
    "503 on every PATCH attempt: may have landed, recorded as no text known",
    { route: PATCH, status: 503, code: 1014 },
    [`${PATCH} 503`, `${PATCH} 503`],
    true,
    "",
    [`${PATCH} 200`, `${GET} 200`],
  ],
  [
    "the PATCH landed, its read-back failed (503 on every attempt): recorded as applied",
    { route: GET, status: 503, code: 1014 },
    [`${PATCH} 200`, `${GET} 503`, `${GET} 503`],
    true,
    TEXT,
    [],
  ],
])("a create: %s; after the next up the client holds the text", async (_title, fault, failed, partial, holds, next) => {
  const e = current();
  e.faults.inject(fault);
  const inputs = await checked({ connection: connectionOf(e), text: TEXT });
  const error = await rejection(provider.create(inputs));
  expect(sent(e)).toEqual(failed);
  expect(error.message).toContain(`${failed.at(-1)?.replace(/ (\d+)$/, " failed: $1")}`);
  expect(e.about).toBe(holds);
  expect(Boolean(error.id)).toBe(partial);
  e.faults.clear();
  e.journal.clear();
  if (partial) {
    const recorded = error.properties as Props;
    // Pulumi updates a resource with an initialization error whatever the diff says.
    expect((await provider.diff(error.id as string, recorded, inputs)).changes).toBe(next.length > 0);
    await provider.update(error.id as string, recorded, inputs);
  } else {
    await provider.create(inputs);
  }
  expect(sent(e)).toEqual(next);
  expect(e.about).toBe(TEXT);
});
