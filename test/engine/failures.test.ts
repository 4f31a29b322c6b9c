/**
 * The engine's rules when a deployment fails or is killed, each through a whole program run (the
 * recorder provider of `recorder-program.ts`). Each title names the Pulumi rule; the source file
 * it models is named beside it and in `test/engine/README.md`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT } from "../support/packed";
import { type Command, type EngineOptions, type EngineResult, runEngine } from "./deployment";
import { runInProcess } from "./kill";
import { afterUp, preparedProgram, type RecorderProgram, recorderProgram } from "./recorder-program";
import { summaryLines } from "./summary";

const URN = (name: string) => `urn:pulumi:dev::rules::pulumi-nodejs:dynamic/test:Thing::${name}`;

async function run(program: RecorderProgram, command: Command, options: Partial<EngineOptions> = {}) {
  return runEngine(command, { dir: program.dir, ...options });
}

function ops(result: EngineResult): string[] {
  return result.steps.filter((s) => s.type !== "pulumi:pulumi:Stack").map((s) => `${s.op} ${s.name}`);
}

function stateOf(result: EngineResult, name: string) {
  return result.checkpoint.resources.find((r) => r.name === name);
}

function stateFile(program: RecorderProgram): string {
  return join(program.dir, ".pulumi-state", "dev.json");
}

/** The checkpoint as it is on disk now (it must always parse: writes are atomic). */
function onDisk(program: RecorderProgram) {
  return JSON.parse(readFileSync(stateFile(program), "utf8")) as {
    resources: Array<{ name: string; id: string; delete?: boolean }>;
    pendingOperations: Array<{ type: string; resource: { urn: string } }>;
  };
}

async function until<T>(what: string, probe: () => T | undefined, ms = 180_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The pid of the provider host holding `label`'s call (the recorder logs it), without consuming the log. */
function holdingPid(program: RecorderProgram, label: string): number | undefined {
  const log = join(program.dir, "calls.log");
  if (!existsSync(log)) return undefined;
  const line = readFileSync(log, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`holding ${label} `));
  return line ? Number(line.split(" ")[2]) : undefined;
}

