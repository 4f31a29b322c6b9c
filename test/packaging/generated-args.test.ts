import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import * as generated from "../../provider/args.generated";
import * as schema from "../../provider/settings/schema";
import { argsTypes, GENERATED_FILE } from "../../scripts/args-types";
import { ROOT } from "../support/packed";

test("provider/args.generated.ts is what the schemas generate (run npm run docs)", () => {
  expect(readFileSync(join(ROOT, GENERATED_FILE), "utf8")).toBe(argsTypes());
});

test.each([
  ["LOG_LEVELS", generated.LOG_LEVELS, schema.LOG_LEVELS],
  ["MEDIA_TYPES", generated.MEDIA_TYPES, schema.MEDIA_TYPES],
  ["MAX_CONCURRENT_REQUESTS", generated.MAX_CONCURRENT_REQUESTS, schema.MAX_CONCURRENT_REQUESTS],
])("the exported value list %s holds the schema's values", (_name, exported, fromSchema) => {
  expect(exported).toEqual(fromSchema);
});

const source = readFileSync(join(ROOT, GENERATED_FILE), "utf8");

test.each(schema.FIELDS.map((field) => [field.path, field] as const))(
  "the Args property %s carries its docs: allowed values, default, restart, version, deprecation",
  (_path, field) => {
    const leaf = field.path.split(".").pop() as string;
    const wire = `Wire name: \`${field.wirePath}\`.`;
    const at = source.indexOf(wire);
    expect(at).toBeGreaterThan(0);
    const doc = source.slice(source.lastIndexOf("/**", at), source.indexOf("*/", at));
    const declaration = source.slice(source.indexOf("*/", at)).split("\n")[1] ?? "";
    expect(declaration).toMatch(new RegExp(`^\\s+${leaf}\\?: pulumi\\.Input<`));
    expect(doc).toContain(field.meta.description);
    expect(doc).toContain(`Allowed: ${field.meta.allowed}.`);
    expect(doc).toContain(`@default ${JSON.stringify(field.meta.default)}`);
    expect(doc.includes("Takes effect only after a Coreapp restart.")).toBe(field.meta.restart);
    expect(doc.includes("or later.")).toBe(field.meta.since !== undefined);
    expect(doc.includes("@deprecated")).toBe(field.meta.deprecated !== undefined);
    if (field.meta.deprecated) expect(doc).toContain(field.meta.deprecated.note);
  },
);

test("a numeric setting takes a numeric string in its type exactly when the schema takes one", () => {
  const numeric = schema.FIELDS.filter((field) => typeof field.meta.default === "number");
  expect(numeric.length).toBeGreaterThan(3);
  for (const field of numeric) {
    const leaf = field.path.split(".").pop() as string;
    const at = source.indexOf(`Wire name: \`${field.wirePath}\`.`);
    const declaration = source.slice(source.indexOf("*/", at)).split("\n")[1] ?? "";
    const takesString = field.schema.safeParse(String(field.meta.default)).success;
    expect({ field: field.path, template: declaration.includes("`${") }).toEqual({
      field: field.path,
      template: takesString,
    });
    expect(declaration).toContain(`${leaf}?:`);
  }
});
