/** `ProfilePhoto`: its check table (the file read offline), and its lifecycle against the emulator, request by request. */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { beforeEach, describe, expect, test } from "vitest";
import * as provider from "../../provider/profile/photo/provider";
import { parseId } from "../../provider/resource-id";
import type { Emulator } from "../emulator/index";
import { Deployment, requests as hostedRequests } from "../safety/hosted";
import { call, login } from "../support/api";
import { suiteEmulator } from "../support/emulator";
import { connectionOf, OFFLINE_CONNECTION, passingCheck, requestLines } from "../support/provider";

type Props = Record<string, unknown>;

const PATH = "/v1/settings/profile/photo";
const MB5 = 5 * 1024 * 1024;
const connection = OFFLINE_CONNECTION;
const current = suiteEmulator();
const dir = mkdtempSync(join(tmpdir(), "photo-"));

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);

/** A file of `head` followed by `size - head.length` bytes of `fill`, in the test's directory. */
function file(name: string, head: Buffer, size = 64, fill = 7): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), fill)]));
  return path;
}

/** The SHA-256 of what `file` writes. */
function sha256(head: Buffer, size = 64, fill = 7): string {
  return createHash("sha256")
    .update(Buffer.concat([head, Buffer.alloc(size - head.length, fill)]))
    .digest("hex");
}

const requests = requestLines;

const checked = passingCheck(provider);

/** The photo the client answers, by its SHA-256 (read as bytes), or its status when it has none. */
async function held(e: Emulator): Promise<string | number> {
  const dispatcher = new Agent({ connect: { ca: e.caCert } });
  const reply = await request(`${e.url}${PATH}`, {
    headers: { authorization: `Bearer ${await login(e)}` },
    dispatcher,
  });
  const bytes = Buffer.from(await reply.body.arrayBuffer());
  await dispatcher.close();
  return reply.statusCode === 200 ? createHash("sha256").update(bytes).digest("hex") : reply.statusCode;
}

beforeEach(() => current().journal.clear());