/** `npm run engine -- <args>` as a process of its own (the built CLI), with its output. */
function cli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [join(ROOT, "dist/test/engine/cli.js"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const done = new Promise<{ code: number | null; out: string }>((resolve) => {
    child.once("close", (code) => resolve({ code, out }));
  });
  return { child, done };
}

/**
 * `up` of `a` then `b` in a CLI process, SIGKILLed (with its provider host, both by PID) while
 * the provider is creating `b`: the create has reached the provider, its answer never the engine.
 */
async function killedDuringCreate(program: RecorderProgram): Promise<void> {
  const hold = join(program.dir, "hold");
  writeFileSync(hold, "");
  program.world({ "hold:create:b": hold });
  const up = cli(["up", program.dir]);
  const hostPid = await until("the create of b", () => holdingPid(program, "b"));
  process.kill(up.child.pid as number, "SIGKILL");
  process.kill(hostPid, "SIGKILL");
  await up.done;
  rmSync(hold);
  program.world({});
}

// Generous bounds: on a loaded machine each engine run can take a minute; unloaded, a test takes seconds to tens.
describe.concurrent("failures", { timeout: 420_000 }, () => {
  /** `a` created (each test gets a copy, state included). */
  const created = afterUp(`new Thing("a", { value: 1 });`);
  /** `a`, then `b` that depends on it, in an up killed while the provider creates `b`. */
  const killed = preparedProgram(async (p) => {
    p.declare(`const a = new Thing("a", { value: 1 });\nnew Thing("b", { value: 1 }, { dependsOn: [a] });`);
    await killedDuringCreate(p);
  });

  test("ErrorResourceInitFailed: a create that made the resource and then failed keeps it in state with its init errors, and the next up updates it without a diff (step_generator.go, hasInitErrors)", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 });`);
    p.world({ "fail:create:a": "partial" });
    const first = await run(p, "up");
    expect(first.ok).toBe(false);
    expect(stateOf(first, "a")).toMatchObject({ id: "a-id", initErrors: ["create of a half done"] });
    expect(stateOf(first, "a")?.outputs.value).toBe(1);
    expect(p.calls()).toEqual(["create a v1"]);
    const second = await run(p, "up");
    expect(second.ok).toBe(true);
    expect(ops(second)).toEqual(["update a"]);
    expect(p.calls()).toEqual(["update a v1"]);
    expect(stateOf(second, "a")?.initErrors).toBeUndefined();
    expect(ops(await run(p, "up"))).toEqual(["same a"]);
  });

  test("a partly-failed update keeps the old inputs with the new outputs and its init errors (pkg/engine/update.go, OnResourceStepPost)", async () => {
    const p = created();
    p.declare(`new Thing("a", { value: 2 });`);
    p.world({ "fail:update:a": "partial" });
    const failed = await run(p, "up");
    expect(failed.ok).toBe(false);
    expect(stateOf(failed, "a")).toMatchObject({ initErrors: ["update of a half done"] });
    expect(stateOf(failed, "a")?.inputs.value).toBe(1);
    expect(stateOf(failed, "a")?.outputs.value).toBe(2);
    p.calls();
    expect(ops(await run(p, "up"))).toEqual(["update a"]);
    expect(p.calls()).toEqual(["update a v1"]);
  });

  test("the summary counts what happened: a failed up reports what was created and what errored, not what was planned (pkg/backend/display/diff.go)", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 });\nnew Thing("b", { value: 1 });`);
    p.world({ "fail:create:b": "plain" });
    const up = await run(p, "up");
    expect(up.ok).toBe(false);
    expect(stateOf(up, "b")).toBeUndefined();
    const resources = summaryLines(up).slice(summaryLines(up).indexOf("Resources:"));
    expect(resources.slice(0, 3)).toEqual(["Resources:", "    + 1 created", "    1 errored"]);
    const again = await run(p, "up");
    expect(summaryLines(again)).toContain("    + 1 created");
    expect(summaryLines(again)).toContain("    1 unchanged");
    const preview = await run(p, "preview");
    expect(summaryLines(preview)).toContain("    2 unchanged");
  });

  test("un-protecting and replacing in one up works: Pulumi refuses a replacement only when both the old and the new registration are protected (step_generator.go)", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1, key: "k1" }, { protect: true });`);
    await run(p, "up");
    p.calls();
    p.declare(`new Thing("a", { value: 1, key: "k2" });`);
    const up = await run(p, "up");
    expect(up.ok).toBe(true);
    expect(ops(up)).toEqual(["replace a"]);
    expect(p.calls()).toEqual(["create a v1", "delete a v1"]);
  });

  test("the checkpoint is written after every step, each create's pending operation before its provider call (pkg/backend/snapshot.go)", async () => {
    const p = recorderProgram();
    p.declare(`const a = new Thing("a", { value: 1 });\nnew Thing("b", { value: 1 }, { dependsOn: [a] });`);
    const hold = join(p.dir, "hold");
    writeFileSync(hold, "");
    p.world({ "hold:create:b": hold });
    const up = run(p, "up");
    await until("the create of b", () => holdingPid(p, "b"));
    const during = onDisk(p);
    expect(during.resources.map((r) => r.name)).toEqual(["rules-dev", "a"]);
    expect(during.pendingOperations).toMatchObject([{ type: "creating", resource: { urn: URN("b") } }]);
    rmSync(hold);
    const result = await up;
    expect(result.ok).toBe(true);
    expect(onDisk(p).pendingOperations).toEqual([]);
    expect(onDisk(p).resources.map((r) => r.name)).toEqual(["rules-dev", "a", "b"]);
  });

  test("killed during a create: the checkpoint is whole and names it; the next up prints Pulumi's warning, creates again and keeps the pending create until refresh --clear-pending-creates (deployment_executor.go, snapshot.go, refresh.go)", async () => {
    const p = killed();
    expect(onDisk(p).resources.map((r) => r.name)).toEqual(["rules-dev", "a"]);
    expect(onDisk(p).pendingOperations).toMatchObject([{ type: "creating", resource: { urn: URN("b") } }]);
    p.calls();
    const up = await cli(["up", p.dir]).done;
    expect(up.code).toBe(0);
    expect(up.out).toContain(
      "warning: Attempting to deploy or update resources with 1 pending operations from previous deployment.",
    );
    expect(up.out).toContain(`  * ${URN("b")}, interrupted while creating`);
    // The pending create is not in state: Pulumi creates it again and keeps the operation.
    expect(p.calls()).toEqual(["create b v1"]);
    expect(onDisk(p).pendingOperations).toHaveLength(1);
    const refresh = await cli(["refresh", p.dir, "--clear-pending-creates"]).done;
    expect(refresh.code).toBe(0);
    expect(onDisk(p).pendingOperations).toEqual([]);
    const quiet = await cli(["up", p.dir]).done;
    expect(quiet.out).not.toContain("pending operations");
  });

  test("killed during a create: refresh --import-pending-creates URN ID reads the resource the create made into state, and the next up creates nothing (refresh.go)", async () => {
    const p = killed();
    p.calls();
    const odd = await cli(["refresh", p.dir, "--import-pending-creates", URN("b")]).done;
    // A bad command line, as every usage error of `npm run engine`: exit code 2.
    expect(odd.code).toBe(2);
    expect(odd.out).toContain("each URN must be followed by an ID");
    const refresh = await cli([
      "refresh",
      p.dir,
      "--import-pending-creates",
      URN("b"),
      "--import-pending-creates",
      "b-id",
    ]).done;
    expect(refresh.code).toBe(0);
    expect(onDisk(p).pendingOperations).toEqual([]);
    expect(onDisk(p).resources.find((r) => r.name === "b")?.id).toBe("b-id");
    const up = await run(p, "up");
    expect(ops(up)).toEqual(["same a", "same b"]);
    expect(p.calls(/^(create|update|delete) /)).toEqual([]);
  });

  test("killed right after a create-before-delete replacement's create: that checkpoint already marks the original for deletion (step.go, CreateStep.Apply), and the next up deletes it though its URN registers again (step_generator.go, GenerateDeletes)", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1, key: "k1" });`);
    await run(p, "up");
    p.declare(`new Thing("a", { value: 1, key: "k2" });`);
    p.calls();
    const killed = await runInProcess({ command: "up", options: { dir: p.dir }, killAt: "end creating a" });
    expect(killed.killed).toBe(true);
    expect(p.calls()).toEqual(["create a v1"]);
    expect(
      onDisk(p)
        .resources.filter((r) => r.name === "a")
        .map((r) => r.delete ?? false),
    ).toEqual([false, true]);
    const up = await run(p, "up");
    expect(up.ok).toBe(true);
    expect(p.calls()).toEqual(["delete a v1"]);
    expect(
      onDisk(p)
        .resources.filter((r) => r.name === "a")
        .map((r) => r.delete ?? false),
    ).toEqual([false]);
  });

  test("up --replace URN replaces a resource without a diff; up --target URN changes only that one (step_generator.go, isTargetedReplace, isTargetedForUpdate)", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 });\nnew Thing("b", { value: 1 });`);
    await run(p, "up");
    p.calls();
    const replaced = await run(p, "up", { replace: [URN("a")] });
    expect(ops(replaced)).toEqual(["replace a", "same b"]);
    expect(replaced.steps.find((s) => s.name === "a")?.replaceKeys).toEqual(["id"]);
    expect(p.calls()).toEqual(["create a v1", "delete a v1"]);
    p.declare(`new Thing("a", { value: 2 });\nnew Thing("c", { value: 2 });`);
    const targeted = await run(p, "up", { target: [URN("a")] });
    expect(ops(targeted).sort()).toEqual(["same c", "update a"]);
    expect(p.calls()).toEqual(["update a v1"]);
    // b is no longer declared but not targeted: it stays; c is not targeted: not created.
    expect(targeted.checkpoint.resources.map((r) => r.name)).toEqual(["rules-dev", "a", "b"]);
  });

  test("up --target URN of a resource that depends on a new one outside the targets fails before anything is sent; a preview reports it (step_generator.go, skippedCreates, validateSteps)", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("b", { value: 1 });`);
    await run(p, "up");
    p.calls();
    p.declare(`const a = new Thing("a", { value: 1 });\nnew Thing("b", { value: a.id });`);
    const preview = await run(p, "preview", { target: [URN("b")] });
    expect(preview.ok).toBe(false);
    const up = await run(p, "up", { target: [URN("b")] });
    expect(up.ok).toBe(false);
    const said = up.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    expect(said).toContain(
      `Resource '${URN("b")}' depends on '${URN("a")}' which was was not specified in --target list.`,
    );
    expect(p.calls()).toEqual([]);
    expect(up.checkpoint.resources.map((r) => r.name)).toEqual(["rules-dev", "b"]);
  });

  test("up --refresh reads every resource first and updates from what it found (deployment_executor.go)", async () => {
    const p = created();
    p.world({ "a-id": { value: 7 } });
    const up = await run(p, "up", { refresh: true });
    expect(ops(up)).toEqual(["refresh a", "update a"]);
    expect(p.calls()).toEqual(["read a v1", "update a v1"]);
  });

  test("Resource.get reads with the program's properties as inputs and state, keeps the resource as external, and forgets it without a delete (step.go, ReadStep)", async () => {
    const p = recorderProgram();
    p.world({ "x-id": { value: 9 } });
    p.declare(`const x = new Thing("x", { value: undefined }, { id: "x-id" });\nnew Thing("b", { value: x.value });`);
    const up = await run(p, "up");
    expect(up.ok).toBe(true);
    expect(ops(up)).toEqual(["read x", "create b"]);
    expect(p.calls()).toEqual(["read x v1", "create b v1"]);
    expect(stateOf(up, "x")).toMatchObject({ id: "x-id", external: true });
    expect(stateOf(up, "b")?.outputs.value).toBe(9);
    p.declare(`new Thing("b", { value: 9 });`);
    const later = await run(p, "up");
    expect(ops(later)).toEqual(["same b"]);
    expect(p.calls()).toEqual([]);
    expect(stateOf(later, "x")).toBeUndefined();
  });

  test("the import option fails with a dynamic provider, as under Pulumi: its host finds no provider code in an import's read (step.go, ImportStep; pulumi/pulumi#3550)", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 }, { import: "a-id" });`);
    const up = await run(p, "up");
    expect(up.ok).toBe(false);
    expect(ops(up)).toEqual(["import a"]);
    expect(p.calls()).toEqual([]);
    expect(stateOf(up, "a")).toBeUndefined();
    expect(up.counts).toEqual({ done: {}, errored: 1 });
  });
});
