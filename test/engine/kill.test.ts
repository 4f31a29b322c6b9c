/**
 * The kill test at a few step boundaries (every boundary: `npm run engine-kill`): a whole example
 * `up` SIGKILLed with its provider host right after a checkpoint write, then `up` and `refresh`.
 * The rules checked are in `kill.ts`; the checkpoint is the snapshot manager's
 * (`pkg/backend/snapshot.go`), the warning and pending creates as Pulumi's
 * (`deployment_executor.go`).
 */
import { describe, expect, test } from "vitest";
import { type KillExample, killAndRecover } from "./kill";

describe.concurrent("a deployment killed at a step boundary", { timeout: 300_000 }, () => {
  test.each<[KillExample, string]>([
    ["basic", "begin creating whatsapp-settings"],
    ["migrate-settings", "end creating new-client-restore"],
  ])(
    "examples/%s killed after the checkpoint write of '%s': up then refresh end with state equal to every client, nothing lost, no irreversible call repeated",
    async (example, boundary) => {
      const outcome = await killAndRecover(example, boundary);
      expect(outcome.killed).toBe(true);
      expect(outcome.problems).toEqual([]);
    },
  );
});
