/**
 * `npm run engine -- <preview|up|refresh|destroy> <program dir> [--stack dev] [--config k=v]...
 * [--secret k=v]... [--state file]`: a Pulumi program rehearsed without the Pulumi CLI.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Command, type EngineOptions, runEngine } from "./deployment";
import { diagnosticLine, stepLines, summaryLines } from "./summary";

const USAGE = `Usage: npm run engine -- <preview|up|refresh|destroy> <program dir> [options]

Runs a Pulumi program with Pulumi's own program runner and dynamic-provider host, and this
repository's engine stand-in between them (no Pulumi CLI needed).

  --stack NAME        the stack (default dev); its config is read from Pulumi.<stack>.yaml
  --config KEY=VALUE  stack config, repeatable (KEY without a namespace is the project's)
  --secret KEY=VALUE  secret stack config, repeatable
  --state FILE        the checkpoint (default <program dir>/.pulumi-state/<stack>.json)
  --help              show this text

up:
  --replace URN       replace this resource whatever its diff says, repeatable
  --target URN        create, update or delete only this resource, repeatable
  --refresh           refresh the state first
refresh (after a run was killed during a create):
  --clear-pending-creates       drop the pending creates from the state
  --import-pending-creates URN --import-pending-creates ID
                                the create made ID: read it into the state, repeatable in pairs`;

/** The flags of `pulumi up` and `pulumi refresh` that steer a deployment. */
const STEERING = {
  replace: { type: "string", multiple: true },
  target: { type: "string", multiple: true },
  refresh: { type: "boolean", default: false },
  "clear-pending-creates": { type: "boolean", default: false },
  "import-pending-creates": { type: "string", multiple: true },
} as const;

function steering(values: {
  replace?: string[] | undefined;
  target?: string[] | undefined;
  refresh?: boolean | undefined;
  "clear-pending-creates"?: boolean | undefined;
  "import-pending-creates"?: string[] | undefined;
}): Pick<EngineOptions, "replace" | "target" | "refresh" | "clearPendingCreates" | "importPendingCreates"> {
  const pairs = values["import-pending-creates"] ?? [];
  // As Pulumi's refresh.go: a flat list of URN, ID, URN, ID...
  if (pairs.length % 2 !== 0) throw new Error("each URN must be followed by an ID: found an odd number of entries");
  const imports: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) imports[pairs[i] as string] = pairs[i + 1] as string;
  return {
    replace: values.replace ?? [],
    target: values.target ?? [],
    refresh: values.refresh ?? false,
    clearPendingCreates: values["clear-pending-creates"] ?? false,
    importPendingCreates: imports,
  };
}

const COMMANDS = new Set<Command>(["preview", "up", "refresh", "destroy"]);

function pairs(list: string[] | undefined, flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of list ?? []) {
    const at = item.indexOf("=");
    if (at <= 0) throw new Error(`${flag} takes KEY=VALUE, got '${item}'`);
    result[item.slice(0, at)] = item.slice(at + 1);
  }
  return result;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stack: { type: "string", default: "dev" },
      config: { type: "string", multiple: true },
      secret: { type: "string", multiple: true },
      state: { type: "string" },
      help: { type: "boolean", default: false },
      ...STEERING,
    },
  });
  const [command, dir] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!command || !COMMANDS.has(command as Command) || !dir) {
    console.error(USAGE);
    return 2;
  }
  const title = { preview: "Previewing update", up: "Updating", refresh: "Refreshing", destroy: "Destroying" };
  console.log(`${title[command as Command]} (${values.stack}):`);
  // Paths are the user's, relative to where they ran `npm run` (npm itself moves to the package root).
  const from = process.env.INIT_CWD ?? process.cwd();
  const result = await runEngine(command as Command, {
    dir: resolve(from, dir),
    stack: values.stack,
    ...(values.state ? { stateFile: resolve(from, values.state) } : {}),
    config: pairs(values.config, "--config"),
    secrets: pairs(values.secret, "--secret"),
    ...steering(values),
    onStep: (step) => {
      for (const line of stepLines(step)) console.log(line);
    },
    onDiagnostic: (diagnostic) => {
      if (diagnostic.severity !== "debug") console.log(diagnosticLine(diagnostic));
    },
  });
  console.log("");
  for (const line of summaryLines(result)) console.log(line);
  return result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
