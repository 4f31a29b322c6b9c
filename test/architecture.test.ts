import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect, test } from "vitest";
import * as index from "../provider/index";
import { RESOURCES } from "../provider/resources";
import { ROUTES } from "./emulator/routes";

const ROOT = resolve(__dirname, "../provider");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Local imports of each provider module, as paths relative to provider/. */
const sources = new Map(files(ROOT).map((file) => [relative(ROOT, file), readFileSync(file, "utf8")] as const));

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

/** The native provider serves the registry: it sits beside the index, above everything else. */
const isNative = (file: string) => file.startsWith("native/");

test("imports go one way: errors at the bottom, then the rest, the resource classes, the registry, the index", () => {
  expect(graph.get("errors.ts")).toEqual([]);
  const classes = [...sources].filter(([, source]) => /extends pulumi\.dynamic\.Resource\b/.test(source));
  expect(classes.length).toBeGreaterThan(0);
  const layer = (file: string) =>
    file === "index.ts" || isNative(file)
      ? 3
      : file === "resources.ts"
        ? 2
        : classes.some(([name]) => name === file)
          ? 1
          : 0;
  const top = new Set(["index.ts", "resources.ts", ...classes.map(([file]) => file)]);
  for (const [file, imports] of graph) {
    const upward = imports.filter(
      (target) =>
        layer(target) > 0 &&
        layer(target) >= layer(file) &&
        !(isNative(file) && isNative(target)) &&
        // The index exports the native SDK, which imports nothing of the provider's above the types.
        !(file === "index.ts" && target === "native/sdk.generated.ts"),
    );
    expect({ file, upward }).toEqual({ file, upward: [] });
  }
  // The lifecycle modules Pulumi loads in its provider process never pull in resource classes.
  const lifecycles = [...sources].filter(([, source]) => /^export async function create\(/m.test(source));
  expect(lifecycles.length).toBe(RESOURCES.length);
  for (const [lifecycle] of lifecycles) {
    expect(graph.get(lifecycle)?.some((target) => top.has(target) || target === "connection-provider.ts")).toBe(false);
  }
});

test("the transport and the other shared modules import no resource folder, and no resource folder imports another", () => {
  const folderOf = (file: string) => (file.includes("/") ? file.split("/")[0] : undefined);
  const above = new Set(["index.ts", "resources.ts"]);
  const crossings: string[] = [];
  for (const [file, imports] of graph) {
    if (above.has(file) || isNative(file)) continue;
    for (const target of imports) {
      const folder = folderOf(target);
      if (folder !== undefined && folder !== folderOf(file)) crossings.push(`${file} → ${target}`);
    }
  }
  expect(crossings).toEqual([]);
  // The transport holds no API path but its own login.
  expect(sources.get("client.ts")?.match(/"\/v1\/[^"]*"/g)).toEqual(['"/v1/users/login"']);
});

test.each(RESOURCES.map((entry) => [entry.model.type, entry] as const))(
  "%s is registered whole: its class is exported under its type, its lifecycle has every step, the emulator answers at its path",
  (type, { model, lifecycle, resource }) => {
    expect(resource.name).toBe(type);
    expect((index as Record<string, unknown>)[type]).toBe(resource);
    for (const step of ["check", "diff", "create", "read", "update", "delete"] as const) {
      expect({ type, step, kind: typeof lifecycle[step] }).toEqual({ type, step, kind: "function" });
    }
    expect(ROUTES.some((route) => route.pattern.test(model.path))).toBe(true);
  },
);

test("every resource class the index exports is registered", () => {
  const resourceClasses = Object.entries(index)
    .filter(([, value]) => typeof value === "function" && value.prototype instanceof pulumi.dynamic.Resource)
    .map(([name]) => name);
  expect(resourceClasses.sort()).toEqual(RESOURCES.map((entry) => entry.model.type).sort());
});
