import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, test } from "vitest";

const ROOT = resolve(__dirname, "../provider");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Local imports of each provider module, as paths relative to provider/. */
const graph = new Map(
  files(ROOT).map((file) => {
    const source = readFileSync(file, "utf8");
    const imports = [...source.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((m) =>
      relative(ROOT, resolve(dirname(file), `${m[1]}.ts`)),
    );
    return [relative(ROOT, file), imports] as const;
  }),
);

test("provider modules import each other without cycles", () => {
  expect(graph.size).toBeGreaterThan(15);
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (path.includes(node)) {
      cycles.push([...path.slice(path.indexOf(node)), node].join(" → "));
      return;
    }
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
  };
  for (const node of graph.keys()) visit(node, []);
  expect(cycles).toEqual([]);
});

test("imports go one way: errors at the bottom, resources and index at the top", () => {
  expect(graph.get("errors.ts")).toEqual([]);
  const top = new Set(["index.ts", "settings/resource.ts", "backup/resources.ts", "media/resource.ts"]);
  for (const [file, imports] of graph) {
    if (file === "index.ts") continue;
    const upward = imports.filter((target) => top.has(target));
    expect({ file, upward }).toEqual({ file, upward: [] });
  }
  // The lifecycle modules Pulumi loads in its provider process never pull in resource classes.
  for (const lifecycle of [
    "settings/provider.ts",
    "backup/backup-provider.ts",
    "backup/restore-provider.ts",
    "media/provider.ts",
  ]) {
    expect(graph.get(lifecycle)?.some((target) => top.has(target) || target === "connection-provider.ts")).toBe(false);
  }
});
