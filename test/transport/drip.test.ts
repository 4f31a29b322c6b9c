/**
 * `timeoutMs` bounds each attempt from its start, headers and body together, and the retry
 * deadline bounds the operation, even against an answer that drips in a byte at a time: through
 * Pulumi's dynamic-provider host against the emulator's drip fault.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HostError } from "../engine/provider-host";
import { type HostedProgram, hostedProgram, reconfigured, urnOf } from "../secrets/host";
import { connectionOf, emulator } from "../support/emulator";
import { rejection } from "../support/rejection";

const SETTINGS = "GET /v1/settings/application";
let program: HostedProgram;

beforeAll(async () => {
  program = await hostedProgram({ "whatsapp:retryAttempts": "1" });
}, 60_000);
afterAll(async () => {
  await program.close();
});

/** A create whose reads drip; a first create logs in and connects, so only the dripping call is timed. */
async function timedCreate(timeoutMs: number, forever: boolean) {
  const e = await emulator();
  const connection = connectionOf(e, { timeoutMs });
  const news = { connection, sentStatus: true, __provider: program.providers.ApplicationSettings };
  const checked = await program.host.check(urnOf("ApplicationSettings"), {}, news);
  expect(checked.failures).toEqual([]);
  await program.host.create(urnOf("ApplicationSettings"), checked.inputs);
  e.faults.inject({ route: SETTINGS, dripMs: 400, dripForever: forever });
  const before = e.journal.count(SETTINGS);
  const started = performance.now();
  const error = await rejection(program.host.create(urnOf("ApplicationSettings"), checked.inputs));
  const ms = Math.round(performance.now() - started);
  expect(error).toBeInstanceOf(HostError);
  return { message: error.message, ms, attempts: e.journal.count(SETTINGS) - before };
}

describe("an answer that drips one byte every 400 ms", () => {
  test.each([
    ["a body that would take minutes", false],
    ["a body that never ends", true],
  ])("%s ends at timeoutMs (1000 ms) when no retry is allowed", async (name, forever) => {
    const { message, ms, attempts } = await timedCreate(1000, forever);
    expect(message).toContain("no complete answer within 1000 ms (timeoutMs)");
    expect(attempts).toBe(1);
    // timeoutMs + 10 % is the target; the bound leaves room for a loaded machine, the figure is printed.
    expect(ms).toBeLessThan(2_000);
    console.info(`${name}, timeoutMs 1000, one attempt: create failed after ${ms} ms`);
  });

  test("with retries, the operation ends at its deadline, not after attempts × timeoutMs", async () => {
    program = await reconfigured(program, {
      "whatsapp:retryAttempts": "20",
      "whatsapp:retryBaseDelayMs": "10",
      "whatsapp:retryDeadlineMs": "2500",
    });
    const { message, ms, attempts } = await timedCreate(1000, true);
    expect(message).toMatch(/no complete answer within the retry deadline \(2500 ms after the first attempt\)/);
    expect(message).toContain("gave up after");
    // 20 attempts of 1000 ms would take 20 s; the 2500 ms deadline ends it.
    expect(ms).toBeLessThan(4_500);
    expect(attempts).toBeLessThanOrEqual(4);
    console.info(`endless drip, timeoutMs 1000, deadline 2500 ms: create failed after ${ms} ms, ${attempts} attempts`);
  });
});
