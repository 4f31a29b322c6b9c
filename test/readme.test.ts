import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { FIELDS } from "../provider/settings/schema";
import { withTables } from "../scripts/config-table";
import { ROOT } from "./support/packed";

const readme = readFileSync(join(__dirname, "../README.md"), "utf8");

test("README's configuration and resource tables are the ones the schemas generate (run npm run docs)", () => {
  expect(readme).toBe(withTables(readme));
  for (const field of FIELDS) expect(readme).toContain(`| \`${field.path}\` | \`${field.wirePath}\` |`);
});

test("README's restart list names exactly the restart-required fields", () => {
  const section = readme.slice(readme.indexOf("### What needs a Coreapp restart"), readme.indexOf("## Errors"));
  const named = [...section.matchAll(/`([A-Za-z.]+)`/g)].map((m) => m[1]);
  expect(new Set(named)).toEqual(new Set(FIELDS.filter((f) => f.meta.restart).map((f) => f.path)));
});

const samples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);

test("README's TypeScript samples are whole programs that compile against the built package", async () => {
  expect(samples.length).toBeGreaterThanOrEqual(2);
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".tmp", "readme-"));
  const files = samples.map((sample, i) => {
    writeFileSync(join(dir, `sample-${i}.ts`), sample);
    return `sample-${i}.ts`;
  });
  // The `pulumi new typescript` options, with the package name pointing at the built typings
  // (whose own compilation under every template is test/packaging/typings.test.ts's business).
  const tsconfig = {
    compilerOptions: {
      strict: true,
      target: "es2020",
      module: "nodenext",
      moduleResolution: "nodenext",
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      paths: { "pulumi-whatsapp-settings": [join(ROOT, "dist/provider/index.d.ts")] },
    },
    files,
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [tsc, "-p", dir, "--pretty", "false"], (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === "number" ? error.code : error ? -1 : 0, output: stdout + stderr }),
    );
  });
  expect(output.split("\n").filter((line) => line.includes("error TS"))).toEqual([]);
  expect({ code, output }).toEqual({ code: 0, output: "" });
}, 120_000);
