#!/usr/bin/env node
/**
 * Stand-ins for the two commands the "with the Pulumi CLI" blocks of the docs call and no machine
 * of ours has: `pulumi` and `docker`. Installed on PATH under those names by
 * test/docs/cli-blocks.test.ts (argv[2] says which), so each block runs as a user types it.
 *
 * `pulumi` keeps what the CLI keeps, where it keeps it: the selected stack, plain config in
 * `Pulumi.<stack>.yaml`, secret config apart (the CLI encrypts it into that file; here it is a
 * 0600 file under `.pulumi-shim/`, never on a command line), and runs `preview`, `up`, `refresh`
 * and `destroy` through the engine stand-in (`SHIM_ENGINE`: its built cli.js). A terminal
 * user answers `pulumi up`'s confirmation prompt with "yes"; here that answer is taken as given.
 *
 * `docker restart <container>` restarts the emulated client at `SHIM_EMULATOR_URL`, as restarting
 * the Coreapp container restarts a real one.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

/** The directory holding Pulumi.yaml, from where the command runs upwards, as the CLI finds it. */
function projectDir() {
  for (let dir = process.cwd(); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
  }
  return fail("no Pulumi.yaml project file found (searching upwards from the current directory)");
}

function projectName(dir) {
  const name = /^name:\s*(\S+)/m.exec(readFileSync(join(dir, "Pulumi.yaml"), "utf8"))?.[1];
  return name ?? fail("Pulumi.yaml has no name");
}

function readJson(path, fallback) {
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : fallback;
}

function shimState(dir) {
  const state = join(dir, ".pulumi-shim");
  mkdirSync(state, { recursive: true, mode: 0o700 });
  return state;
}

function currentStack(dir) {
  const file = join(shimState(dir), "stack");
  if (!existsSync(file)) {
    fail("no stack selected; run `pulumi stack init <name>` first");
  }
  return readFileSync(file, "utf8").trim();
}

/** Plain config as the CLI writes it: `config:` with namespaced keys, one value a key. */
function writeStackFile(dir, stack, values) {
  const lines = Object.entries(values).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), `config:\n${lines.join("\n")}\n`);
}

function pulumi(args) {
  const dir = projectDir();
  const [command, ...rest] = args;
  if (command === "stack" && (rest[0] === "init" || rest[0] === "select") && rest[1]) {
    writeFileSync(join(shimState(dir), "stack"), `${rest[1]}\n`);
    if (rest[0] === "init") console.log(`Created stack '${rest[1]}'`);
    return 0;
  }
  if (command === "config" && rest[0] === "set") {
    const secret = rest.includes("--secret");
    const [key, value] = rest.slice(1).filter((arg) => arg !== "--secret" && arg !== "--plaintext");
    if (key === undefined || value === undefined) fail("usage: pulumi config set [--secret] <key> <value>");
    const stack = currentStack(dir);
    const full = key.includes(":") ? key : `${projectName(dir)}:${key}`;
    const plain = join(shimState(dir), `${stack}.plain.json`);
    const secrets = join(shimState(dir), `${stack}.secrets.json`);
    const plainValues = readJson(plain, {});
    const secretValues = readJson(secrets, {});
    delete plainValues[full];
    delete secretValues[full];
    if (secret) secretValues[full] = value;
    else plainValues[full] = value;
    writeFileSync(plain, JSON.stringify(plainValues));
    writeFileSync(secrets, JSON.stringify(secretValues), { mode: 0o600 });
    chmodSync(secrets, 0o600);
    writeStackFile(dir, stack, plainValues);
    return 0;
  }
  if (["preview", "up", "refresh", "destroy"].includes(command)) {
    const stack = currentStack(dir);
    const secretValues = readJson(join(shimState(dir), `${stack}.secrets.json`), {});
    for (const [key, value] of Object.entries(secretValues)) {
      if (value.includes("\n")) fail(`secret config ${key} spans lines, which this stand-in does not carry`);
    }
    const secretsFile = join(shimState(dir), `${stack}.secrets`);
    const lines = Object.entries(secretValues).map(([key, value]) => `${key}=${value}`);
    writeFileSync(secretsFile, `${lines.join("\n")}\n`, { mode: 0o600 });
    const engine = process.env.SHIM_ENGINE ?? fail("SHIM_ENGINE (the engine stand-in's cli.js) is not set");
    const result = spawnSync(
      process.execPath,
      [engine, command, dir, "--stack", stack, "--secrets-file", secretsFile],
      { stdio: "inherit" },
    );
    return result.status ?? 1;
  }
  return fail(`pulumi ${args.join(" ")}: not a command these docs use`);
}

async function docker(args) {
  if (args[0] !== "restart" || !args[1])
    fail(`docker ${args.join(" ")}: only \`docker restart <container>\` stands in`);
  const url = process.env.SHIM_EMULATOR_URL ?? fail("SHIM_EMULATOR_URL is not set");
  const answer = await fetch(`${url}/_emulator/restart`, { method: "POST" });
  if (!answer.ok) fail(`the emulated client did not restart: ${answer.status}`);
  console.log(args[1]);
  return 0;
}

const [tool, ...args] = process.argv.slice(2);
process.exitCode = tool === "docker" ? await docker(args) : pulumi(args);
