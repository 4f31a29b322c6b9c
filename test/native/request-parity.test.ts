/**
 * The native provider sends what the dynamic one sends: the same program shape (a client's
 * settings and a media provider) run through the engine stand-in once with the dynamic resources
 * and once with the native ones, and each step's requests to the client compared, method and path.
 */
import { expect, test } from "vitest";
import type { Emulator } from "../emulator/index";
import { runEngine } from "../engine/deployment";
import { emulator } from "../support/emulator";
import { nativeTypeScriptProgram } from "../support/native-plugin";
import { programOf } from "../support/program-dir";

/** The program, with its resources from `from` (the dynamic classes or `native`). */
const program = (from: string) => `import * as pulumi from "@pulumi/pulumi";
import ${from} from "pulumi-whatsapp-settings";
const config = new pulumi.Config();
new wa.ApplicationSettings("settings", { webhooks: { url: config.requireSecret("webhookUrl") }, logLevel: "warning" });
new wa.MediaProvider("cdn", { name: "cdn", config: { bearer: config.requireSecret("cdnToken") } });
`;

const SHAPES = [
  { provider: "dynamic", from: "* as wa" },
  { provider: "native", from: "{ native as wa }" },
];

async function stepsOf(from: string): Promise<Record<string, string[]>> {
  const client: Emulator = await emulator();
  const dir = programOf(nativeTypeScriptProgram("parity", program(from))).dir;
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
  const [dynamic, native] = await Promise.all(SHAPES.map((shape) => stepsOf(shape.from)));
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
