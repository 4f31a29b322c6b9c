import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config";

// `npm run test:full`: the whole suite with every row of every table (test/support/full-run.ts).
export default mergeConfig(base, defineConfig({ test: { env: { WHATSAPP_TEST_FULL: "1" } } }));
