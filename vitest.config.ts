import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Most files wait on child processes (Pulumi's program runner and provider host) and loopback
    // servers, not on the CPU: on an idle 2-core machine two workers cut the run by a quarter (608 s
    // to 454 s), and a third fills what is left of the waits (400 s to 344 s, same tests).
    maxWorkers: 3,
    // All three from the start and to the end: with `isolate: false`, vitest 3.2 stops a worker
    // above minWorkers in a way that fails the run ("Terminating worker thread", vitest-dev/vitest#8133).
    minWorkers: 3,
    // Test files take turns in those three worker processes instead of each starting its own: a
    // file's start was mostly loading @pulumi/pulumi, zod, undici and gRPC again, about half a
    // second of CPU per file. fresh-file.ts gives each file fresh modules of this repository and
    // the worker's own environment, as a process of its own would.
    isolate: false,
    setupFiles: ["test/support/fresh-file.ts"],
    // For fresh-file.ts's collection of the previous file's garbage.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
    testTimeout: 30_000,
    // What a passing test's code logs (the provider's warnings, Pulumi's log lines) is noise; a
    // failing test's logs are shown with its failure.
    silent: "passed-only",
    hookTimeout: 60_000,
    // The package is packed once for the run, not once per test file.
    globalSetup: ["test/support/pack-once.ts"],
    env: {
      // Restores in tests record their intent here, not in the user's home directory.
      WHATSAPP_RESTORE_RECORD_DIR: mkdtempSync(join(tmpdir(), "restore-records-")),
      // And what the resources of a deployment know of each other, here (mkdtemp makes it 0700).
      WHATSAPP_DEPLOYMENT_MEMORY_DIR: mkdtempSync(join(tmpdir(), "deployment-memory-")),
      // Programs run by the engine stand-in skip ts-node's type check (Pulumi's own switch): the
      // examples are type-checked by tsc in test/packaging, and broken.test.ts turns it back on.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      // Each test starts Pulumi's program runner and provider host, which load @pulumi/pulumi
      // afresh: Node's on-disk compile cache (keyed by file contents) halves that load, about a
      // sixth of the suite's CPU time. Outside the repository, so no test that scans it meets it.
      NODE_COMPILE_CACHE: join(tmpdir(), "pulumi-whatsapp-settings-compile-cache"),
    },
  },
});
