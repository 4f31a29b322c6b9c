/**
 * What the resources of a deployment know of each other crosses the provider processes of that
 * deployment and no others: real processes of the packed package, each given an engine address
 * as a plugin is, share facts through the memory's directory, which holds no secret.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { packedProgram } from "./support/packed";

const WEBHOOK_SECRET = "Sh4red/Hook+Secret=Zq9";
const WEBHOOK = `https://hooks.example.com/wa?auth=${WEBHOOK_SECRET}`;
const CLIENT = "https://wa.example.com:9090";

/**
 * A provider process, as far as its memory goes: it joins the deployment of `engine` and answers
 * one JSON line per call of the memory (`memory`) or of the settings' record (`settings`).
 */
const PEER = `
const memory = require("pulumi-whatsapp-settings/dist/provider/deployment-memory.js");
const settings = require("pulumi-whatsapp-settings/dist/provider/settings/deployment.js");
memory.joinDeployment(process.argv[1]);
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  const { module, fn, args } = JSON.parse(line);
  // Settings travel as [path, value] pairs.
  const call = fn === "ownConflicts" ? [args[0], args[1], new Map(args[2])] : args;
  const result = (module === "memory" ? memory : settings)[fn](...call);
  process.stdout.write(JSON.stringify({ result: result === undefined ? null : result }) + "\\n");
});
process.stdout.write("ready\\n");
`;

class Peer {
  private buffer = "";
  private readonly waiting: Array<(line: string) => void> = [];

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let end = this.buffer.indexOf("\n"); end >= 0; end = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.waiting.shift()?.(line);
      }
    });
  }

  private next(): Promise<string> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  static async start(engine: string): Promise<Peer> {
    const child = spawn(process.execPath, ["-e", PEER, engine], {
      cwd: program,
      env: { ...process.env, WHATSAPP_DEPLOYMENT_MEMORY_DIR: root },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const peer = new Peer(child);
    const ready = peer.next();
    const exited = new Promise<string>((resolve) => child.once("exit", () => resolve(`exited: ${stderr}`)));
    expect(await Promise.race([ready, exited])).toBe("ready");
    return peer;
  }

  async call(module: "memory" | "settings", fn: string, ...args: unknown[]): Promise<unknown> {
    const answer = this.next();
    this.child.stdin.write(`${JSON.stringify({ module, fn, args })}\n`);
    return (JSON.parse(await answer) as { result: unknown }).result;
  }

  /** The keys of `section` this process sees, its own first. */
  async keys(section: string): Promise<string[]> {
    return ((await this.call("memory", "recall", section)) as Array<{ key: string }>).map((f) => f.key);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}

let program: string;
let root: string;
let a1: Peer;
let a2: Peer;
let b: Peer;

beforeAll(async () => {
  program = packedProgram();
  root = mkdtempSync(join(tmpdir(), "memory-test-"));
  [a1, a2, b] = await Promise.all([
    Peer.start("127.0.0.1:41001"),
    Peer.start("127.0.0.1:41001"),
    Peer.start("127.0.0.1:41002"),
  ]);
});

afterAll(async () => {
  await Promise.all([a1, a2, b].map((peer) => peer?.kill()));
});

/** Every file under the memory's directory, with its text. */
function files(): Array<{ path: string; text: string }> {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, "utf8") }));
}

test("processes given one engine address see each other's facts; a process of another address sees none of them", async () => {
  await a1.call("memory", "remember", "test", "from-a1", 1);
  await a2.call("memory", "remember", "test", "from-a2", 2);
  await b.call("memory", "remember", "test", "from-b", 3);
  expect(await a1.keys("test")).toEqual(["from-a1", "from-a2"]);
  expect(await a2.keys("test")).toEqual(["from-a2", "from-a1"]);
  expect(await b.keys("test")).toEqual(["from-b"]);
  expect(await a1.call("memory", "digest", "text")).toBe(await a2.call("memory", "digest", "text"));
  expect(await a1.call("memory", "digest", "text")).not.toBe(await b.call("memory", "digest", "text"));
  // Directories 0700, one file per process 0600, named by its pid.
  const deployments = readdirSync(root);
  expect(deployments).toHaveLength(2);
  for (const dir of deployments) expect(statSync(join(root, dir)).mode & 0o777).toBe(0o700);
  for (const { path } of files()) expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(files().map(({ path }) => path.split("/").pop())).toEqual(
    expect.arrayContaining([a1, a2, b].map((peer) => `${peer.child.pid}.json`)),
  );
});

test("a secret setting crosses as a digest: a conflict is seen, the value is not, and no file holds it", async () => {
  const url = [["webhooks.url", WEBHOOK]];
  expect(await a1.call("settings", "ownConflicts", CLIENT, "hooks", url)).toEqual([]);
  // The process that set it can hand it back; a peer knows only that another value is set.
  expect(await a1.call("settings", "declaredValue", CLIENT, "", "webhooks.url", "https://x.example.com")).toEqual({
    value: WEBHOOK,
  });
  expect(await a2.call("settings", "declaredValue", CLIENT, "", "webhooks.url", "https://x.example.com")).toEqual({
    withheld: true,
  });
  expect(await a2.call("settings", "declaredValue", CLIENT, "", "webhooks.url", WEBHOOK)).toBeNull();
  // Another URL by a resource of another process is a conflict; the same URL is not.
  expect(
    await a2.call("settings", "ownConflicts", CLIENT, "other", [["webhooks.url", "https://hooks.example.com/other"]]),
  ).toEqual([{ path: "webhooks.url", other: "hooks" }]);
  expect(await a2.call("settings", "ownConflicts", CLIENT, "same", url)).toEqual([]);
  expect(
    await b.call("settings", "ownConflicts", CLIENT, "elsewhere", [["webhooks.url", "https://x.example.com"]]),
  ).toEqual([]);
  const text = files()
    .map((file) => file.text)
    .join("\n");
  expect(text).toContain("webhooks.url");
  for (const form of [
    WEBHOOK_SECRET,
    JSON.stringify(WEBHOOK_SECRET).slice(1, -1),
    encodeURIComponent(WEBHOOK_SECRET),
    Buffer.from(WEBHOOK_SECRET).toString("base64").slice(0, 20),
    Buffer.from(WEBHOOK_SECRET).toString("base64url").slice(0, 20),
    "hooks.example.com/wa",
  ]) {
    expect(text).not.toContain(form);
  }
});

test("the file of a process that is gone is ignored and removed; a killed peer's facts go with it", async () => {
  const dir = join(
    root,
    readdirSync(root).find((name) => readdirSync(join(root, name)).includes(`${a1.child.pid}.json`)) as string,
  );
  const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
  const ghost = join(dir, `${gone}.json`);
  writeFileSync(ghost, JSON.stringify({ pid: gone, facts: { test: { "from-ghost": 4 } } }), { mode: 0o600 });
  expect(await a1.keys("test")).toEqual(["from-a1", "from-a2"]);
  expect(readdirSync(dir)).not.toContain(`${gone}.json`);
  await a2.kill();
  expect(await a1.keys("test")).toEqual(["from-a1"]);
  expect(readdirSync(dir)).toEqual([`${a1.child.pid}.json`]);
});
