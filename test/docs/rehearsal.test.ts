/**
 * The rehearsal blocks of README.md, examples/migrate-settings/README.md and
 * examples/fleet-native/README.md, run as written in a fresh copy of the repository against the
 * emulators they start. The only substitutions are the
 * ones the text names: an emulator runs "in another terminal", on other ports when 9090 or 9091
 * are taken. Everything the commands print, npm's echo of each script line included, is scanned
 * for every secret in the secrets file they use.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT } from "../support/packed";
import { block, forms, freePort, freshCopy, run } from "./shell-blocks";

/**
 * The block as a script: each "another terminal" line in the background (waited for until it
 * printed its last start-up line), the rest in order, stopping at the first failure; every
 * emulator stopped by the PID it printed when the script ends, passed or not.
 */
function asScript(text: string, ports: Map<string, number>): string {
  let body = text;
  for (const [written, port] of ports) body = body.replaceAll(written, String(port));
  const script = [
    "stop() { for log in emulator-*.log; do kill $(sed -n 's/^pid: //p' \"$log\") 2>/dev/null || true; done; }",
    "trap stop EXIT",
    "set -e",
  ];
  body.split("\n").forEach((line, index) => {
    if (!line.includes("# in another terminal")) {
      script.push(line);
      return;
    }
    const log = `emulator-${index}.log`;
    script.push(`${line.slice(0, line.indexOf("#")).trim()} > ${log} 2>&1 &`);
    script.push(`for i in $(seq 1 600); do grep -q '^version: ' ${log} && break; sleep 0.1; done`);
    script.push(`cat ${log}`);
  });
  return script.join("\n");
}

function secretsIn(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

interface Rehearsal {
  document: string;
  heading: string;
  ports: string[];
  secretsFile: string;
  /** The secrets the file holds once the emulators added theirs. */
  keys: string[];
  /** Files the run leaves that must never be committed. */
  ignored: string[];
  /** Per engine command, in order, lines the text says it prints. */
  claims: string[][];
}

const SETTINGS = "pulumi-nodejs:dynamic/whatsapp:ApplicationSettings";
const MEDIA = "pulumi-nodejs:dynamic/whatsapp:MediaProvider";
const NATIVE_SETTINGS = "whatsapp:index:ApplicationSettings";
const NATIVE_MEDIA = "whatsapp:index:MediaProvider";

const REHEARSALS: Rehearsal[] = [
  {
    document: "README.md",
    heading: "Rehearsing without the Pulumi CLI",
    ports: ["9090"],
    secretsFile: "rehearsal.secrets",
    keys: ["cdnToken", "imagesPassword", "webhookUrl", "whatsapp:password"],
    ignored: ["ca.pem", "rehearsal.secrets"],
    claims: [
      [
        `+  ${SETTINGS} whatsapp-settings create`,
        `+  ${MEDIA} cdn create`,
        `+  ${MEDIA} images create`,
        // The group shows; only its URL, which carries the shared secret, is hidden.
        '+ webhooks: {"maxConcurrentRequests":6,"message":{"delivered":true,"read":false,"sent":true},"url":"[secret]"}',
        "+ config: [secret]",
      ],
      ["Outputs:", 'mediaProviders: ["cdn","images"]'],
      [`-  ${SETTINGS} whatsapp-settings delete`, `-  ${MEDIA} cdn delete`, `-  ${MEDIA} images delete`],
    ],
  },
  {
    document: "examples/migrate-settings/README.md",
    heading: "Rehearse it without the Pulumi CLI",
    ports: ["9090", "9091"],
    secretsFile: "migrate.secrets",
    keys: ["backupPassword", "newPassword", "oldPassword", "webhookUrl"],
    ignored: ["old-ca.pem", "new-ca.pem", "migrate.secrets", "examples/migrate-settings/old-client.backup"],
    claims: [
      [
        "SettingsBackup old-client-backup create",
        "SettingsRestore new-client-restore create",
        `${SETTINGS} new-client-settings create`,
      ],
      ["SettingsBackup old-client-backup create", "SettingsRestore new-client-restore create", "Outputs:"],
    ],
  },
  {
    document: "examples/fleet-native/README.md",
    heading: "Rehearse it without the Pulumi CLI",
    ports: ["9090", "9091"],
    secretsFile: "fleet.secrets",
    keys: [
      "clientACdnToken",
      "clientAPassword",
      "clientAWebhookUrl",
      "clientBCdnToken",
      "clientBPassword",
      "clientBWebhookUrl",
    ],
    ignored: ["client-a-ca.pem", "client-b-ca.pem", "fleet.secrets"],
    claims: [
      [
        "+  pulumi:providers:whatsapp clientA create",
        "+  pulumi:providers:whatsapp clientB create",
        `+  ${NATIVE_SETTINGS} clientA-settings create`,
        `+  ${NATIVE_MEDIA} clientB-cdn create`,
        '+ webhooks: {"url":"[secret]"}',
        "+ config: [secret]",
      ],
      [`+  ${NATIVE_SETTINGS} clientB-settings create`, "Outputs:", "+ 6 created"],
      [`~  ${NATIVE_SETTINGS} clientA-settings same`, `~  ${NATIVE_MEDIA} clientB-cdn same`, "4 unchanged"],
      [`-  ${NATIVE_SETTINGS} clientA-settings delete`, `-  ${NATIVE_MEDIA} clientB-cdn delete`],
    ],
  },
];

describe.each(REHEARSALS)("$document, $heading", (rehearsal) => {
  test("runs as written in a fresh copy, says what the text says, and prints no secret anywhere", async () => {
    const dir = freshCopy();
    const stamp = statSync(join(dir, "dist", ".build-stamp")).mtimeMs;
    const ports = new Map<string, number>();
    for (const port of rehearsal.ports) ports.set(port, await freePort());
    const { code, output } = await run(asScript(block(rehearsal.document, rehearsal.heading), ports), dir);
    expect({ code, tail: output.slice(-3000) }, output.slice(-3000)).toMatchObject({ code: 0 });

    const secrets = secretsIn(join(dir, rehearsal.secretsFile));
    expect(Object.keys(secrets).sort()).toEqual(rehearsal.keys);
    for (const [key, value] of Object.entries(secrets)) {
      for (const form of forms(value)) expect(output, `${key} shown`).not.toContain(form);
    }
    // A CA is no secret, but a whole certificate on the screen is what --config-file avoids.
    for (const ca of rehearsal.ignored.filter((file) => file.endsWith(".pem"))) {
      expect(output).not.toContain(readFileSync(join(dir, ca), "utf8").split("\n")[1]);
    }

    const printed = output.split(/^> pulumi-whatsapp-settings@[\d.]+ engine$/m).slice(1);
    expect(printed).toHaveLength(rehearsal.claims.length);
    rehearsal.claims.forEach((lines, index) => {
      for (const line of lines) expect(printed[index]).toContain(line);
    });
    // Nothing changed between the commands, so nothing was compiled again.
    expect(statSync(join(dir, "dist", ".build-stamp")).mtimeMs).toBe(stamp);
    // What the run leaves beside the sources cannot be committed by accident.
    const ignored = execFileSync("git", ["check-ignore", ...rehearsal.ignored], { cwd: dir, encoding: "utf8" });
    expect(ignored.trim().split("\n")).toEqual(rehearsal.ignored);
  }, 300_000);
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
