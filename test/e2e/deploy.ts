/** Runs `deploy-runner` on a program directory: `up` or `destroy`, with state kept in a file. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../support/packed";
import type { RunLog } from "./deploy-runner";

export interface DeployOptions {
  /** Program config (`project:key` → value) and which of it is secret. */
  config?: Record<string, string>;
  secretConfig?: string[];
  /** The provider's stack config (`whatsapp:*`). */
  stackConfig?: Record<string, string>;
  project?: string;
}

/** Asynchronous, so emulators in this process keep answering while it runs. */
export async function deploy(
  mode: "preview" | "up" | "destroy",
  dir: string,
  options: DeployOptions = {},
): Promise<RunLog> {
  const stateFile = join(dir, "state.json");
  const runner = join(ROOT, "dist/test/e2e/deploy-runner.js");
  await promisify(execFile)(process.execPath, [runner, mode, dir, stateFile], {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      PROJECT: options.project ?? "program",
      PULUMI_CONFIG: JSON.stringify({ ...options.config, ...options.stackConfig }),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(options.secretConfig ?? []),
      STACK_CONFIG: JSON.stringify(options.stackConfig ?? {}),
    },
  });
  return JSON.parse(readFileSync(stateFile, "utf8")) as RunLog;
}
