/**
 * The engine's rules, each through a whole program run: Pulumi's program runner registers the
 * resources, Pulumi's dynamic-provider host runs the recorder provider, our engine decides. Each
 * title names the Pulumi rule it models (step_generator.go and the resource-option docs).
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { type Command, type EngineResult, runEngine } from "./deployment";
import { isSecret } from "./property-values";
import { afterUp, type RecorderProgram, recorderProgram } from "./recorder-program";

async function run(program: RecorderProgram, command: Command): Promise<EngineResult> {
  return runEngine(command, { dir: program.dir });
}

function ops(result: EngineResult): string[] {
  return result.steps.filter((s) => s.type !== "pulumi:pulumi:Stack").map((s) => `${s.op} ${s.name}`);
}

function errors(result: EngineResult): string {
  return result.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => d.message)
    .join("\n");
}

function stateOf(result: EngineResult, name: string) {
  return result.checkpoint.resources.find((r) => r.name === name);
}

// Each test has its own program and state, so they run side by side.
describe.concurrent("step rules", { timeout: 180_000 }, () => {
  /** Where the replacement tests start: `a` created with key k1 (each gets a copy, state included). */
  const keyed = afterUp(`new Thing("a", { value: 1, key: "k1" });`);

  test("check → diff → same: an unchanged registration makes no provider write", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 });`);
    expect(ops(await run(p, "up"))).toEqual(["create a"]);
    expect(p.calls()).toEqual(["create a v1"]);
    const again = await run(p, "up");
    expect(ops(again)).toEqual(["same a"]);
    expect(p.calls()).toEqual([]);
  });

  test("a diff with changes and no replacement is an update, showing the changed property", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 });`);
    await run(p, "up");
    p.calls();
    p.declare(`new Thing("a", { value: 2 });`);
    const preview = await run(p, "preview");
    expect(preview.steps.find((s) => s.name === "a")?.changes).toEqual([
      { kind: "~", path: "value", before: 1, after: 2, secret: false },
    ]);
    expect(p.calls()).toEqual([]);
    const up = await run(p, "up");
    expect(ops(up)).toEqual(["update a"]);
    expect(p.calls()).toEqual(["update a v1"]);
    expect(stateOf(up, "a")?.outputs.value).toBe(2);
  });

  test("a replacement is create-before-delete by default: the new one is created, the old deleted after the program", async () => {
    const p = keyed();
    p.declare(`new Thing("a", { value: 1, key: "k2" });`);
    const up = await run(p, "up");
    expect(up.steps.find((s) => s.name === "a")).toMatchObject({
      op: "replace",
      replaceKeys: ["key"],
      deleteBeforeReplace: false,
    });
    expect(p.calls()).toEqual(["create a v1", "delete a v1"]);
    expect(up.checkpoint.resources.filter((r) => r.name === "a")).toHaveLength(1);
  });

  test.each([
    ["the provider's diff asks for deleteBeforeReplace", `new Thing("a", { value: 1, key: "k2", dbr: true });`],
    [
      "the deleteBeforeReplace resource option",
      `new Thing("a", { value: 1, key: "k2" }, { deleteBeforeReplace: true });`,
    ],
  ])("delete-before-replace when %s: the old one goes first", async (_, body) => {
    const p = keyed();
    p.declare(body);
    const up = await run(p, "up");
    expect(up.steps.find((s) => s.name === "a")).toMatchObject({ op: "replace", deleteBeforeReplace: true });
    expect(p.calls()).toEqual(["delete a v1", "create a v1"]);
  });

  test("calculateDependentReplacements (step_generator.go): a delete-before-replace also replaces, deleting them first, the dependants whose diff with its outputs unknown asks for a replacement", async () => {
    const p = recorderProgram();
    const body = (aOptions: string) =>
      [
        `const a = new Thing("a", { value: 1, key: "k1" }${aOptions});`,
        // b's key comes from a: with a's id unknown its diff asks for a replacement.
        `const b = new Thing("b", { value: 1, key: a.id });`,
        // c's value comes from a: an update at most, so c stays.
        `new Thing("c", { value: a.id, key: "kc" });`,
        // d only depends on a (no property of it): never condemned.
        `new Thing("d", { value: 1, key: "kd" }, { dependsOn: [a] });`,
        // e's key comes from b, which is condemned: condemned too.
        `new Thing("e", { value: 1, key: b.id });`,
      ].join("\n");
    p.declare(body(""));
    expect((await run(p, "up")).ok).toBe(true);
    p.calls();
    p.declare(body(`, { deleteBeforeReplace: true }`).replace(`key: "k1"`, `key: "k2"`));
    const preview = await run(p, "preview");
    expect(preview.steps.filter((s) => ["b", "e"].includes(s.name)).map((s) => s.op)).toEqual(["replace", "replace"]);
    expect(p.calls()).toEqual([]);
    const up = await run(p, "up");
    expect(up.ok).toBe(true);
    expect(ops(up).sort()).toEqual(["replace a", "replace b", "replace e", "same c", "same d"]);
    expect(up.steps.find((s) => s.name === "b")).toMatchObject({ replaceKeys: ["key"], deleteBeforeReplace: true });
    // Dependants go first, in reverse dependency order; each is created again as it registers.
    expect(p.calls()).toEqual([
      "delete e v1",
      "delete b v1",
      "delete a v1",
      "create a v1",
      "create b v1",
      "create e v1",
    ]);
    expect(up.checkpoint.resources.map((r) => r.name).sort()).toEqual(["a", "b", "c", "d", "e", "rules-dev"]);
    expect(stateOf(up, "b")?.propertyDependencies?.key).toEqual([stateOf(up, "a")?.urn]);
  });

  test("calculateDependentReplacements (step_generator.go): a protected dependant it would have to replace stops the delete-before-replace before anything is deleted", async () => {
    const p = recorderProgram();
    p.declare(
      `const a = new Thing("a", { value: 1, key: "k1" });\nnew Thing("b", { value: 1, key: a.id }, { protect: true });`,
    );
    await run(p, "up");
    p.calls();
    p.declare(
      `const a = new Thing("a", { value: 1, key: "k2" }, { deleteBeforeReplace: true });\nnew Thing("b", { value: 1, key: a.id }, { protect: true });`,
    );
    const up = await run(p, "up");
    expect(up.ok).toBe(false);
    expect(errors(up)).toContain(`as part of replacing "${stateOf(up, "a")?.urn}"`);
    expect(errors(up)).toContain("currently marked for protection");
    expect(p.calls()).toEqual([]);
    expect(up.checkpoint.resources.map((r) => r.name).sort()).toEqual(["a", "b", "rules-dev"]);
  });

  test("replaceOnChanges turns an update of a listed property into a replacement", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 }, { replaceOnChanges: ["value"] });`);
    await run(p, "up");
    p.calls();
    p.declare(`new Thing("a", { value: 2 }, { replaceOnChanges: ["value"] });`);
    const up = await run(p, "up");
    expect(up.steps.find((s) => s.name === "a")).toMatchObject({ op: "replace", replaceKeys: ["value"] });
    expect(p.calls()).toEqual(["create a v1", "delete a v1"]);
  });

  test("ignoreChanges keeps the old input before check, so the change is no step at all", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 }, { ignoreChanges: ["value"] });`);
    await run(p, "up");
    p.calls();
    p.declare(`new Thing("a", { value: 2 }, { ignoreChanges: ["value"] });`);
    const up = await run(p, "up");
    expect(ops(up)).toEqual(["same a"]);
    expect(p.calls()).toEqual([]);
    expect(stateOf(up, "a")?.inputs.value).toBe(1);
  });

  test("a resource no longer declared is deleted after the program, dependants first, with the provider code stored in state", async () => {
    const p = recorderProgram();
    p.declare(
      `const a = new Thing("a", { value: 1 });\nnew Thing("b", { value: 1 }, { dependsOn: [a] });\nnew Thing("c", {});`,
    );
    await run(p, "up");
    p.calls();
    // The program's provider code changes too: the deletes must still run the code in state (v1).
    p.declare(`new Thing("c", {});`, "v2");
    const up = await run(p, "up");
    expect(ops(up)).toEqual(["same c", "delete b", "delete a"]);
    expect(p.calls()).toEqual(["delete b v1", "delete a v1"]);
    expect(up.checkpoint.resources.map((r) => r.name)).toEqual(["rules-dev", "c"]);
  });

  test("retainOnDelete: a removed resource leaves state without a provider delete", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 }, { retainOnDelete: true });`);
    await run(p, "up");
    p.calls();
    p.declare("");
    const up = await run(p, "up");
    expect(up.steps.find((s) => s.name === "a")).toMatchObject({ op: "delete", retained: true });
    expect(p.calls()).toEqual([]);
    expect(stateOf(up, "a")).toBeUndefined();
  });

  test("protect: deleting or replacing a protected resource fails and keeps it in state", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1, key: "k1" }, { protect: true });`);
    await run(p, "up");
    p.calls();
    p.declare(`new Thing("a", { value: 1, key: "k2" }, { protect: true });`);
    const replace = await run(p, "up");
    expect(replace.ok).toBe(false);
    expect(errors(replace)).toContain("unable to replace resource");
    p.declare("");
    const remove = await run(p, "up");
    expect(remove.ok).toBe(false);
    expect(errors(remove)).toContain("as it is currently marked for protection");
    expect(p.calls()).toEqual([]);
    expect(stateOf(remove, "a")).toBeDefined();
    const destroy = await run(p, "destroy");
    expect(destroy.ok).toBe(false);
    expect(p.calls()).toEqual([]);
  });

  test("secrets are stripped before the provider and put back on outputs by input name and additionalSecretOutputs", async () => {
    const p = recorderProgram();
    p.declare(
      `new Thing("a", { value: 1, token: pulumi.secret("tok-plaintext-1234") }, { additionalSecretOutputs: ["secretOut"] });`,
    );
    const up = await run(p, "up");
    expect(p.calls(/^check/)).toEqual(["check a v1 token:plain"]);
    const a = stateOf(up, "a");
    expect(isSecret(a?.inputs.token)).toBe(true);
    expect(isSecret(a?.outputs.token)).toBe(true);
    expect(isSecret(a?.outputs.secretOut)).toBe(true);
    expect(isSecret(a?.outputs.value)).toBe(false);
    const file = readFileSync(up.stateFile, "utf8");
    expect(file).not.toContain("tok-plaintext-1234");
    expect(file).not.toContain("out-a");
    expect(file).toContain('"ciphertext"');
    // The envelope opens again: the next run sees the same token and makes no change.
    expect(ops(await run(p, "up"))).toEqual(["same a"]);
  });

  test("preview: outputs of a resource not created yet reach its dependants as unknowns", async () => {
    const p = recorderProgram();
    p.declare(`const a = new Thing("a", { value: 1 });\nnew Thing("b", { value: a.secretOut });`);
    const preview = await run(p, "preview");
    expect(ops(preview)).toEqual(["create a", "create b"]);
    expect(p.calls(/^check b/)).toEqual(["check b v1 unknown:value"]);
    await run(p, "up");
    expect(p.calls(/^check b/)).toEqual(["check b v1"]);
  });

  test("aliases carry a renamed resource over; a rename without them is a create and a delete", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { label: "x", value: 1 });`);
    await run(p, "up");
    p.calls();
    p.declare(`new Thing("b", { label: "x", value: 1 }, { aliases: [{ name: "a" }] });`);
    expect(ops(await run(p, "up"))).toEqual(["same b"]);
    expect(p.calls()).toEqual([]);
    p.declare(`new Thing("c", { label: "x", value: 1 });`);
    expect(ops(await run(p, "up"))).toEqual(["create c", "delete b"]);
    expect(p.calls()).toEqual(["create x v1", "delete x v1"]);
  });

  test("refresh reads with the stored inputs and outputs; drift updates outputs, a gone resource leaves state", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 });\nnew Thing("b", { value: 1 });`);
    await run(p, "up");
    p.calls();
    p.world({ "a-id": { value: 5 }, "b-id": null });
    const refresh = await run(p, "refresh");
    expect(p.calls()).toEqual(["read a v1", "read b v1"]);
    expect(refresh.steps.find((s) => s.name === "a")?.changes).toEqual([
      { kind: "~", path: "value", before: 1, after: 5, secret: false },
    ]);
    expect(refresh.steps.find((s) => s.name === "b")).toMatchObject({ gone: true });
    expect(stateOf(refresh, "a")?.outputs.value).toBe(5);
    expect(stateOf(refresh, "b")).toBeUndefined();
    // The program still says 1: the next up puts it back.
    expect(ops(await run(p, "up")).sort()).toEqual(["create b", "update a"]);
  });

  test("destroy deletes everything in reverse dependency order", async () => {
    const p = recorderProgram();
    p.declare(
      `const a = new Thing("a", {});\nconst b = new Thing("b", { value: a.id });\nnew Thing("c", {}, { dependsOn: [b] });`,
    );
    await run(p, "up");
    p.calls();
    const destroy = await run(p, "destroy");
    expect(p.calls()).toEqual(["delete c v1", "delete b v1", "delete a v1"]);
    expect(destroy.checkpoint.resources).toEqual([]);
  });

  test("a check failure stops the deployment with the provider's reason, before anything is created", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("a", { value: 1 });\nnew Thing("bad", { fail: true });`);
    const up = await run(p, "up");
    expect(up.ok).toBe(false);
    expect(errors(up)).toContain(
      "pulumi-nodejs:dynamic/test:Thing resource 'bad' has a problem: fail: this thing always fails its check",
    );
    expect(p.calls(/^create bad/)).toEqual([]);
  });

  test("the step generator takes one registration at a time and stops at a check failure: later ones are never checked", async () => {
    const p = recorderProgram();
    p.declare(`new Thing("bad", { fail: true });\nnew Thing("later", { value: 1 });`);
    const up = await run(p, "up");
    expect(up.ok).toBe(false);
    expect(p.calls(/^check/)).toEqual(["check bad v1"]);
    expect(p.calls(/^create/)).toEqual([]);
  });
});
