/** The emulator as a command. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { call, login } from "../support/api";
import type { Emulator } from "./index";

describe("command line", () => {
  test("npm run emulator prints the URL, the credentials and the CA file, and restarts on SIGHUP", async () => {
    const child = spawn(process.execPath, ["dist/test/emulator/cli.js", "--port", "0", "--https"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      let output = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        output += chunk;
      });
      await expect.poll(() => output, { timeout: 10_000 }).toMatch(/version: .*\n/);
      const lines = Object.fromEntries(
        output
          .trim()
          .split("\n")
          .map((l) => l.split(": ") as [string, string]),
      );
      expect(lines.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.username).toBe("admin");
      const e = { url: lines.url, caCert: readFileSync(lines["ca-cert"] as string, "utf8") } as Emulator;
      const token = await login(e, "admin", lines.password);
      await call(e, "PATCH", "/v1/settings/application", { token, body: { log_level: "error" } });
      expect((await call(e, "GET", "/_emulator/state")).json.pending_restart).toEqual(["log_level"]);
      child.kill("SIGHUP");
      await expect.poll(() => output, { timeout: 5000 }).toContain("coreapp restarted");
      expect((await call(e, "GET", "/_emulator/state")).json.pending_restart).toEqual([]);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});
