/**
 * `npm run emulator -- [--port 9090] [--host 127.0.0.1] [--https] [--client-version 2.53.2]
 * [--admin-password ...] [--factory-password] [--unregistered] [--wa-id N] [--auto-restart-ms N] [--ca-file PATH]
 * [--secrets-file PATH [--password-key KEY]]`
 *
 * Starts one emulated client and prints its URL, credentials and (with --https) the CA file to
 * trust, and its own PID: `npm run emulator &` leaves `$!` naming npm, not the emulator. With
 * --secrets-file the admin password goes into that file for `npm run engine`, not to the screen.
 * SIGHUP or `POST /_emulator/restart` restarts the Coreapp; SIGINT (Ctrl-C) or SIGTERM stops it.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startEmulator } from "./index";

const USAGE = `Usage: npm run emulator -- [options]

  --port N               port to listen on (default 9090; 0 picks a free one)
  --host ADDR            address to bind (default 127.0.0.1)
  --https                serve HTTPS with a throwaway CA (its file is printed)
  --client-version X     client version to emulate (default 2.53.2)
  --admin-password P     admin password (default: generated and printed)
  --factory-password     keep the factory password 'secret'; the first login must change it
  --unregistered         start without a registered number (a restore registers it)
  --wa-id N              the registered number (default 1631555 and the port, so two
                         emulators on two ports are two clients)
  --auto-restart-ms N    restart by itself N ms after a restore stops the app
  --ca-file PATH         with --https, write the CA to PATH (default /tmp/whatsapp-emulator-ca-<pid>.pem)
  --secrets-file PATH    write 'whatsapp:password=<admin password>' into PATH (mode 0600, other
                         lines kept) for npm run engine's --secrets-file, instead of printing it
  --password-key KEY     the key --secrets-file writes (default whatsapp:password)
  --help                 show this text

While it runs (<pid> is the pid it prints): 'kill -HUP <pid>' or
'curl -X POST <url>/_emulator/restart' restarts the Coreapp, 'curl <url>/_emulator/state' shows
the gateway status and settings pending a restart; Ctrl-C or 'kill <pid>' stops it.`;

/** Sets KEY in a KEY=VALUE file, keeping its other lines; the file is the user's only. */
function writeSecretsFile(file: string, key: string, value: string): void {
  const kept = existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "" && !line.startsWith(`${key}=`))
    : [];
  writeFileSync(file, `${[...kept, `${key}=${value}`].join("\n")}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "9090" },
      host: { type: "string", default: "127.0.0.1" },
      https: { type: "boolean", default: false },
      "client-version": { type: "string", default: "2.53.2" },
      "admin-password": { type: "string" },
      "factory-password": { type: "boolean", default: false },
      unregistered: { type: "boolean", default: false },
      "wa-id": { type: "string" },
      "auto-restart-ms": { type: "string" },
      "ca-file": { type: "string" },
      "secrets-file": { type: "string" },
      "password-key": { type: "string", default: "whatsapp:password" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator({
    port: Number(values.port),
    host: values.host,
    https: values.https,
    clientVersion: values["client-version"],
    ...(values["factory-password"] ? { adminPassword: null } : {}),
    ...(values["admin-password"] ? { adminPassword: values["admin-password"] } : {}),
    // Two clients never share a registered number; two emulators started with the same default
    // would be one client at two addresses to the provider (identity.ts).
    waId: values.unregistered ? null : (values["wa-id"] ?? `1631555${values.port.padStart(4, "0")}`),
    ...(values["auto-restart-ms"] ? { autoRestartMs: Number(values["auto-restart-ms"]) } : {}),
  });
  // Signals are handled before the PID is printed: whoever reads it may signal at once.
  process.on("SIGHUP", () => {
    void emulator.restart().then(() => console.log("coreapp restarted"));
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while closing (an impatient Ctrl-C) must not start a second close.
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => {
        console.log(`stopped (${signal})`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`stopping failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`pid: ${process.pid}`);
  console.log(`url: ${emulator.url}`);
  console.log(`username: ${emulator.adminUsername}`);
  // Paths are the user's, relative to where they ran `npm run` (npm itself moves to the package root).
  const from = process.env.INIT_CWD ?? process.cwd();
  const secretsFile = values["secrets-file"];
  if (secretsFile) {
    const file = resolve(from, secretsFile);
    const key = values["password-key"];
    writeSecretsFile(file, key, emulator.adminPassword);
    console.log(`password: in ${file} (${key})`);
  } else {
    console.log(`password: ${emulator.adminPassword}`);
  }
  if (emulator.caCert) {
    const caFile = values["ca-file"]
      ? resolve(from, values["ca-file"])
      : join(tmpdir(), `whatsapp-emulator-ca-${process.pid}.pem`);
    writeFileSync(caFile, emulator.caCert);
    console.log(`ca-cert: ${caFile}`);
  }
  console.log(`version: ${emulator.version}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
