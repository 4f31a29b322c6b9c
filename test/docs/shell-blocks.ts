/**
 * The shell blocks of a Markdown document, and a fresh copy of the repository to run them in:
 * what a user who just cloned it and ran README's first commands (`npm ci && npm start`) has.
 */
import { execFileSync, execSync } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/packed";

export interface ShellBlock {
  /** The `##`/`###` heading the block sits under. */
  heading: string;
  /** The block's text, as written. */
  text: string;
}

export function shellBlocks(markdown: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  let heading = "";
  const pattern = /^(#{1,4}) (.*)$|^```sh\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    if (match[2] !== undefined) heading = match[2];
    else blocks.push({ heading, text: match[3] as string });
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
