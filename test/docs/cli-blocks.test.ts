/**
 * The blocks of README.md and the examples' READMEs written for the Pulumi CLI, run as written in
 * a fresh copy of the repository. `pulumi` and `docker` are the stand-ins of cli-shim.mjs (the
 * engine stand-in behind `pulumi`), the clients are emulators. The only substitutions are what
 * the text leaves to the user: an example address (`wa.example.com:9090`), a `'...'` or
 * `<printed …>` placeholder, a container's name, and the CA file a block reads, which the user
 * has. Everything printed is scanned for every secret the blocks set.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Emulator } from "../emulator/index";
import { emulator } from "../support/emulator";
import { ROOT } from "../support/packed";
import { block, forms, freePort, freshCopy, run, shellBlocks } from "./shell-blocks";

/** A bin directory where `pulumi` and `docker` are the stand-ins. */
function shimPath(dir: string): string {
  const bin = join(dir, ".shim-bin");
  mkdirSync(bin, { recursive: true });
  for (const tool of ["pulumi", "docker"]) {
    writeFileSync(
      join(bin, tool),
      `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "test/docs/cli-shim.mjs")}" ${tool} "$@"\n`,
    );
    chmodSync(join(bin, tool), 0o755);
  }
  return bin;
}

/** The host and port of an emulator's URL, for the text's `wa.example.com:9090`. */
function hostPort(e: Emulator): string {
  return new URL(e.url).host;
}

/** The text with each `'...'` after `config set --secret KEY` replaced by that key's value. */
function withSecrets(text: string, values: Record<string, string>): string {
  return text.replace(/(config set --secret (\S+) )'\.\.\.'/g, (_whole, head: string, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`no value for the secret ${key} the block sets`);
    return `${head}'${value}'`;
  });
}

interface Ran {
  dir: string;
  code: number | null;
  output: string;
}

/** Runs `text` (with `set -e`) in `cwd` of a fresh copy, the stand-ins first on PATH. */
async function runBlock(dir: string, cwd: string, text: string, env: Record<string, string> = {}): Promise<Ran> {
  const bin = shimPath(dir);
  const ran = await run(`set -e\n${text}`, join(dir, cwd), {
    PATH: `${bin}:${process.env.PATH}`,
    SHIM_ENGINE: join(dir, "dist/test/engine/cli.js"),
    ...env,
  });
  return { dir, ...ran };
}

function expectNoSecret(output: string, secrets: Record<string, string>) {
  for (const [key, value] of Object.entries(secrets)) {
    for (const form of forms(value)) expect(output, `${key} shown`).not.toContain(form);
  }
}

function expectOk(ran: Ran) {
  expect(ran.code, `the block failed; it printed, at the end:\n${ran.output.slice(-3000)}`).toBe(0);
}

