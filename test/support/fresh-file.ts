/**
 * Runs before each test file. Test files share their worker processes (`isolate: false` in
 * vitest.config.ts), so each file starts here as it would in a process of its own: this
 * repository's modules evaluated afresh (the provider's module-level state, such as its process
 * state and deployment memory, starts empty), the environment as vitest gave it to the worker
 * (a file that sets a variable leaves it to no other), and the previous file's garbage collected
 * (a file that left a large heap would otherwise slow the next one's timing-bound tests). Packages
 * under node_modules (@pulumi/pulumi, zod, undici, gRPC) stay loaded: loading them again for every
 * file was most of a file's start-up.
 */
import { vi } from "vitest";

const WORKER_ENV = Symbol.for("pulumi-whatsapp-settings.test.worker-env");
const worker = globalThis as typeof globalThis & { [WORKER_ENV]?: NodeJS.ProcessEnv; gc?: () => void };
const env = worker[WORKER_ENV] ?? { ...process.env };
worker[WORKER_ENV] = env;
for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
Object.assign(process.env, env);
vi.resetModules();
worker.gc?.();
