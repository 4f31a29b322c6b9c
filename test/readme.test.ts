import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { FIELDS } from "../provider/settings/schema";
import { withTable } from "../scripts/config-table";

const readme = readFileSync(join(__dirname, "../README.md"), "utf8");

test("README's configuration table is the one the schema generates (run npm run docs)", () => {
  expect(readme).toBe(withTable(readme));
  for (const field of FIELDS) expect(readme).toContain(`| \`${field.path}\` | \`${field.wirePath}\` |`);
});

test("README's restart list names exactly the restart-required fields", () => {
  const section = readme.slice(readme.indexOf("### What needs a Coreapp restart"), readme.indexOf("## Errors"));
  const named = [...section.matchAll(/`([A-Za-z.]+)`/g)].map((m) => m[1]);
  expect(new Set(named)).toEqual(new Set(FIELDS.filter((f) => f.meta.restart).map((f) => f.path)));
});
