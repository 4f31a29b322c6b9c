/**
 * The shell blocks of a Markdown document, and a fresh copy of the repository to run them in:
 * what a user who just cloned it and ran README's first commands (`npm ci && npm start`) has.
 */
import { execFileSync, execSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/packed";

export interface ShellBlock {
  /** The `##`/`###` heading the block sits under. */
  heading: string;
  /** The block's text, as written. */
  text: string;
}

export function shellBlocks(markdown: string, language = "sh"): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  let heading = "";
  const pattern = /^(#{1,4}) (.*)$|^```(\w*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    if (match[2] !== undefined) heading = match[2];
    else if (match[3] === language) blocks.push({ heading, text: match[4] as string });
  }
  return blocks;
}

/**
 * The repository's files (tracked, and new ones not ignored) in a new directory outside it, with
 * mtimes kept, the root's node_modules linked and its built dist/ copied as `npm start` leaves it.
 */
export function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "fresh-clone-"));
  execSync(`git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C '${dir}'`, {
    cwd: ROOT,
    shell: "/bin/bash",
  });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true, preserveTimestamps: true });
  // The build npm test made is current: mark it so, as a build by `npm start` would have.
  writeFileSync(join(dir, "dist", ".build-stamp"), "copied\n");
  execFileSync("git", ["init", "-q"], { cwd: dir });
  return dir;
}

/** The `index`th block in `language` under `heading` of a document of the repository. */
export function block(document: string, heading: string, index = 0, language = "sh"): string {
  const found = shellBlocks(readFileSync(join(ROOT, document), "utf8"), language).filter((b) => b.heading === heading);
  const text = found[index]?.text;
  if (text === undefined) throw new Error(`${document} has no ${language} block ${index + 1} under "${heading}"`);
  return text;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function run(
  script: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  // A block runs in the shell a user types it into: npm settings this run inherited from its own
  // npm (`npm run -s` sets the log level) would change what the block's npm prints.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "npm_config_loglevel"));
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], {
      cwd,
      env: {
        ...inherited,
        npm_config_prefer_offline: "true",
        npm_config_audit: "false",
        npm_config_fund: "false",
        ...env,
      },
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
export function forms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString("base64"),
  ];
}
