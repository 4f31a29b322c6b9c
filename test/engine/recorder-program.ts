/**
 * A tiny JavaScript Pulumi program for testing the engine's rules apart from our provider: a
 * dynamic provider `Thing` that appends every call it receives to a log file, and reads its
 * "live" values from a world file (for refresh). Each test writes the program body it needs.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll } from "vitest";
import { programCopy } from "../support/packed";
import { type ExampleCopy, programAt, programOf } from "../support/program-dir";
import { runEngine } from "./deployment";
import { UNKNOWN } from "./property-values";

const PROJECT = `name: rules
runtime:
  name: nodejs
  options:
    typescript: false
`;

/**
 * The provider; `VERSION` shows which provider code ran a call (state's `__provider` or the
 * program's). The log and the world file are found in the working directory, the program
 * directory the engine starts the provider host in, so a copy of the directory (its state and the
 * provider code in it included) logs to its own.
 */
function header(version: string): string {
  return `
const pulumi = require("@pulumi/pulumi");
const LOG = () => require("path").join(process.cwd(), "calls.log");
const WORLD = () => require("path").join(process.cwd(), "world.json");
const VERSION = ${JSON.stringify(version)};
const UNKNOWN = ${JSON.stringify(UNKNOWN)};
// What the world file asks of a create or update: "fail:<op>:<label>" fails it once ("partial":
// the thing was made, reported with id and properties; "plain": nothing was made);
// "hold:<op>:<label>" names a file the call waits on (logging "holding <label> <pid>" first).
async function trouble(op, label, id, props) {
  const fs = require("fs");
  const world = fs.existsSync(WORLD()) ? JSON.parse(fs.readFileSync(WORLD(), "utf8")) : {};
  const hold = world["hold:" + op + ":" + label];
  if (hold) {
    fs.appendFileSync(LOG(), "holding " + label + " " + process.pid + "\\n");
    while (fs.existsSync(hold)) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const plan = world["fail:" + op + ":" + label];
  if (!plan) return;
  delete world["fail:" + op + ":" + label];
  fs.writeFileSync(WORLD(), JSON.stringify(world));
  const message = op + " of " + label + (plan === "partial" ? " half done" : " failed");
  if (plan === "partial") throw Object.assign(new Error(message), { id, properties: props, reasons: [message] });
  throw new Error(message);
}
const provider = {
  async check(olds, news) {
    const fs = require("fs");
    const seen = Object.keys(news).filter((k) => news[k] === UNKNOWN).sort();
    fs.appendFileSync(LOG(), ["check", news.label, VERSION, seen.length ? "unknown:" + seen.join(",") : "", typeof news.token === "string" && news.token.length ? "token:plain" : ""].filter(Boolean).join(" ") + "\\n");
    if (news.fail) return { inputs: news, failures: [{ property: "fail", reason: "this thing always fails its check" }] };
    return { inputs: news };
  },
  async diff(id, olds, news) {
    const replaces = olds.key !== news.key ? ["key"] : [];
    const changes = olds.value !== news.value || olds.key !== news.key || olds.token !== news.token;
    return { changes, replaces, deleteBeforeReplace: !!news.dbr };
  },
  async create(inputs) {
    require("fs").appendFileSync(LOG(), "create " + inputs.label + " " + VERSION + "\\n");
    await trouble("create", inputs.label, inputs.label + "-id", { ...inputs, secretOut: "out-" + inputs.label });
    return { id: inputs.label + "-id", outs: { ...inputs, secretOut: "out-" + inputs.label } };
  },
  async update(id, olds, news) {
    require("fs").appendFileSync(LOG(), "update " + news.label + " " + VERSION + "\\n");
    await trouble("update", news.label, id, { ...news, secretOut: "out-" + news.label });
    return { outs: { ...news, secretOut: "out-" + news.label } };
  },
  async delete(id, props) {
    require("fs").appendFileSync(LOG(), "delete " + props.label + " " + VERSION + "\\n");
    await trouble("delete", props.label, id, props);
  },
  async read(id, props) {
    const fs = require("fs");
    fs.appendFileSync(LOG(), "read " + props.label + " " + VERSION + "\\n");
    const world = fs.existsSync(WORLD()) ? JSON.parse(fs.readFileSync(WORLD(), "utf8")) : {};
    if (world[id] === null) return {};
    return { id, props: { ...props, ...(world[id] || {}) } };
  },
};
class Thing extends pulumi.dynamic.Resource {
  constructor(name, args, opts) {
    super(provider, name, { label: name, secretOut: undefined, ...args }, opts, "test", "Thing");
  }
}
`;
}

export interface RecorderProgram extends ExampleCopy {
  /** Replaces the program's body (the resource declarations); `version` tags the provider code. */
  declare(body: string, version?: string): void;
  /** The provider calls so far, then forgets them. */
  calls(filter?: RegExp): string[];
  /**
   * Sets what `read` finds for a resource id (`null`: gone), and the trouble a call meets:
   * `"fail:create:a": "partial" | "plain"`, `"hold:create:a": <file the call waits on>`.
   */
  world(live: Record<string, Record<string, unknown> | string | null>): void;
}

/** A new recorder program, or a copy of `from` (its files, state and logs) as a program of its own. */
export function recorderProgram(from?: RecorderProgram): RecorderProgram {
  const copy = from ? programAt(programCopy(from.dir)) : programOf({ "Pulumi.yaml": PROJECT });
  const log = join(copy.dir, "calls.log");
  const world = join(copy.dir, "world.json");
  return {
    ...copy,
    declare(body, version = "v1") {
      copy.write("index.js", `${header(version)}\n${body}\n`);
    },
    calls(filter = /^(create|update|delete|read) /) {
      if (!existsSync(log)) return [];
      const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
      writeFileSync(log, "");
      return lines.filter((line) => filter.test(line));
    },
    world(live) {
      writeFileSync(world, JSON.stringify(live));
    },
  };
}

/**
 * A program several tests start from, made once by `prepare` before the tests of the enclosing
 * file or describe (an `up` of the same program costs a program run and a provider host each
 * time). Each call of the returned function gives a test a copy of its own, state included.
 */
export function preparedProgram(prepare: (program: RecorderProgram) => Promise<void>): () => RecorderProgram {
  let made: RecorderProgram | undefined;
  beforeAll(async () => {
    const program = recorderProgram();
    await prepare(program);
    made = program;
  }, 180_000);
  return () => {
    if (!made) throw new Error("a prepared program is used before its beforeAll ran");
    return recorderProgram(made);
  };
}

/** A program after one `up` of `body`, the calls it made forgotten. */
export function afterUp(body: string): () => RecorderProgram {
  return preparedProgram(async (program) => {
    program.declare(body);
    const up = await runEngine("up", { dir: program.dir });
    if (!up.ok) throw new Error(`the prepared up failed: ${up.diagnostics.map((d) => d.message).join("\n")}`);
    program.calls();
  });
}
