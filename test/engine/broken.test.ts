/**
 * Broken programs fail the way the Pulumi CLI fails them: before running anything for a bad
 * project file, with the compiler's message for a type error, with the provider's reason for a
 * failed check. Nothing reaches the client for the resource that fails.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import type { Emulator } from "../emulator/index";
import { emulator } from "../support/emulator";
import { copyExample } from "../support/program-dir";
import { runEngine } from "./deployment";

const PROJECT = `name: whatsapp-settings-basic
runtime:
  name: nodejs
  options:
    typescript: true
`;

/** The example's own config that has no default: the media hosts' credentials. */
const MEDIA_CONFIG = { imagesUsername: "media" };
const MEDIA_SECRETS = { cdnToken: "cdn-token-3f9a", imagesPassword: "images-pass-7c1e" };

/** examples/basic's config and secrets for a client, with `webhookUrl` as given. */
function exampleConfig(e: Emulator, webhookUrl: string, config: Record<string, string> = {}) {
  return {
    config: {
      ...config,
      "whatsapp:username": "admin",
      "whatsapp:caCert": e.caCert as string,
      maxConcurrentRequests: "6",
      logLevel: "info",
      ...MEDIA_CONFIG,
    },
    secrets: { "whatsapp:password": e.adminPassword, webhookUrl, ...MEDIA_SECRETS },
  };
}

function errorsOf(result: Awaited<ReturnType<typeof runEngine>>): string {
  return result.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => d.message)
    .join("\n");
}

describe("project file validation, as the CLI's", () => {
  test.each([
    [
      "a key outside the project's namespace with a type",
      `${PROJECT}config:\n  whatsapp:baseUrl:\n    type: string\n`,
      "Configuration key 'whatsapp:baseUrl' is not namespaced by the project and should not define a type",
    ],
    [
      "a key outside the project's namespace with a default",
      `${PROJECT}config:\n  whatsapp:baseUrl:\n    default: https://wa.example.com\n`,
      "Configuration key 'whatsapp:baseUrl' is not namespaced by the project and should not define a default value",
    ],
    [
      "a project key with both default and value",
      `${PROJECT}config:\n  logLevel:\n    default: info\n    value: error\n`,
      "project config 'logLevel' cannot have both a 'default' and 'value' attribute",
    ],
    ["no runtime", "name: x\n", "project is missing a 'runtime' attribute"],
    ["YAML that does not parse", "name: [x\n", "could not unmarshal"],
  ])("%s is refused before the program runs", async (_, yaml, message) => {
    const program = copyExample("basic");
    program.write("Pulumi.yaml", yaml);
    const result = await runEngine("preview", { dir: program.dir });
    expect(result.ok).toBe(false);
    expect(errorsOf(result)).toContain(message);
    expect(result.steps).toEqual([]);
  });

  // Pulumi's ValidateStackConfigAndApplyProjectConfig: a declared project key with neither a
  // default nor a value needs a stack value; the CLI says so before the program starts.
  test.each([
    [{ ...MEDIA_CONFIG, cdnToken: "t" }, "Stack 'dev' is missing configuration value 'imagesPassword'"],
    [MEDIA_CONFIG, "Stack 'dev' is missing configuration values 'cdnToken' and 'imagesPassword'"],
    [{}, "Stack 'dev' is missing configuration values 'cdnToken', 'imagesPassword' and 'imagesUsername'"],
  ])(
    "a declared key without a default or a value stops the run before the program starts (%j)",
    async (config, message) => {
      const e = await emulator();
      const program = copyExample("basic");
      const result = await runEngine("preview", {
        dir: program.dir,
        config: { "whatsapp:baseUrl": e.url, ...config },
        secrets: { webhookUrl: "https://hooks.example.com/x" },
      });
      expect(result.ok).toBe(false);
      expect(errorsOf(result)).toContain(message);
      expect(result.steps).toEqual([]);
      expect(e.journal.count()).toBe(0);
    },
  );

  test("a key outside the project's namespace with only a value is accepted and reaches the provider", async () => {
    const e = await emulator();
    const program = copyExample("basic");
    program.write("Pulumi.yaml", `${PROJECT}config:\n  whatsapp:baseUrl:\n    value: ${e.url}\n`);
    const result = await runEngine("preview", {
      dir: program.dir,
      ...exampleConfig(e, "https://hooks.example.com/x"),
    });
    expect(errorsOf(result)).toBe("");
    expect(result.ok).toBe(true);
  }, 120_000);
});

describe("programs that fail", () => {
  test("a type error fails in ts-node with the compiler's message, as `pulumi preview` shows it", async () => {
    process.env.PULUMI_NODEJS_TRANSPILE_ONLY = "false";
    onTestFinished(() => {
      process.env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
    });
    const program = copyExample("basic");
    program.write("Pulumi.yaml", PROJECT);
    program.write("index.ts", `${program.read("index.ts")}\nexport const retries: number = "three";\n`);
    const result = await runEngine("preview", {
      dir: program.dir,
      config: { "whatsapp:baseUrl": "https://127.0.0.1:1", ...MEDIA_CONFIG },
      secrets: { "whatsapp:password": "x", webhookUrl: "https://hooks.example.com/x", ...MEDIA_SECRETS },
    });
    expect(result.ok).toBe(false);
    expect(errorsOf(result)).toContain("Unable to compile TypeScript");
    expect(errorsOf(result)).toMatch(/index\.ts\(\d+,\d+\): error TS2322/);
    expect(result.steps.filter((s) => s.type !== "pulumi:pulumi:Stack")).toEqual([]);
  }, 120_000);

  test("a resource whose check fails stops the run with the provider's reason, and nothing is sent for it", async () => {
    const e = await emulator();
    const program = copyExample("basic");
    program.write("Pulumi.yaml", PROJECT);
    const result = await runEngine("up", {
      dir: program.dir,
      // The program checks its own enums; the provider's check refuses a webhook that is not HTTPS.
      ...exampleConfig(e, "http://hooks.example.com/x", { "whatsapp:baseUrl": e.url }),
    });
    expect(result.ok).toBe(false);
    expect(errorsOf(result)).toMatch(/ApplicationSettings resource 'whatsapp-settings' has a problem: webhooks\.url/);
    // The media providers register before it: their steps are generated first, run, and stay in state.
    expect(e.journal.filter().filter((r) => r.path === "/v1/settings/application")).toEqual([]);
    expect(result.checkpoint.resources.filter((r) => r.type.endsWith(":ApplicationSettings"))).toEqual([]);
  }, 120_000);
});
