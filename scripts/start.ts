/**
 * `npm start [-- --keep]`: the demo of `scripts/demo.ts` on an embedded emulator.
 */
import { parseArgs } from "node:util";
import { runDemo } from "./demo";

const USAGE = `Usage: npm start [-- --keep]

Runs examples/basic against an embedded WhatsApp Business API client emulator:
preview, up, a change that needs a Coreapp restart, refresh after drift, and destroy.

  --keep    leave the emulator running afterwards (Ctrl-C stops it); poke it with curl
  --help    show this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { keep: { type: "boolean", default: false }, help: { type: "boolean", default: false } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const { emulator } = await runDemo({
    log: (line) => console.log(line),
    color: Boolean(process.stdout.isTTY),
    keep: values.keep,
  });
  if (values.keep) {
    console.log(
      `\nThe emulator keeps running at ${emulator.url} (admin / ${emulator.adminPassword}). Ctrl-C stops it.`,
    );
    console.log(`  curl -sk ${emulator.url}/_emulator/state`);
    process.on("SIGINT", () => void emulator.close().then(() => process.exit(0)));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