describe("check", () => {
  test.each<[string, () => string]>([
    ["a PNG", () => file("ok.png", PNG)],
    ["a JPEG", () => file("ok.jpg", JPEG)],
    ["a PNG of exactly 5 MB", () => file("big.png", PNG, MB5)],
  ])("takes %s and puts the file's SHA-256 in the inputs", async (_title, make) => {
    const path = make();
    const result = await provider.check({}, { connection, file: path });
    expect(result.failures).toEqual([]);
    expect(result.inputs.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each<[string, () => string, string]>([
    ["a missing file", () => join(dir, "missing.png"), "cannot be read (ENOENT)"],
    ["a GIF", () => file("photo.gif", Buffer.from("GIF89a")), "must be a JPEG or PNG image"],
    ["a PNG one byte over 5 MB", () => file("huge.png", PNG, MB5 + 1), "must be at most 5 MB (5242880 bytes)"],
    ["an empty path", () => "", "must be the path of a JPEG or PNG file of at most 5 MB"],
  ])("refuses %s, naming file", async (_title, make, reason) => {
    const { failures } = await provider.check({}, { connection, file: make() });
    expect(failures).toEqual([{ property: "file", reason: expect.stringContaining(reason) }]);
  });

  test("two resources on one client fail check, naming both; nothing is sent", async () => {
    const e = current();
    const path = file("one.png", PNG);
    const named = (resource: string) => ({ connection: connectionOf(e), file: path, __resourceName: resource });
    expect((await provider.check({}, named("photo"))).failures).toEqual([]);
    expect((await provider.check({}, named("spare"))).failures).toEqual([
      {
        property: "connection",
        reason:
          `${e.url} is managed by two resources, ProfilePhoto "photo" and ProfilePhoto "spare": a client holds one ` +
          "profile photo, so removing either would remove what the other still declares; keep one of them",
      },
    ]);
    expect(e.journal.entries).toEqual([]);
  });

  test("a file changed under the same path is a change; the same content under another path is none to send", async () => {
    const e = current();
    const path = file("changing.png", PNG, 64, 1);
    const made = await provider.create(await checked({ connection: connectionOf(e), file: path }));
    file("changing.png", PNG, 64, 2);
    const news = await checked({ connection: connectionOf(e), file: path }, made.outs);
    expect(news.sha256).toBe(sha256(PNG, 64, 2));
    expect(await provider.diff(made.id, made.outs, news)).toMatchObject({ changes: true, replaces: [] });
    e.journal.clear();
    const copy = file("copy.png", PNG, 64, 1);
    await provider.update(made.id, made.outs, await checked({ connection: connectionOf(e), file: copy }, made.outs));
    expect(requests(e)).toEqual([]);
  });
});

describe("lifecycle", () => {
  test("create logs in, POSTs the bytes as image/png and reads the photo back; the id names the client", async () => {
    const e = current();
    const path = file("create.png", PNG, 64, 3);
    const { id, outs } = await provider.create(await checked({ connection: connectionOf(e), file: path }));
    expect(requests(e)).toEqual([
      "POST /v1/users/login 200",
      "GET /v1/settings/application 200",
      `POST ${PATH} 200`,
      `GET ${PATH} 200`,
    ]);
    expect(parseId(id)).toEqual({ client: e.url, path: PATH, key: undefined });
    const hash = sha256(PNG, 64, 3);
    expect(outs).toMatchObject({
      sha256: hash,
      clientSha256: hash,
      contentType: "image/png",
      sizeBytes: 64,
      waId: e.waId,
    });
    expect(await held(e)).toBe(hash);
  });

  test("update uploads a changed file as image/jpeg, POST and GET", async () => {
    const e = current();
    const made = await provider.create(await checked({ connection: connectionOf(e), file: file("u1.png", PNG) }));
    e.journal.clear();
    const next = file("u2.jpg", JPEG, 80);
    const updated = await provider.update(
      made.id,
      made.outs,
      await checked({ connection: connectionOf(e), file: next }),
    );
    expect(requests(e)).toEqual([`POST ${PATH} 200`, `GET ${PATH} 200`]);
    expect(updated.outs).toMatchObject({ sha256: sha256(JPEG, 80), contentType: "image/jpeg", sizeBytes: 80 });
  });

  test("read keeps state while the client holds the photo it answered; another photo shows as a change; none is gone", async () => {
    const e = current();
    const path = file("read.png", PNG, 64, 4);
    const { id, outs } = await provider.create(await checked({ connection: connectionOf(e), file: path }));
    e.journal.clear();
    const same = await provider.read(id, outs);
    expect(requests(e)).toEqual([`GET ${PATH} 200`]);
    expect(same.props).toMatchObject({ sha256: outs.sha256, clientSha256: outs.clientSha256 });
    const token = await login(e);
    expect((await call(e, "POST", PATH, { token, raw: "set by hand", contentType: "image/png" })).status).toBe(200);
    const drifted = await provider.read(id, outs);
    expect(drifted.props?.sha256).not.toBe(outs.sha256);
    const news = await checked({ connection: connectionOf(e), file: path }, drifted.props);
    expect(await provider.diff(id, drifted.props as Props, news)).toMatchObject({ changes: true });
    expect((await call(e, "DELETE", PATH, { token })).status).toBe(200);
    expect(await provider.read(id, outs)).toEqual({});
  });

  test("a read after another call of the deployment logged in (no meta in the photo's answer) keeps apiVersion", async () => {
    const e = current();
    const { id, outs } = await provider.create(
      await checked({ connection: connectionOf(e), file: file("v.png", PNG) }),
    );
    e.journal.clear();
    const read = await provider.read(id, outs);
    expect(requests(e)).toEqual([`GET ${PATH} 200`]);
    expect(read.props?.apiVersion).toBe("v2.53.2");
    expect(read.props).toEqual(outs);
  });

  test("delete sends one DELETE; a replacement on the same client created first keeps its photo", async () => {
    const e = current();
    const old = await provider.create(await checked({ connection: connectionOf(e), file: file("d1.png", PNG, 64, 5) }));
    const replacement = await provider.create(
      await checked({ connection: connectionOf(e), file: file("d2.png", PNG, 64, 6) }),
    );
    e.journal.clear();
    await provider.delete(old.id, old.outs);
    expect(e.journal.count(`DELETE ${PATH}`)).toBe(0);
    expect(await held(e)).toBe(replacement.outs.sha256);
    e.journal.clear();
    await provider.delete(replacement.id, replacement.outs);
    expect(e.journal.count(`DELETE ${PATH}`)).toBe(1);
    expect(await held(e)).toBe(404);
  });
});

test("the packed package uploads, reads and deletes the photo through Pulumi's dynamic-provider host", async () => {
  const e = current();
  const path = file("hosted.png", PNG, 128, 9);
  const deployment = await Deployment.start();
  e.journal.clear();
  const state = await deployment.up("ProfilePhoto", "photo", { connection: connectionOf(e), file: path });
  expect(state.outputs).toMatchObject({ sha256: sha256(PNG, 128, 9), baseUrl: e.url });
  const read = await deployment.read("ProfilePhoto", "photo", state);
  expect(read.outputs).toMatchObject({ clientSha256: state.outputs.clientSha256 });
  await deployment.delete("ProfilePhoto", "photo", state);
  expect(hostedRequests(e)).toEqual([
    "POST /v1/users/login",
    "GET /v1/settings/application",
    `POST ${PATH}`,
    `GET ${PATH}`,
    `GET ${PATH}`,
    `DELETE ${PATH}`,
  ]);
}, 120_000);

test("renamed without an alias, the new name uploaded by an earlier deployment: the old one's delete keeps the photo", async () => {
  // The deployment that created the new name (`up --target`) left the old one; the next up diffs
  // the new name, in state, then deletes the old.
  const e = current();
  const path = file("renamed.png", PNG, 96, 5);
  const old = await (await Deployment.start()).up("ProfilePhoto", "old", { connection: connectionOf(e), file: path });
  const successor = await (await Deployment.start()).up("ProfilePhoto", "new", {
    connection: connectionOf(e),
    file: path,
  });
  e.journal.clear();
  const next = await Deployment.start();
  const inputs = await next.check("ProfilePhoto", "new", { connection: connectionOf(e), file: path });
  expect((await next.diff("ProfilePhoto", "new", successor, inputs)).changes).toBe("none");
  await next.delete("ProfilePhoto", "old", old);
  expect(e.journal.count(`DELETE ${PATH}`)).toBe(0);
  expect(await held(e)).toBe(sha256(PNG, 96, 5));
  // Dropped from the program in turn, with nothing else holding it: the one DELETE.
  await (await Deployment.start()).delete("ProfilePhoto", "new", successor);
  expect(e.journal.count(`DELETE ${PATH}`)).toBe(1);
}, 120_000);
