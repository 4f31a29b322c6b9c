/**
 * A media provider's secrets of every length from 1 to 8: those too short to cut from a message
 * safely are refused at check, naming `config`; the shortest allowed never appears in a message,
 * whichever form a client echoes it in.
 */
import { describe, expect, test } from "vitest";
import * as provider from "../../provider/media/provider";
import { SECRET_MIN_LENGTH } from "../../provider/media/schema";
import { type EchoForm, echoed } from "../emulator/faults";
import { connectionOf, emulator } from "../support/provider";
import { rejection } from "../support/rejection";

const PATH = "/v1/settings/application/media/providers";
// Characters no message of ours uses, each spelled differently in JSON, percent and form encoding.
const ALPHABET = "Ø/+=§ Zq";
const LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8];
const SCANNED: readonly EchoForm[] = ["plain", "json", "percent", "form"];

const configs = {
  bearer: (secret: string) => ({ bearer: secret }),
  password: (secret: string) => ({ basic: { username: "media-user", password: secret } }),
};
const CASES = Object.entries(configs).flatMap(([kind, config]) =>
  LENGTHS.map((length) => ({ kind, length, secret: ALPHABET.slice(0, length), config })),
);

function expectAbsent(text: string, secret: string): void {
  for (const form of SCANNED) expect(text).not.toContain(echoed(form, secret));
}

describe("secrets too short to redact are refused at check", () => {
  test.each(CASES.filter((c) => c.length < SECRET_MIN_LENGTH))(
    "a $kind of $length characters is refused, naming config and not the secret",
    async ({ secret, config }) => {
      const e = await emulator();
      const { failures } = await provider.check(
        {},
        { connection: connectionOf(e), name: "cdn", config: config(secret) },
      );
      expect(failures).toEqual([
        { property: "config", reason: expect.stringContaining("the password at least 8 characters") },
      ]);
      expectAbsent(JSON.stringify(failures), secret);
      expect(e.journal.entries).toEqual([]);
    },
  );
});

describe("the shortest secret allowed never appears in a message", () => {
  const shortest = CASES.filter((c) => c.length === SECRET_MIN_LENGTH);
  test.each(shortest.flatMap((c) => SCANNED.map((echo) => ({ ...c, echo }))))(
    "a $kind of $length characters echoed by the client ($echo) is cut from the error",
    async ({ secret, config, echo }) => {
      const e = await emulator();
      const checked = await provider.check({}, { connection: connectionOf(e), name: "cdn", config: config(secret) });
      expect(checked.failures).toEqual([]);
      e.faults.inject({ route: `POST ${PATH}`, echo, times: 1 });
      const error = await rejection(provider.create(checked.inputs));
      expect(error.code).toBe("WHATSAPP_API");
      // The echo did arrive; only the secret is gone from it.
      expect(error.message).toContain("[secret]");
      expectAbsent(`${error.message}\n${error.stack ?? ""}`, secret);
    },
  );
});