describe("the blocks written for the Pulumi CLI run as written", { timeout: 300_000 }, () => {
  test("README: Install, then Quick start's program and commands against a client", async () => {
    const e = await emulator({ waId: "15550001234" });
    const dir = freshCopy();
    const program = join(dir, "quick-start");
    mkdirSync(program);
    // The program a user writes from the text: Quick start's code, in a `pulumi new typescript` project.
    writeFileSync(join(program, "Pulumi.yaml"), "name: quick-start\nruntime: nodejs\n");
    writeFileSync(join(program, "index.ts"), block("README.md", "Quick start", 0, "ts"));
    writeFileSync(join(program, "package.json"), JSON.stringify({ name: "quick-start", private: true }));
    writeFileSync(join(program, "webapp-ca.pem"), e.caCert as string);
    const secrets = { "whatsapp:password": e.adminPassword };
    const install = block("README.md", "Install").replace("/path/to/", `${dir}/`);
    const commands = withSecrets(block("README.md", "Quick start"), secrets).replace(
      "wa.example.com:9090",
      hostPort(e),
    );
    // `pulumi new typescript` made the project and selected its first stack before the text begins.
    const ran = await runBlock(
      dir,
      "quick-start",
      `(cd .. && npm pack)\n${install}\npulumi stack init dev\n${commands}`,
    );
    expectOk(ran);
    expect(ran.output).toContain("+  pulumi-nodejs:dynamic/whatsapp:ApplicationSettings whatsapp-settings create");
    expect(e.journal.count("PATCH /v1/settings/application")).toBe(1);
    expect(e.getSetting("webhooks.url")).toBe("https://hooks.example.com/wa?auth=...");
    expect(e.getSetting("log_level")).toBe("warning");
    expectNoSecret(ran.output, { ...secrets, webhookUrl: "https://hooks.example.com/wa?auth=..." });
  });

  test("README: Against the emulator, with the password and CA file the emulator printed", async () => {
    const e = await emulator({ waId: "15550001234" });
    const dir = freshCopy();
    writeFileSync(join(dir, "emulator-ca.pem"), e.caCert as string);
    const text = block("README.md", "Against the emulator")
      .replace("https://127.0.0.1:9090", e.url)
      .replace("<printed password>", e.adminPassword)
      .replace("<printed ca-cert file>", join(dir, "emulator-ca.pem"));
    const ran = await runBlock(dir, ".", text);
    expectOk(ran);
    // preview, up and destroy: the settings are reset and both media providers deleted at the end.
    expect(ran.output).toContain("+  pulumi-nodejs:dynamic/whatsapp:MediaProvider images create");
    expect(e.journal.count("POST /v1/settings/application/media/providers")).toBe(2);
    expect(e.journal.count("DELETE /v1/settings/application")).toBe(1);
    expectNoSecret(ran.output, {
      "whatsapp:password": e.adminPassword,
      webhookUrl: "https://hooks.example.com/wa?auth=secret",
      cdnToken: "cdn-token",
      imagesPassword: "images-password",
    });
  });

  test("examples/basic: Install, then both Configure and deploy blocks, the restart included", async () => {
    const e = await emulator({ waId: "15550001234" });
    const dir = freshCopy();
    writeFileSync(join(dir, "examples/basic/webapp-ca.pem"), e.caCert as string);
    const secrets = {
      "whatsapp:password": e.adminPassword,
      cdnToken: "Cdn-Bearer-Token-42",
      imagesPassword: "Images-Passw0rd-42",
    };
    const doc = "examples/basic/README.md";
    const text = [
      block(doc, "Install"),
      withSecrets(block(doc, "Configure and deploy", 0), secrets).replace("wa.example.com:9090", hostPort(e)),
      block(doc, "Configure and deploy", 1).replace("<coreapp container>", "whatsapp-coreapp"),
    ].join("\n");
    const ran = await runBlock(dir, "examples/basic", `(cd ../.. && npm pack)\n${text}`, {
      SHIM_EMULATOR_URL: e.url,
      NODE_EXTRA_CA_CERTS: join(dir, "examples/basic/webapp-ca.pem"),
    });
    expectOk(ran);
    expect(ran.output).toContain("~ webhooks.maxConcurrentRequests: 6 => 12");
    expect(e.getSetting("webhooks.max_concurrent_requests")).toBe(12);
    // `docker restart <coreapp container>` restarted the client, so nothing waits for a restart.
    await expect.poll(() => e.restarts).toBe(1);
    expect(e.journal.count("POST /v1/settings/application/media/providers")).toBe(2);
    expectNoSecret(ran.output, { ...secrets, webhookUrl: "https://hooks.example.com/whatsapp?auth=..." });
  });

  test("examples/migrate-settings: Install, then Configure and deploy, from one client to another", async () => {
    const old = await emulator({ waId: "15550001111" });
    const fresh = await emulator({ waId: null });
    const dir = freshCopy();
    const example = join(dir, "examples/migrate-settings");
    writeFileSync(join(example, "old-ca.pem"), old.caCert as string);
    writeFileSync(join(example, "new-ca.pem"), fresh.caCert as string);
    const secrets = {
      oldPassword: old.adminPassword,
      newPassword: fresh.adminPassword,
      backupPassword: "Backup-Passw0rd-42",
    };
    const doc = "examples/migrate-settings/README.md";
    const text = [
      block(doc, "Install"),
      withSecrets(block(doc, "Configure and deploy"), secrets)
        .replace("https://old-wa.example.com:9090", old.url)
        .replace("https://new-wa.example.com:9090", fresh.url),
    ].join("\n");
    const ran = await runBlock(dir, "examples/migrate-settings", `(cd ../.. && npm pack)\n${text}`);
    expectOk(ran);
    expect(old.journal.count("POST /v1/settings/backup")).toBe(1);
    expect(fresh.journal.count("POST /v1/settings/restore")).toBe(1);
    expect(statSync(join(example, "old-client.backup")).mode & 0o777).toBe(0o600);
    expectNoSecret(ran.output, { ...secrets, webhookUrl: "https://hooks.example.com/wa?auth=..." });
  });
});

