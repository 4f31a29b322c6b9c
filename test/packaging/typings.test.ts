import { describe, expect, test } from "vitest";
import { FULL_RUN } from "../support/full-run";
import { COMPILERS, type Compiler, compile, compilerVersion, freshProgram, TEMPLATES } from "./fresh-program";

// What a user writes first: every resource, a Provider, config values typed by the exported
// enum types, a numeric string where the schema takes one, and a value the types must refuse.
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import {
  ApplicationSettings,
  LOG_LEVELS,
  type LogLevel,
  MAX_CONCURRENT_REQUESTS,
  type MaxConcurrentRequests,
  Provider,
  SettingsBackup,
  SettingsRestore,
} from "pulumi-whatsapp-settings";

const config = new pulumi.Config();
const level = config.get("logLevel") ?? "warning";
const logLevel: LogLevel = LOG_LEVELS.find((l) => l === level) ?? "info";
const concurrency = config.getNumber("maxConcurrentRequests") ?? 6;
const maxConcurrentRequests: MaxConcurrentRequests = MAX_CONCURRENT_REQUESTS.find((n) => n === concurrency) ?? 6;

const client = new Provider("client", {
  baseUrl: "https://wa.example.com:9090",
  username: "admin",
  password: config.requireSecret("password"),
});
const settings = new ApplicationSettings(
  "settings",
  {
    callbackPersist: true,
    callbackBackoffDelayMs: "3000",
    webhooks: { url: config.requireSecret("webhookUrl"), maxConcurrentRequests, message: { sent: true } },
    media: { autoDownload: ["image", "audio"] },
    logLevel,
  },
  { provider: client },
);
// @ts-expect-error "verbose" is not a log level
new ApplicationSettings("refused", { logLevel: "verbose" });
const backup = new SettingsBackup("backup", { password: config.requireSecret("backupPassword") }, { provider: client });
new SettingsRestore(
  "restore",
  { data: backup.data, password: config.requireSecret("backupPassword"), expectedSha256: backup.sha256 },
  { provider: client },
);

export const restartRequiredFields = settings.restartRequiredFields;
export const webhookConcurrency = settings.webhooks.apply((webhooks) => webhooks?.maxConcurrentRequests);
`;

const pairs = TEMPLATES.flatMap((template) =>
  (Object.keys(COMPILERS) as Compiler[]).map((compiler) => ({ template, compiler })),
);
// Every template meets every compiler in `npm run test:full`; `npm test` takes the diagonal, which
// still meets each template and each compiler once.
const cases = FULL_RUN ? pairs : pairs.filter((_, i) => i % (Object.keys(COMPILERS).length + 1) === 0);

describe.concurrent.each(cases)(
  "a fresh program under the $template template tsconfig and TypeScript $compiler",
  ({ template, compiler }) => {
    test("compiles with zero errors, without skipLibCheck or esModuleInterop, and loads no zod", async () => {
      const dir = freshProgram(template, PROGRAM);
      const { errors, files } = await compile(dir, compiler);
      console.log(
        `${template} × TypeScript ${compilerVersion(compiler)}: ${errors.length} errors, ${files.length} files`,
      );
      expect(errors).toEqual([]);
      expect(files.filter((file) => /[/\\]zod[/\\]|[/\\]undici[/\\]/.test(file))).toEqual([]);
      expect(files.some((file) => file.includes("pulumi-whatsapp-settings/dist/provider/args.generated.d.ts"))).toBe(
        true,
      );
    }, 180_000);
  },
);
