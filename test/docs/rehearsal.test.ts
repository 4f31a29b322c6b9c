/**
 * README's "Rehearsing without the Pulumi CLI" block, run as written in a fresh copy of the
 * repository against the emulator it starts: the only substitutions are the two the text names
 * (the emulator runs "in another terminal", on another port when 9090 is taken). Everything the
 * commands print, npm's echo of each script line included, is scanned for every secret.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT } from "../support/packed";
import { freshCopy, shellBlocks } from "./shell-blocks";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const block = shellBlocks(readme).find((b) => b.heading === "Rehearsing without the Pulumi CLI");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The block as a script: the "another terminal" line in the background, the rest in order, stopping at the first failure. */
function asScript(text: string, port: number): string {
  const lines = text.replaceAll("9090", String(port)).split("\n");
  const script = ["set -e"];
  for (const line of lines) {
    if (!line.includes("# in another terminal")) {
      script.push(line);
      continue;
    }
    const command = line.slice(0, line.indexOf("#")).trim();
    script.push(`${command} > emulator.log 2>&1 &`);
    script.push("for i in $(seq 1 300); do grep -q '^version: ' emulator.log && break; sleep 0.1; done");
    script.push("cat emulator.log");
  }
  return script.join("\n");
}

function run(script: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // The emulator is stopped by the PID it printed, whether the block passed or not.
    const stop =
      "stop() { kill $(sed -n 's/^pid: //p' emulator.log 2>/dev/null) 2>/dev/null || true; }\ntrap stop EXIT";
    const child = spawn("bash", ["-c", `${stop}\n${script}`], {
      cwd,
      env: { ...process.env, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/** Each form a secret could be shown in. */
function forms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString("base64"),
  ];
}

describe("README's rehearsal without the Pulumi CLI", () => {
  test("runs as written in a fresh copy, says what the text says, and prints no secret anywhere", async () => {
    expect(block?.text).toContain("npm run engine -- preview examples/basic $FLAGS");
    const dir = freshCopy();
    const stamp = statSync(join(dir, "dist", ".build-stamp")).mtimeMs;
    const { code, output } = await run(asScript(block?.text as string, await freePort()), dir);
    expect({ code, tail: output.slice(-3000) }).toMatchObject({ code: 0 });

    const secrets = Object.fromEntries(
      readFileSync(join(dir, "rehearsal.secrets"), "utf8")
        .split("\n")
        .filter((line) => line && !line.startsWith("#"))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    // The emulator added its password; the example file gave the program's three.
    expect(Object.keys(secrets).sort()).toEqual(["cdnToken", "imagesPassword", "webhookUrl", "whatsapp:password"]);
    for (const [key, value] of Object.entries(secrets)) {
      for (const form of forms(value)) expect(output, `${key} shown`).not.toContain(form);
    }
    expect(output).not.toContain("auth=rehearsal-shared-secret");
    // The CA is no secret, but a whole certificate on the screen is what --config-file avoids.
    const pem = readFileSync(join(dir, "ca.pem"), "utf8");
    expect(output).not.toContain(pem.split("\n")[1]);

    // What the text says each command shows.
    const [preview, up, destroy] = output.split(/^> pulumi-whatsapp-settings@[\d.]+ engine$/m).slice(1);
    for (const line of [
      "+  pulumi-nodejs:dynamic/whatsapp:ApplicationSettings whatsapp-settings create",
      "+  pulumi-nodejs:dynamic/whatsapp:MediaProvider cdn create",
      "+  pulumi-nodejs:dynamic/whatsapp:MediaProvider images create",
      // The group shows; only its URL, which carries the shared secret, is hidden.
      '+ webhooks: {"url":"[secret]","maxConcurrentRequests":6,',
      "+ config: [secret]",
    ]) {
      expect(preview).toContain(line);
    }
    expect(up).toContain("Outputs:");
    expect(up).toContain('mediaProviders: ["cdn","images"]');
    expect(destroy).toContain("-  pulumi-nodejs:dynamic/whatsapp:ApplicationSettings whatsapp-settings delete");
    expect(destroy).toContain("-  pulumi-nodejs:dynamic/whatsapp:MediaProvider cdn delete");
    expect(destroy).toContain("-  pulumi-nodejs:dynamic/whatsapp:MediaProvider images delete");
    // Nothing changed between the commands, so nothing was compiled again.
    expect(statSync(join(dir, "dist", ".build-stamp")).mtimeMs).toBe(stamp);
    // Neither the CA nor the secrets file can be committed by accident.
    expect(execFileSync("git", ["check-ignore", "ca.pem", "rehearsal.secrets"], { cwd: dir, encoding: "utf8" })).toBe(
      "ca.pem\nrehearsal.secrets\n",
    );
  }, 240_000);
});

describe("npm run engine keeps secrets off the command line", () => {
  const cli = (args: string[], input = "") => {
    try {
      const output = execFileSync(process.execPath, [join(ROOT, "dist/test/engine/cli.js"), ...args], {
        encoding: "utf8",
        input,
        stdio: "pipe",
      });
      return { code: 0, output };
    } catch (error) {
      const e = error as { status: number; stdout: string; stderr: string };
      return { code: e.status, output: e.stdout + e.stderr };
    }
  };

  test("--secret KEY=VALUE is refused before anything runs, naming the key and never repeating the value", () => {
    const { code, output } = cli(["preview", "examples/basic", "--secret", "whatsapp:password=Hunter2-Secret"]);
    expect(code).toBe(2);
    expect(output).toContain("--secret is not taken (whatsapp:password)");
    expect(output).toContain("--secrets-file");
    expect(output).not.toContain("Hunter2-Secret");
  });

  test("a malformed secrets-file line is reported by its number, never by its text", () => {
    const input = "# rehearsal\nwebhookUrl=https://hooks.example.com/x?auth=ok\nwhatsapp:password Hunter2-Secret\n";
    const { code, output } = cli(["preview", "examples/basic", "--secrets-file", "-"], input);
    expect(code).toBe(2);
    expect(output).toContain("error: standard input, line 3: expected KEY=VALUE");
    expect(output).not.toContain("Hunter2-Secret");
  });
});