test("README: The emulator, as written: it prints its PID, URL, user, password and CA file, and stops by that PID", async () => {
  const port = await freePort();
  const text = block("README.md", "The emulator").trim().replace("9090", String(port));
  const log = join(mkdtempSync(join(tmpdir(), "emulator-block-")), "emulator.log");
  // In the repository, as a user runs it; its PID, as the text says, stops it.
  const ran = await run(
    [
      `${text} > ${log} 2>&1 &`,
      `for i in $(seq 1 600); do grep -q '^version: ' ${log} && break; sleep 0.1; done`,
      `cat ${log}`,
      `kill $(sed -n 's/^pid: //p' ${log})`,
    ].join("\n"),
    ROOT,
  );
  expect(ran.code).toBe(0);
  expect(ran.output).toMatch(/^pid: \d+$/m);
  expect(ran.output).toContain(`url: https://127.0.0.1:${port}`);
  expect(ran.output).toMatch(/^username: admin$/m);
  expect(ran.output).toMatch(/^password: \S+$/m);
  expect(ran.output).toMatch(/^ca-cert: \S+\.pem$/m);
});

/** Where each sh block of the docs runs: a test file of this repository, or CI's own script. */
const RUN_BY: Record<string, Record<string, string>> = {
  "README.md": {
    // `npm ci && npm start` and `npm test`: CI runs the two commands; npm start's sequence is demo.test.ts.
    "pulumi-whatsapp-settings": ".ci/run",
    "Rehearsing without the Pulumi CLI": "test/docs/rehearsal.test.ts",
    Install: "test/docs/cli-blocks.test.ts",
    "Quick start": "test/docs/cli-blocks.test.ts",
    "Against the emulator": "test/docs/cli-blocks.test.ts",
    "The emulator": "test/docs/cli-blocks.test.ts",
    "Moving a stack from the dynamic provider": "test/native/move.test.ts",
  },
  "examples/basic/README.md": {
    Install: "test/docs/cli-blocks.test.ts",
    "Configure and deploy": "test/docs/cli-blocks.test.ts",
  },
  "examples/migrate-settings/README.md": {
    Install: "test/docs/cli-blocks.test.ts",
    "Configure and deploy": "test/docs/cli-blocks.test.ts",
    "Rehearse it without the Pulumi CLI": "test/docs/rehearsal.test.ts",
  },
  "examples/fleet-native/README.md": {
    "Rehearse it without the Pulumi CLI": "test/docs/rehearsal.test.ts",
  },
};

/**
 * The sh blocks no test can run, each with why; the text around each says it was not run.
 * Only blocks that need a tool absent here belong in it.
 */
const NOT_RUN: Record<string, Record<string, { needs: string; label: string }>> = {
  "README.md": {
    // `pulumi package add` is the Pulumi CLI's own SDK generation: no stand-in can model it.
    "In Python, Go, .NET, Java or YAML": { needs: "the Pulumi CLI's SDK generation", label: "**Not run here**" },
  },
};

test.each(Object.keys(RUN_BY))(
  "every sh block of %s is run by a test or by CI, which names it, or says it is not run",
  (document) => {
    const runBy = RUN_BY[document] ?? {};
    const notRun = NOT_RUN[document] ?? {};
    const markdown = readFileSync(join(ROOT, document), "utf8");
    const headings = [...new Set(shellBlocks(markdown).map((b) => b.heading))];
    expect(headings.sort()).toEqual([...Object.keys(runBy), ...Object.keys(notRun)].sort());
    for (const [heading, { needs, label }] of Object.entries(notRun)) {
      const start = markdown.indexOf(`# ${heading}\n`);
      const section = markdown.slice(start, markdown.indexOf("```sh", start));
      expect(start, `a heading "${heading}"`).toBeGreaterThan(0);
      expect(section, `the text says the blocks under "${heading}" are not run (they need ${needs})`).toContain(label);
    }
    for (const [heading, file] of Object.entries(runBy)) {
      const text = readFileSync(join(ROOT, file), "utf8");
      if (file === ".ci/run") expect(text.trim().split("\n").slice(-2)).toEqual(["npm ci", "npm test"]);
      else expect(text, `${file} names "${heading}"`).toContain(`"${heading}"`);
    }
  },
);
