/**
 * `npm run engine -- <preview|up|refresh|destroy> <program dir> [--stack dev] [--config k=v]...
 * [--config-file k=path]... [--secrets-file path|-] [--state file]`: a Pulumi program rehearsed
 * without the Pulumi CLI. Secrets never come from the command line: npm prints a script's
 * arguments before running it, and shells and process lists keep them.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Command, type EngineOptions, runEngine } from "./deployment";
import { diagnosticLine, stepLines, summaryLines } from "./summary";

const USAGE = `Usage: npm run engine -- <preview|up|refresh|destroy> <program dir> [options]

Runs a Pulumi program with Pulumi's own program runner and dynamic-provider host, and this
repository's engine stand-in between them (no Pulumi CLI needed).

  --stack NAME            the stack (default dev); its config is read from Pulumi.<stack>.yaml
  --config KEY=VALUE      stack config, repeatable (KEY without a namespace is the project's)
  --config-file KEY=PATH  stack config whose value is the file's contents (a CA certificate), repeatable
  --secrets-file PATH     secret stack config, one KEY=VALUE a line ('#' starts a comment); '-' reads
                          standard input. Secrets are never taken as arguments: npm prints those.
  --state FILE            the checkpoint (default <program dir>/.pulumi-state/<stack>.json)
  --help                  show this text

up:
  --replace URN           replace this resource whatever its diff says, repeatable
  --target URN            create, update or delete only this resource, repeatable
  --refresh               refresh the state first
refresh (after a run was killed during a create):
  --clear-pending-creates drop the pending creates from the state
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
  const list = values["import-pending-creates"] ?? [];
  // As Pulumi's refresh.go: a flat list of URN, ID, URN, ID...
  if (list.length % 2 !== 0) {
    throw new UsageError(
      "--import-pending-creates: each URN must be followed by an ID: found an odd number of entries",
    );
  }
  const imports: Record<string, string> = {};
  for (let i = 0; i < list.length; i += 2) imports[list[i] as string] = list[i + 1] as string;
  return {
    replace: values.replace ?? [],
    target: values.target ?? [],
    refresh: values.refresh ?? false,
    clearPendingCreates: values["clear-pending-creates"] ?? false,
    importPendingCreates: imports,
  };
}

const COMMANDS = new Set<Command>(["preview", "up", "refresh", "destroy"]);

/** Thrown for a bad command line: shown with the usage, never with a value that may be secret. */
class UsageError extends Error {}

function split(item: string, flag: string): [string, string] {
  const at = item.indexOf("=");
  if (at <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got '${item}'`);
  return [item.slice(0, at), item.slice(at + 1)];
}

function pairs(list: string[] | undefined, flag: string): Record<string, string> {
  return Object.fromEntries((list ?? []).map((item) => split(item, flag)));
}

/** `KEY=VALUE` lines; the value is everything after the first `=`, kept as written. */
export function parseSecretsFile(text: string, source: string): Record<string, string> {
  const result: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const at = line.indexOf("=");
    // The line may hold a secret: its number, never its text, goes into the message.
    if (at <= 0) throw new UsageError(`${source}, line ${index + 1}: expected KEY=VALUE`);
    result[line.slice(0, at).trim()] = line.slice(at + 1);
  });
  return result;
}

function read(path: string, what: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new UsageError(`${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stack: { type: "string", default: "dev" },
      config: { type: "string", multiple: true },
      "config-file": { type: "string", multiple: true },
      "secrets-file": { type: "string" },
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
  if (values.secret) {
    // Only the keys: the values are already in the shell's history and npm's echo, not to be repeated here.
    const keys = values.secret.map((item) => item.split("=")[0]).join(", ");
    throw new UsageError(
      `--secret is not taken (${keys}): a secret on the command line shows in npm's echo, the shell's history ` +
        "and the process list. Put KEY=VALUE lines in a file and pass --secrets-file FILE (or '-' for standard input).",
    );
  }
  if (!command || !COMMANDS.has(command as Command) || !dir) {
    console.error(USAGE);
    return 2;
  }
  // Paths are the user's, relative to where they ran `npm run` (npm itself moves to the package root).
  const from = process.env.INIT_CWD ?? process.cwd();
  const config = pairs(values.config, "--config");
  for (const [key, path] of Object.entries(pairs(values["config-file"], "--config-file"))) {
    const text = read(resolve(from, path), `--config-file ${key}`);
    if (text.trim() === "") throw new UsageError(`--config-file ${key}: ${path} is empty`);
    config[key] = text;
  }
  const secretsFile = values["secrets-file"];
  const secrets =
    secretsFile === undefined
      ? {}
      : parseSecretsFile(
          read(secretsFile === "-" ? "-" : resolve(from, secretsFile), "--secrets-file"),
          secretsFile === "-" ? "standard input" : secretsFile,
        );
  const title = { preview: "Previewing update", up: "Updating", refresh: "Refreshing", destroy: "Destroying" };
  console.log(`${title[command as Command]} (${values.stack}):`);
  const result = await runEngine(command as Command, {
    dir: resolve(from, dir),
    stack: values.stack,
    ...(values.state ? { stateFile: resolve(from, values.state) } : {}),
    config,
    secrets,
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
