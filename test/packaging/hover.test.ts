import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { freshProgram } from "./fresh-program";

// Each marked name is hovered in an editor; what the hover shows is the package's JSDoc.
const PROGRAM = `import { ApplicationSettings, Provider, SettingsRestore } from "pulumi-whatsapp-settings";
const client = new /*Provider*/Provider("c", { /*baseUrl*/baseUrl: "https://wa.example.com:9090", token: "t" });
const settings = new ApplicationSettings("s", {
  /*callbackPersist*/callbackPersist: true,
  webhooks: { /*maxConcurrentRequests*/maxConcurrentRequests: 12 },
  /*logLevel*/logLevel: "warning",
  /*passThrough*/passThrough: false,
}, { provider: client });
new SettingsRestore("r", { data: "d", password: "p", /*waitForHealthy*/waitForHealthy: true });
export const out = settings./*output logLevel*/logLevel;
export const fields = settings./*restartRequiredFields*/restartRequiredFields;
`;

const dir = freshProgram("nodenext", PROGRAM);
const file = join(dir, "index.ts");
const host: ts.LanguageServiceHost = {
  getCompilationSettings: () => ({
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2020,
    skipLibCheck: true,
  }),
  getScriptFileNames: () => [file],
  getScriptVersion: () => "1",
  getScriptSnapshot: (name) => {
    try {
      return ts.ScriptSnapshot.fromString(readFileSync(name, "utf8"));
    } catch {
      return undefined;
    }
  },
  getCurrentDirectory: () => dir,
  getDefaultLibFileName: ts.getDefaultLibFilePath,
  fileExists: ts.sys.fileExists,
  readFile: ts.sys.readFile,
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories,
  realpath: (path) => ts.sys.realpath?.(path) ?? path,
};
const service = ts.createLanguageService(host);

function hover(marker: string): string {
  const at = PROGRAM.indexOf(`/*${marker}*/`) + marker.length + 4;
  const info = service.getQuickInfoAtPosition(file, at);
  const docs = ts.displayPartsToString(info?.documentation);
  const tags = (info?.tags ?? []).map((tag) => `@${tag.name} ${ts.displayPartsToString(tag.text)}`);
  return [ts.displayPartsToString(info?.displayParts), docs, ...tags].join("\n");
}

test.each([
  ["callbackPersist", ["Keep callbacks on disk", "Takes effect only after a Coreapp restart.", "@default true"]],
  ["maxConcurrentRequests", ["Allowed: 6, 12, 18, 24.", "6 | 12 | 18 | 24", "@default 6"]],
  ["logLevel", ['"info" | "warning" | "error" | "fatal"', "Needs client v2.51.1 or later.", '@default "info"']],
  ["passThrough", ["@deprecated Since client v2.35.0"]],
  ["baseUrl", ["the Webapp's address"]],
  ["waitForHealthy", ["Wait until the client answers", "@default true"]],
  ["Provider", ["@param args Where the client is and how to log in"]],
  ["output logLevel", ["Output<", "Coreapp log level"]],
  ["restartRequiredFields", ["camelCase paths of the restart-required settings"]],
])("hovering %s in a user's program shows the package's docs", (marker, expected) => {
  const shown = hover(marker);
  for (const text of expected) expect(shown).toContain(text);
});
