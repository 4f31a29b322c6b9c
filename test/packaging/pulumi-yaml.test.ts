import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../support/packed";
import { projectProblems, requiredConfig } from "./pulumi-project";

const projectFiles = execFileSync("git", ["ls-files", "--", "Pulumi.yaml", "**/Pulumi.yaml"], {
  cwd: ROOT,
  encoding: "utf8",
})
  .split("\n")
  .filter(Boolean);

test("the repository has a Pulumi.yaml for every example", () => {
  expect(projectFiles).toEqual(
    expect.arrayContaining(["examples/basic/Pulumi.yaml", "examples/migrate-settings/Pulumi.yaml"]),
  );
});

test.each(projectFiles)("%s loads under Pulumi's project schema and config namespacing rule", (file) => {
  expect(projectProblems(readFileSync(join(ROOT, file), "utf8"))).toEqual([]);
});

const base = "name: demo\nruntime: nodejs\n";

test.each([
  {
    rule: "namespacing: a provider's key may not declare a type",
    yaml: `${base}config:\n  whatsapp:baseUrl:\n    type: string\n    value: https://wa.example.com\n`,
    problem: "Configuration key 'whatsapp:baseUrl' is not namespaced by the project and should not define a type",
  },
  {
    rule: "namespacing: a provider's key may not declare a default",
    yaml: `${base}config:\n  whatsapp:baseUrl:\n    default: https://wa.example.com\n`,
    problem:
      "Configuration key 'whatsapp:baseUrl' is not namespaced by the project and should not define a default value",
  },
  {
    rule: "namespacing: a provider's key must carry a value",
    yaml: `${base}config:\n  whatsapp:baseUrl:\n    description: where the client is\n`,
    problem: "Configuration key 'whatsapp:baseUrl' is namespaced and must provide an attribute 'value'",
  },
  {
    rule: "project config: default and value together",
    yaml: `${base}config:\n  logLevel:\n    type: string\n    default: info\n    value: error\n`,
    problem: "project config 'logLevel' cannot have both a 'default' and 'value' attribute",
  },
  {
    rule: "schema: name is required",
    yaml: "runtime: nodejs\n",
    problem: "schema: name is required and must be a non-empty string",
  },
  { rule: "schema: runtime is required", yaml: "name: demo\n", problem: "schema: runtime is required" },
  {
    rule: "schema: runtime object takes only name and options",
    yaml: "name: demo\nruntime:\n  name: nodejs\n  typescript: true\n",
    problem: "schema: runtime.typescript is not allowed",
  },
  {
    rule: "schema: config types are string, integer, boolean or array",
    yaml: `${base}config:\n  port:\n    type: number\n`,
    problem: "schema: config 'port' type must be one of string, integer, boolean, array",
  },
])("the checker refuses what the CLI refuses ($rule)", ({ yaml, problem }) => {
  expect(projectProblems(yaml)).toContain(problem);
});

test("a key in the project's own namespace may declare a type and a default", () => {
  expect(
    projectProblems(
      `${base}config:\n  demo:logLevel:\n    type: string\n    default: info\n  aws:region:\n    value: eu-west-1\n`,
    ),
  ).toEqual([]);
});

const examples = projectFiles
  .filter((file) => file.startsWith("examples/"))
  .map((file) => file.split("/")[1] as string);

// examples/fleet-native names its config keys after each client (`<client>Url`), which its README
// lists in prose and test/e2e/fleet-native.test.ts sets: no fixed key to look for here.
test.each(examples.filter((example) => example !== "fleet-native"))(
  "examples/%s's README sets every required config key with pulumi config set",
  (example) => {
    const dir = join(ROOT, "examples", example);
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    const program = readFileSync(join(dir, "index.ts"), "utf8");
    const required = requiredConfig(readFileSync(join(dir, "Pulumi.yaml"), "utf8"));
    // Without an explicit Provider the program connects through the provider's stack config.
    if (!program.includes("new Provider(")) required.push("whatsapp:baseUrl", "whatsapp:username", "whatsapp:password");
    expect(required.length).toBeGreaterThan(0);
    const set = [...readme.matchAll(/^pulumi config set (?:--secret )?([\w:]+) /gm)].map((m) => m[1]);
    expect(required.filter((key) => !set.includes(key))).toEqual([]);
  },
);
