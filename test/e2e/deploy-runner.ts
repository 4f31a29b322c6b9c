/**
 * A small stand-in for `pulumi up` / `pulumi destroy` on a whole program: the program runs under
 * Pulumi's mocks, and every resource it registers goes through the real dynamic-provider host
 * (check, diff, create or update) before its outputs flow on to the resources that use them.
 *
 * `preview` runs check and diff only: resources not created yet give unknown outputs, which reach
 * the resources that use them as Pulumi's unknown placeholder, as in `pulumi preview`.
 *
 * `node deploy-runner.js <preview|up|destroy> <program dir> <state file>`; stack config comes from
 * PULUMI_CONFIG as for any Pulumi program, and the provider's from STACK_CONFIG.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { unknown as UNKNOWN_OUTPUT } from "@pulumi/pulumi/output";
import { UNKNOWN } from "../../provider/settings/inputs";
import { isSecret } from "./mocked-program";
import { ProviderHost } from "./provider-host";

type Props = Record<string, unknown>;

/** Inputs as the engine sends them to a provider: secrets unwrapped, unknowns as the placeholder. */
function wire(value: unknown): unknown {
  if (value === UNKNOWN_OUTPUT) return UNKNOWN;
  if (isSecret(value)) return wire(value.value);
  if (Array.isArray(value)) return value.map(wire);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v)]));
  }
  return value;
}

export interface StateEntry {
  urn: string;
  type: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

export interface RunLog {
  operations: Array<{ urn: string; operation: "create" | "update" | "same" | "delete"; failures?: string[] }>;
  state: StateEntry[];
}

async function main(mode: string, dir: string, stateFile: string): Promise<void> {
  const previous: StateEntry[] = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")).state : [];
  const host = await ProviderHost.start(dir, { unref: true });
  await host.configure(JSON.parse(process.env.STACK_CONFIG ?? "{}"));
  const log: RunLog = { operations: [], state: [] };
  const finish = async () => {
    writeFileSync(stateFile, JSON.stringify(log, null, 2));
    await host.close();
  };

  if (mode === "destroy") {
    for (const entry of [...previous].reverse()) {
      await host.delete(entry.urn, entry.id, entry.outputs);
      log.operations.push({ urn: entry.urn, operation: "delete" });
    }
    await finish();
    return;
  }

  const project = process.env.PROJECT ?? "program";
  pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        const urn = `urn:pulumi:dev::${project}::${args.type}::${args.name}`;
        const news = wire(args.inputs) as Props;
        const old = previous.find((entry) => entry.urn === urn);
        const checked = await host.check(urn, old?.inputs ?? {}, news);
        if (checked.failures.length > 0) {
          throw new Error(`${urn}: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
        }
        let entry: StateEntry;
        if (mode === "preview") {
          const diff = old ? await host.diff(urn, old.id, old.outputs, checked.inputs) : undefined;
          const operation = !old ? "create" : diff?.changes === "none" ? "same" : "update";
          log.operations.push({ urn, operation });
          // What is not created yet has no outputs: unknown until `up`.
          return { id: old?.id ?? "", state: old?.outputs ?? {} };
        }
        if (!old) {
          const created = await host.create(urn, checked.inputs);
          entry = { urn, type: args.type, id: created.id, inputs: checked.inputs, outputs: created.properties };
          log.operations.push({ urn, operation: "create" });
        } else {
          const diff = await host.diff(urn, old.id, old.outputs, checked.inputs);
          if (diff.changes === "none") {
            entry = { ...old, inputs: checked.inputs };
            log.operations.push({ urn, operation: "same" });
          } else {
            const updated = await host.update(urn, old.id, old.outputs, checked.inputs);
            entry = { ...old, inputs: checked.inputs, outputs: updated.properties };
            log.operations.push({ urn, operation: "update" });
          }
        }
        log.state.push(entry);
        return { id: entry.id, state: entry.outputs };
      },
      call: () => ({}),
    },
    project,
    "dev",
    mode === "preview",
  );
  let finished = false;
  process.on("beforeExit", () => {
    if (finished) return;
    finished = true;
    void finish();
  });
  require(join(resolve(dir), "index.js"));
}

if (require.main === module) {
  const [mode = "up", dir = ".", stateFile = "state.json"] = process.argv.slice(2);
  main(mode, dir, stateFile).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
