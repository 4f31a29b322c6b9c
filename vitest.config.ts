import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Restores in tests record their intent here, not in the user's home directory.
    env: { WHATSAPP_RESTORE_RECORD_DIR: mkdtempSync(join(tmpdir(), "restore-records-")) },
  },
});
