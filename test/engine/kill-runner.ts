/**
 * One engine command in a process of its own, SIGKILLed with its provider host (both by PID) right
 * after the checkpoint write of a given step boundary: how the kill test stops a deployment at an
 * exact point. The command and its options (secrets included) arrive as JSON on stdin, never on
 * the command line; the boundaries written are printed one a line, then `done <ok>`.
 */
import { type Command, type EngineOptions, runEngine } from "./deployment";
import { OPERATION_BOUNDARY } from "./journal";

export interface KillOrder {
  command: Command;
  options: EngineOptions;
  /** The boundary to die at (`begin creating x`, `end creating x`, ...), or its 0-based index. */
  killAt?: string | number;
  /** Or the 0-based index among the boundaries of provider operations only (`OPERATION_BOUNDARY`). */
  killAtOperation?: number;
}

async function main(): Promise<void> {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const order = JSON.parse(input) as KillOrder;
  let index = 0;
  let operations = 0;
  const result = await runEngine(order.command, {
    ...order.options,
    onCheckpoint: (boundary, providerPid) => {
      process.stdout.write(`${boundary}\n`);
      const operation = OPERATION_BOUNDARY.test(boundary);
      const here =
        order.killAt === boundary ||
        order.killAt === index ||
        (operation && order.killAtOperation !== undefined && order.killAtOperation === operations);
      index += 1;
      if (operation) operations += 1;
      if (!here) return;
      try {
        if (providerPid) process.kill(providerPid, "SIGKILL");
      } catch {
        // The last write comes after the host was closed: only the engine is left to kill.
      }
      process.kill(process.pid, "SIGKILL");
    },
  });
  process.stdout.write(`done ${result.ok}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
