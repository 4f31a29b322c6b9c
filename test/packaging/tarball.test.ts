import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { packInto, ROOT } from "../support/packed";

const { tarball, files } = packInto(mkdtempSync(join(tmpdir(), "tarball-")));

/** What the package must hold: each provider module compiled with its declarations, and the docs. */
const expected = [
  "CHANGELOG.md",
  "LICENSE",
  "README.md",
  "package.json",
  // The native provider as a plugin: the executable, the plugin directory and the schema.
  "bin/pulumi-resource-whatsapp",
  "plugin/PulumiPlugin.yaml",
  "plugin/index.js",
  "plugin/package.json",
  "schema.json",
  ...execFileSync("git", ["ls-files", "provider"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((file) => file.endsWith(".ts"))
    .flatMap((file) => [`dist/${file.replace(/\.ts$/, ".js")}`, `dist/${file.replace(/\.ts$/, ".d.ts")}`]),
].sort();

test("the tarball holds exactly the compiled provider, its declarations, README, CHANGELOG and LICENSE", () => {
  expect(files).toEqual(expected);
  expect(files).toEqual(expect.arrayContaining(["dist/provider/index.d.ts", "dist/provider/args.generated.d.ts"]));
});

test("no shipped file points at a source map, since the sources are not shipped", () => {
  const listing = execFileSync("tar", ["-xzOf", tarball], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  expect(listing).not.toContain("sourceMappingURL");
  expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
});

test.each([
  ["license", "Apache-2.0"],
  ["main", "dist/provider/index.js"],
  ["types", "dist/provider/index.d.ts"],
])("package.json's %s is %s", (key, value) => {
  expect((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>)[key]).toBe(value);
});

test("package.json names its repository, homepage and keywords, and LICENSE is the Apache-2.0 text", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
  expect(manifest.repository).toMatchObject({ type: "git", url: expect.stringMatching(/^git\+https:\/\//) });
  expect(manifest.homepage).toMatch(/^https:\/\//);
  expect(manifest.keywords).toEqual(expect.arrayContaining(["pulumi", "whatsapp"]));
  const license = readFileSync(join(ROOT, "LICENSE"), "utf8");
  expect(license).toContain("Apache License");
  expect(license).toContain("Version 2.0, January 2004");
  expect(license).toContain("END OF TERMS AND CONDITIONS");
});

test("CHANGELOG.md has an entry for the version in package.json and for 0.1.0", () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const changelog = readFileSync(join(ROOT, "CHANGELOG.md"), "utf8");
  expect(changelog).toContain(`\n## ${version}\n`);
  expect(changelog).toContain("\n## 0.1.0\n");
});
