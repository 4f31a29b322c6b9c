import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../support/packed";

const CLI = join(ROOT, "dist/test/emulator/cli.js");

/** Lines the emulator printed, once it printed `version:` (its last start-up line). */
function started(child: ChildProcess): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (!/^version: /m.test(text)) return;
      const lines = text.split("\n").filter((line) => line.includes(": "));
      resolve(new Map(lines.map((line) => [line.slice(0, line.indexOf(": ")), line.slice(line.indexOf(": ") + 2)])));
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code} before starting: ${text}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

test.each(["SIGINT", "SIGTERM"] as const)(
  "the emulator CLI of npm run emulator prints its own pid, and %s stops it cleanly and closes its port",
  async (signal) => {
    const child = spawn(process.execPath, [CLI, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const printed = await started(child);
    expect(printed.get("pid")).toBe(String(child.pid));
    const url = printed.get("url") as string;
    expect(await accepts(url)).toBe(true);
    const exit = exited(child);
    process.kill(Number(printed.get("pid")), signal);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(await accepts(url)).toBe(false);
  },
);
