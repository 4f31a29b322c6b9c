/**
 * What a client holds one of (its two-step PIN, its photo) when the program reaches the client at
 * two addresses (`127.0.0.1` and `localhost`): the client is its registered number, which each
 * create reads before it writes. A second resource of a kind on that number fails before it
 * writes; a delete never removes what another resource of the program declares on that number;
 * a resource moved to another address of its client and renamed or replaced leaves the object to
 * its successor. Each deployment is one process's memory (`shutdown` ends it), as Pulumi's
 * provider host keeps it; the steps come in the order Pulumi's step generator issues them (diffs
 * of the resources the program declares, then creates, then the deletes of what it dropped;
 * pkg/resource/deploy/step_generator.go). Counting the DELETEs (two-step verification disabled,
 * the photo removed) the client received.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import * as twoStep from "../../provider/account/provider";
import * as photo from "../../provider/profile/photo/provider";
import type { Emulator } from "../emulator/index";
import { clientPerCase, connectionOf, writeLines } from "../support/provider";
import { rejection } from "../support/rejection";

type Props = Record<string, unknown>;

interface Lifecycle {
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: unknown[] }>;
  diff(id: string, olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[] }>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  delete(id: string, props: Props): Promise<void>;
  shutdown(): Promise<void>;
  configure(request: { config: { get(key: string): string | undefined } }): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), "one-client-"));
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(56, 5)]);
writeFileSync(join(dir, "logo.png"), PNG);

interface Kind {
  type: string;
  lifecycle: Lifecycle;
  path: string;
  /** The resource's own inputs. */
  own: Props;
  /** Whether the client holds the object. */
  holds(e: Emulator): boolean;
}

const KINDS: Kind[] = [
  {
    type: "TwoStepVerification",
    lifecycle: twoStep,
    path: "/v1/settings/account/two-step",
    own: { pin: "482913" },
    holds: (e) => e.twoStepEnabled,
  },
  {
    type: "ProfilePhoto",
    lifecycle: photo,
    path: "/v1/settings/profile/photo",
    own: { file: join(dir, "logo.png") },
    holds: (e) => e.photo !== null,
  },
];

describe.each(KINDS)("$type on one client reached at two addresses", (kind) => {
  const { lifecycle } = kind;
  // Each case on a client of its own, which holds nothing yet.
  const client = clientPerCase(lifecycle);
  const DELETE = `DELETE ${kind.path}`;
  /** The inputs of resource `name` reaching the client at `host`, as check returns them. */
  const inputsOf = async (name: string, host: string, olds: Props = {}) => {
    const e = client();
    const connection = connectionOf(e, { baseUrl: e.url.replace("127.0.0.1", host) });
    const { inputs, failures } = await lifecycle.check(olds, { ...kind.own, connection, __resourceName: name });
    expect(failures).toEqual([]);
    return inputs;
  };
  /** Ends the deployment; the next call starts another. */
  const nextDeployment = () => lifecycle.shutdown();
  const fresh = async () => {
    await nextDeployment();
    return client();
  };

  test("two in one deployment: the second create fails after its one read, naming both; nothing written for it", async () => {
    const e = await fresh();
    await lifecycle.create(await inputsOf("main", "127.0.0.1"));
    e.journal.clear();
    const error = await rejection(lifecycle.create(await inputsOf("spare", "localhost")));
    expect(error).toMatchObject({ code: "WHATSAPP_SHARED_CLIENT", client: `wa_id ${e.waId}` });
    expect(error.message).toContain(`${kind.type} "spare" at ${e.url.replace("127.0.0.1", "localhost")}`);
    expect(error.message).toContain(`${kind.type} "main" at ${e.url}`);
    expect(e.journal.entries.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/users/login",
      "GET /v1/settings/application",
    ]);
  });

  test("one added at the other address in a later deployment: the diff of the first makes the second's create fail", async () => {
    const e = await fresh();
    const main = await lifecycle.create(await inputsOf("main", "127.0.0.1"));
    await nextDeployment();
    e.journal.clear();
    const again = await inputsOf("main", "127.0.0.1", main.outs);
    expect((await lifecycle.diff(main.id, main.outs, again)).changes).toBe(false);
    const error = await rejection(lifecycle.create(await inputsOf("spare", "localhost")));
    expect(error).toMatchObject({ code: "WHATSAPP_SHARED_CLIENT" });
    expect(writeLines(e)).toEqual([]);
    expect(kind.holds(e)).toBe(true);
  });

  test("both in state (the second created by an up --target), one removed: its delete leaves the object to the other", async () => {
    const e = await fresh();
    const main = await lifecycle.create(await inputsOf("main", "127.0.0.1"));
    await nextDeployment();
    // `up --target spare`: main is neither checked nor diffed, so nothing of it is known.
    const spare = await lifecycle.create(await inputsOf("spare", "localhost"));
    await nextDeployment();
    e.journal.clear();
    // The program now declares main alone: its diff, then the delete of spare.
    await lifecycle.diff(main.id, main.outs, await inputsOf("main", "127.0.0.1", main.outs));
    await lifecycle.delete(spare.id, spare.outs);
    expect(e.journal.count(DELETE)).toBe(0);
    expect(kind.holds(e)).toBe(true);
    // And while both are declared, the diff of the second fails, naming both, before any write.
    await nextDeployment();
    await lifecycle.diff(main.id, main.outs, await inputsOf("main", "127.0.0.1", main.outs));
    const error = await rejection(
      lifecycle.diff(spare.id, spare.outs, await inputsOf("spare", "localhost", spare.outs)),
    );
    expect(error).toMatchObject({ code: "WHATSAPP_SHARED_CLIENT" });
    expect(writeLines(e)).toEqual([]);
  });

  test("moved to the other address and renamed without an alias in one up: the old one's delete sends nothing; destroy then sends one", async () => {
    const e = await fresh();
    const old = await lifecycle.create(await inputsOf("main", "127.0.0.1"));
    await nextDeployment();
    e.journal.clear();
    // The new name is a create, the old name a delete: Pulumi diffs neither against the other.
    const renamed = await lifecycle.create(await inputsOf("renamed", "localhost"));
    await lifecycle.delete(old.id, old.outs);
    expect(e.journal.count(DELETE)).toBe(0);
    expect(kind.holds(e)).toBe(true);
    await nextDeployment();
    await lifecycle.delete(renamed.id, renamed.outs);
    expect(e.journal.count(DELETE)).toBe(1);
    expect(kind.holds(e)).toBe(false);
  });

  test("moved to the other address, then up --replace (no diff): the original's delete sends nothing", async () => {
    const e = await fresh();
    const old = await lifecycle.create(await inputsOf("main", "127.0.0.1"));
    await nextDeployment();
    e.journal.clear();
    // `--replace` plans a replacement without asking the provider: create the new, delete the old.
    await lifecycle.create(await inputsOf("main", "localhost", old.outs));
    await lifecycle.delete(old.id, old.outs);
    expect(e.journal.count(DELETE)).toBe(0);
    expect(kind.holds(e)).toBe(true);
  });
});
