/**
 * The native provider sends what the dynamic one sends: the same program shape (a client's
 * settings and a media provider) run through the engine stand-in once with the dynamic resources
 * and once with the native ones, and each step's requests to the client compared, method and path.
 */
import { expect, test } from "vitest";
import type { Emulator } from "../emulator/index";
import { runEngine } from "../engine/deployment";
import { emulator } from "../support/emulator";
import { PROVIDERS, type ProviderKind, programFiles } from "../support/native-plugin";
import { programOf } from "../support/program-dir";

/**
 * The program's body, its resources from `ws` (the dynamic classes or `native`, as programFiles
 * loads them). JavaScript: the comparison is of the providers, and a TypeScript program costs each
 * run half a second of ts-node.
 */
const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const config = new pulumi.Config();
new ws.ApplicationSettings("settings", { webhooks: { url: config.requireSecret("webhookUrl") }, logLevel: "warning" });
new ws.MediaProvider("cdn", { name: "cdn", config: { bearer: config.requireSecret("cdnToken") } });
`;

async function stepsOf(provider: ProviderKind): Promise<Record<string, string[]>> {
  const client: Emulator = await emulator();
  const dir = programOf(programFiles(provider, "parity", PROGRAM)).dir;
  const config = {
    "whatsapp:baseUrl": client.url,
    "whatsapp:username": "admin",
    "whatsapp:caCert": client.caCert as string,
  };
  const secrets = {
    "whatsapp:password": client.adminPassword,
    webhookUrl: "https://hooks.example.com/a?auth=parity-secret",
    cdnToken: "Cdn-Bearer-0c9d",
  };
  const out: Record<string, string[]> = {};
  const step = async (name: string, command: "preview" | "up" | "refresh" | "destroy") => {
    client.journal.clear();
    const result = await runEngine(command, { dir, config, secrets });
    expect(result.ok, JSON.stringify(result.diagnostics)).toBe(true);
    out[name] = client.journal
      .filter()
      .map((r) => `${r.method} ${r.path}`)
      .sort();
  };
  await step("preview", "preview");
  await step("create", "up");
  secrets.webhookUrl = "https://hooks.example.com/b?auth=parity-secret";
  await step("update", "up");
  await step("refresh", "refresh");
  await step("delete", "destroy");
  return out;
}

test("each step sends the native provider's client the requests it sends the dynamic provider's (method and path)", async () => {
  const [dynamic, native] = await Promise.all(PROVIDERS.map(stepsOf));
  expect(native).toEqual(dynamic);
  // And both did the work: a preview sends nothing, the create and the delete reach the client.
  expect(dynamic?.preview).toEqual([]);
  expect(dynamic?.create).toEqual(
    expect.arrayContaining(["PATCH /v1/settings/application", "POST /v1/settings/application/media/providers"]),
  );
  expect(dynamic?.update).toContain("PATCH /v1/settings/application");
  expect(dynamic?.delete).toEqual(
    expect.arrayContaining(["DELETE /v1/settings/application", "DELETE /v1/settings/application/media/providers/cdn"]),
  );
}, 600_000);
