/**
 * `npm run engine-kill [-- basic|migrate-settings|profile [boundary index...]]`: the kill test over
 * every step boundary of a whole example deployment, or of the profile program's second one (see
 * `test/engine/kill.ts`). Prints each boundary
 * tried and what it left (the checkpoint's resources and pending operations, what a client holds
 * that state does not name, the irreversible calls by then and after the next up and refresh);
 * exits 1 when any broke a rule.
 */
import { boundariesOf, type KillExample, killAndRecover } from "../test/engine/kill";

const EXAMPLES: KillExample[] = ["basic", "migrate-settings", "profile"];

async function main(argv: string[]): Promise<number> {
  const [only, ...indexes] = argv;
  const examples = only ? EXAMPLES.filter((e) => e === only) : EXAMPLES;
  if (examples.length === 0) throw new Error(`unknown example '${only}' (${EXAMPLES.join(", ")})`);
  let broken = 0;
  for (const example of examples) {
    const boundaries = await boundariesOf(example);
    console.log(`${example}: ${boundaries.length} step boundaries`);
    const chosen = indexes.length > 0 ? indexes.map(Number) : boundaries.map((_, index) => index);
    for (const index of chosen) {
      const started = Date.now();
      const outcome = await killAndRecover(example, index);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const verdict = outcome.problems.length === 0 ? "ok" : outcome.problems.join("; ");
      console.log(`  #${index} after "${boundaries[index]}" (${seconds}s): ${verdict}`);
      const { left } = outcome;
      const list = (items: string[]) => (items.length > 0 ? items.join(", ") : "none");
      const calls = (counts: Record<string, number>) =>
        list(Object.entries(counts).map(([route, count]) => `${route} ×${count}`));
      console.log(
        `      left: state ${list(left.state)}; pending ${list(left.pending)}; on a client, not in state: ` +
          `${list(left.unrecorded)}; irreversible calls ${calls(left.irreversible)}`,
      );
      console.log(`      after up and refresh: irreversible calls ${calls(outcome.irreversibleAfter)}`);
      if (outcome.problems.length > 0) broken += 1;
    }
  }
  return broken === 0 ? 0 : 1;
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
