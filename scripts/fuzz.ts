/**
 * `npm run fuzz -- --runs N --seed S [--faithful [--native]] [--include-known | --hold-out id,id] [--steps K] [--size small|medium] [--corpus] [--mutate guard|all]`: generated operator
 * sequences with the invariants checked after every step (test/fuzz); sequences that can only show
 * a defect still open (test/fuzz/defects.ts) are held out unless `--include-known`. The fast path runs the
 * provider in this process; `--faithful` also runs each sequence through Pulumi's dynamic-provider
 * host and the engine stand-in and requires the same journals (`--native`: through the native
 * `pulumi-resource-whatsapp` plugins instead, one per provider resource). A failure prints the shrunk
 * sequence as a corpus case for test/fuzz/corpus.ts; `--corpus` replays the corpus. The last line is
 * `N sequences, M steps, K invariant violations`. `--mutate` is the mutation check: with one
 * irreversible guard switched off (test/fuzz/mutations.ts; `all`: each in turn), how many
 * sequences and seconds until the first violation; it fails when a guard goes undetected.
 */
import fc from "fast-check";
import { CORPUS } from "../test/fuzz/corpus";
import { generatorOptions, openDefects } from "../test/fuzz/defects";
import { faithfulRuns } from "../test/fuzz/faithful";
import { GUARDS, switchOff } from "../test/fuzz/mutations";
import { actionsOf, corpusCase, newCounter, Sequence, sequenceProperty } from "../test/fuzz/sequence";

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? undefined : process.argv[index + 1];
}

async function main(): Promise<number> {
  const runs = Number(option("runs") ?? 1000);
  const seed = Number(option("seed") ?? Date.now() % 2_147_483_647);
  const steps = Number(option("steps") ?? 15);
  const named = option("hold-out");
  // The defects still open are held out unless asked for (`--include-known`), as in `npm test`:
  // a run is for finding new ones.
  const heldOut = named
    ? new Set(named.split(",").filter(Boolean))
    : process.argv.includes("--include-known")
      ? new Set<string>()
      : openDefects();
  const holdOut = heldOut.size > 0;
  const faithful = process.argv.includes("--faithful");
  if (process.argv.includes("--corpus")) return replayCorpus();
  const mutate = option("mutate");
  const size = (option("size") ?? "medium") as fc.SizeForArbitrary;
  if (mutate) return mutationCheck(mutate, runs, seed, steps, size, heldOut);
  if (faithful) {
    const provider = process.argv.includes("--native") ? "native" : "dynamic";
    return faithfulRuns({ runs, seed, steps, heldOut, provider });
  }
  const counter = newCounter();
  const started = Date.now();
  const options = generatorOptions(heldOut);
  if (holdOut) console.log(`holding out sequences that can only show: ${[...heldOut].join(", ")}`);
  const result = await fc.check(sequenceProperty(counter, options, steps, size), { numRuns: runs, seed });
  const seconds = (Date.now() - started) / 1000;
  let violations = 0;
  if (result.failed && result.counterexample) {
    const actions = actionsOf(result.counterexample[0]);
    const replayed = await Sequence.run(actions);
    violations = replayed.violations.length;
    const summary = replayed.violations.map((v) => `invariant ${v.invariant} after step ${v.step}: ${v.detail}`);
    console.log(`seed ${seed}: a sequence broke an invariant; shrunk to ${actions.length} steps:`);
    for (const line of summary) console.log(`  ${line}`);
    console.log("\ncorpus case (test/fuzz/corpus.ts):");
    console.log(corpusCase(`seed ${seed}`, actions, summary.join("\n")));
  } else if (result.failed) {
    console.log(String(result.errorInstance));
    violations = 1;
  }
  console.log(`seed ${seed}, ${seconds.toFixed(1)} s, ${(counter.sequences / seconds || 0).toFixed(1)} sequences/s`);
  console.log(`${counter.sequences} sequences, ${counter.steps} steps, ${violations} invariant violations`);
  return violations > 0 ? 1 : 0;
}

/** Each chosen guard switched off in turn: the sequences and seconds until the first violation. */
async function mutationCheck(
  which: string,
  runs: number,
  seed: number,
  steps: number,
  size: fc.SizeForArbitrary,
  heldOut: ReadonlySet<string>,
): Promise<number> {
  const guards = which === "all" ? GUARDS : GUARDS.filter((g) => g.id === which);
  if (guards.length === 0) throw new Error(`unknown guard '${which}' (${GUARDS.map((g) => g.id).join(", ")}, all)`);
  let undetected = 0;
  for (const guard of guards) {
    const counter = newCounter();
    const started = Date.now();
    const restore = switchOff(guard);
    let result: { failed: boolean; errorInstance?: unknown };
    try {
      // No shrinking: the figure is how soon a violation is found, not the smallest sequence.
      result = await fc.check(sequenceProperty(counter, generatorOptions(heldOut), steps, size), {
        numRuns: runs,
        seed,
        endOnFailure: true,
      });
    } finally {
      restore();
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!result.failed) undetected += 1;
    const found = result.failed
      ? `found after ${counter.sequences} sequences (${counter.steps} steps), ${seconds} s: ${String(result.errorInstance).split("\n")[0]?.slice(0, 200)}`
      : `NOT found in ${counter.sequences} sequences (${counter.steps} steps), ${seconds} s`;
    console.log(`${guard.id} off (${guard.title}): ${found}`);
  }
  console.log(`${guards.length} guards switched off, ${guards.length - undetected} detected within ${runs} sequences`);
  return undetected > 0 ? 1 : 0;
}

/** Replays every corpus case, known open defects included, and says which still break an invariant. */
async function replayCorpus(): Promise<number> {
  let steps = 0;
  let violations = 0;
  let unexpected = 0;
  for (const corpusCase of CORPUS) {
    const outcome = await Sequence.run(corpusCase.actions);
    steps += outcome.steps;
    violations += outcome.violations.length;
    const broke = outcome.violations.length > 0;
    if (broke !== (corpusCase.expected === "violation")) unexpected += 1;
    console.log(`${broke ? "breaks" : "holds "} (expected: ${corpusCase.expected}) ${corpusCase.name}`);
    for (const v of outcome.violations) console.log(`    invariant ${v.invariant} after step ${v.step}: ${v.detail}`);
  }
  console.log(`${unexpected} cases not as expected (a fixed defect: flip its cases to "pass")`);
  console.log(`${CORPUS.length} sequences, ${steps} steps, ${violations} invariant violations`);
  return unexpected > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
