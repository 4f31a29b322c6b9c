/**
 * Starts a program the way Pulumi's Node language host does (`pulumi-language-nodejs`'s
 * `constructArguments` and `execNodejs`): `node [nodeargs] <@pulumi/pulumi/cmd/run resolved from
 * the program> --monitor … --engine … --project … --stack … --pwd <dir> [--dry-run] --query-mode
 * false --parallel N <entry point>`, with `PULUMI_CONFIG` (keys as `namespace:config:name`),
 * `PULUMI_CONFIG_SECRET_KEYS` and the runtime options as `PULUMI_NODEJS_TYPESCRIPT` /
 * `PULUMI_NODEJS_TSCONFIG_PATH`. TypeScript then goes through ts-node with the program's tsconfig.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Project, StackConfig } from "./project";

export interface ProgramRun {
  project: Project;
  stack: string;
  config: StackConfig;
  monitor: string;
  engine: string;
  dryRun: boolean;
  parallel: number;
  organization?: string;
  /** Each line the program prints on stdout or stderr (Pulumi shows them as diagnostics). */
  onOutput: (line: string, stream: "stdout" | "stderr") => void;
}

/** The language host's config encoding: `ns:name` becomes `ns:config:name`. */
export function languageHostConfig(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => {
      const at = key.indexOf(":");
      return [`${key.slice(0, at)}:config:${key.slice(at + 1)}`, value];
    }),
  );
}

function runModule(programDir: string): string {
  try {
    return createRequire(join(programDir, "package.json")).resolve("@pulumi/pulumi/cmd/run");
  } catch {
    throw new Error(
      `It looks like the Pulumi SDK has not been installed. Have you run npm install or yarn install? ` +
        `(@pulumi/pulumi/cmd/run is not resolvable from ${programDir})`,
    );
  }
}

/** Runs the program to its end; resolves with its exit code. */
export function runProgram(run: ProgramRun): Promise<number> {
  const dir = run.project.dir;
  const args = [
    ...run.project.nodeargs,
    runModule(dir),
    "--monitor",
    run.monitor,
    "--engine",
    run.engine,
    ...(run.organization ? ["--organization", run.organization] : []),
    "--project",
    run.project.name,
    "--stack",
    run.stack,
    "--pwd",
    dir,
    ...(run.dryRun ? ["--dry-run"] : []),
    "--query-mode",
    "false",
    "--parallel",
    String(run.parallel),
    run.project.main,
  ];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PULUMI_CONFIG: JSON.stringify(languageHostConfig(run.config.values)),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(run.config.secretKeys),
  };
  if (run.project.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (run.project.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = run.project.tsconfig;
  const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  for (const [stream, name] of [
    [child.stdout, "stdout"],
    [child.stderr, "stderr"],
  ] as const) {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) run.onOutput(line, name);
    });
    stream.on("end", () => {
      if (buffered) run.onOutput(buffered, name);
    });
  }
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
