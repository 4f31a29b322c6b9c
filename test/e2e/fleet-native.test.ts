/**
 * examples/fleet-native through the engine stand-in: two emulated clients, one explicit native
 * provider each, every `pulumi-resource-whatsapp` process started from the project's
 * `plugins.providers` directory as Pulumi starts a plugin (`pkg/resource/plugin/plugin.go`,
 * `ExecPlugin`; `sdk/go/common/workspace/plugins.go`, `GetPluginPath`). Each step counts the
 * requests each client received.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import type { Emulator } from "../emulator/index";
import { type EngineResult, runEngine } from "../engine/deployment";
import { summaryLines } from "../engine/summary";
import { call, login } from "../support/api";
import { emulator } from "../support/emulator";
import { copyExample } from "../support/program-dir";
import { writeLines as writes } from "../support/provider";

const MEDIA = "/v1/settings/application/media/providers";

function ops(result: EngineResult): string[] {
  return result.steps.filter((s) => s.type !== "pulumi:pulumi:Stack").map((s) => `${s.op} ${s.type} ${s.name}`);
}

/** Requests each client received since the last call, all of them and the writes. */
function counter(clients: Record<string, Emulator>) {
  const seen: Record<string, number> = Object.fromEntries(Object.keys(clients).map((c) => [c, 0]));
  const seenWrites: Record<string, number> = { ...seen };
  return () => {
    const out: Record<string, { requests: number; writes: number }> = {};
    for (const [name, e] of Object.entries(clients)) {
      const total = e.journal.count();
      const w = writes(e).length;
      out[name] = { requests: total - (seen[name] ?? 0), writes: w - (seenWrites[name] ?? 0) };
      seen[name] = total;
      seenWrites[name] = w;
    }
    return out;
  };
}

const CDN = { clientA: "Cdn-Bearer-A-3e9f61d2", clientB: "Cdn-Bearer-B-77c1aa09" };
const HOOK = {
  clientA: "https://hooks.example.com/a?auth=fleet-a-secret",
  clientB: "https://hooks.example.com/b?auth=fleet-b-secret",
};

test("examples/fleet-native: explicit providers per client (registry.go, step_generator.go): preview sends nothing, up, a per-property diff, refresh, import of a media provider already on a client, destroy", async () => {
  const a = await emulator();
  const b = await emulator();
  const clients = { clientA: a, clientB: b };
  const program = copyExample("fleet-native");
  const config: Record<string, string> = { logLevel: "warning" };
  const secrets: Record<string, string> = {};
  for (const [name, e] of Object.entries(clients)) {
    config[`${name}Url`] = e.url;
    config[`${name}Username`] = "admin";
    config[`${name}CaCert`] = e.caCert as string;
    secrets[`${name}Password`] = e.adminPassword;
    secrets[`${name}WebhookUrl`] = HOOK[name as keyof typeof HOOK];
    secrets[`${name}CdnToken`] = CDN[name as keyof typeof CDN];
  }
  const run = (command: "preview" | "up" | "refresh" | "destroy") =>
    runEngine(command, { dir: program.dir, config, secrets });
  const counts = counter(clients);
  const figures: Record<string, unknown> = {};
  const hidden = [a.adminPassword, b.adminPassword, CDN.clientA, CDN.clientB, "fleet-a-secret", "fleet-b-secret"];
  const expectHidden = (result: EngineResult) => {
    const shown = JSON.stringify([result.steps, result.diagnostics, result.outputs, summaryLines(result)]);
    const state = result.command === "preview" ? "" : readFileSync(result.stateFile, "utf8");
    for (const value of hidden) {
      expect(shown).not.toContain(value);
      expect(state).not.toContain(value);
    }
  };

  const preview = await run("preview");
  expect(preview.ok, JSON.stringify(preview.diagnostics)).toBe(true);
  expect(ops(preview)).toEqual(
    expect.arrayContaining([
      "create pulumi:providers:whatsapp clientA",
      "create whatsapp:index:ApplicationSettings clientA-settings",
      "create whatsapp:index:MediaProvider clientA-cdn",
      "create pulumi:providers:whatsapp clientB",
      "create whatsapp:index:ApplicationSettings clientB-settings",
      "create whatsapp:index:MediaProvider clientB-cdn",
    ]),
  );
  expect(ops(preview)).toHaveLength(6);
  figures.preview = counts();
  expect(figures.preview).toEqual({ clientA: { requests: 0, writes: 0 }, clientB: { requests: 0, writes: 0 } });
  expectHidden(preview);

  const up = await run("up");
  expect(up.ok, JSON.stringify(up.diagnostics)).toBe(true);
  expect(up.counts.done.create).toBe(6);
  figures.create = counts();
  // The settings and the media provider of a client are created in parallel.
  expect(writes(a).sort()).toEqual(["PATCH /v1/settings/application", `POST ${MEDIA}`]);
  expect(writes(b).sort()).toEqual(["PATCH /v1/settings/application", `POST ${MEDIA}`]);
  expect(a.getSetting("webhooks.url")).toBe(HOOK.clientA);
  expect(b.getSetting("webhooks.url")).toBe(HOOK.clientB);
  // Each provider resource is in state with a UUID id; each resource names its own provider.
  const providers = up.checkpoint.resources.filter((r) => r.type === "pulumi:providers:whatsapp");
  expect(providers.map((p) => p.name).sort()).toEqual(["clientA", "clientB"]);
  for (const p of providers) expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
  const cdnA = up.checkpoint.resources.find((r) => r.name === "clientA-cdn");
  expect(cdnA?.provider).toBe(
    `${providers.find((p) => p.name === "clientA")?.urn}::${providers.find((p) => p.name === "clientA")?.id}`,
  );
  expectHidden(up);

  // A per-property diff, from the provider's detailedDiff: client A's webhook URL (a secret).
  secrets.clientAWebhookUrl = "https://hooks.example.com/a2?auth=fleet-a-secret";
  const changed = await run("preview");
  expect(changed.ok, JSON.stringify(changed.diagnostics)).toBe(true);
  const settingsA = changed.steps.find((s) => s.name === "clientA-settings");
  expect(settingsA?.op).toBe("update");
  expect(settingsA?.changes).toEqual([
    { kind: "~", path: "webhooks.url", before: "[secret]", after: "[secret]", secret: true },
  ]);
  expect(summaryLines(changed).join("\n")).toContain("1 to update");
  expect(changed.steps.find((s) => s.name === "clientB-settings")?.op).toBe("same");
  expect(counts()).toEqual({ clientA: { requests: 0, writes: 0 }, clientB: { requests: 0, writes: 0 } });
  const update = await run("up");
  expect(update.ok, JSON.stringify(update.diagnostics)).toBe(true);
  figures.update = counts();
  expect(a.getSetting("webhooks.url")).toBe(secrets.clientAWebhookUrl);
  expect(writes(a).slice(2)).toEqual(["PATCH /v1/settings/application"]);
  expect(writes(b)).toHaveLength(2);
  expectHidden(update);

  const refresh = await run("refresh");
  expect(refresh.ok, JSON.stringify(refresh.diagnostics)).toBe(true);
  figures.refresh = counts();
  expect(
    refresh.steps
      .filter((s) => s.op === "refresh")
      .map((s) => s.name)
      .sort(),
  ).toEqual(["clientA-cdn", "clientA-settings", "clientB-cdn", "clientB-settings"]);
  expect((figures.refresh as Record<string, { writes: number }>).clientA?.writes).toBe(0);

  // A media provider already on client A, adopted with the import option: read, checked, no diff.
  const token = await login(a);
  const images = { name: "images", type: "www", config: { bearer: "Images-Bearer-9d1c0e55" } };
  const added = await call(a, "POST", MEDIA, { token, body: [images] });
  expect(added.status).toBeLessThan(300);
  counts();
  const importId = (cdnA?.id ?? "").replace(/#cdn$/, "#images");
  expect(importId).toMatch(/#images$/);
  secrets.imagesToken = "Images-Bearer-9d1c0e55";
  program.write(
    "index.ts",
    `${program.read("index.ts")}
new native.MediaProvider(
  "clientA-images",
  { name: "images", type: "www", config: { bearer: config.requireSecret("imagesToken") } },
  { provider: providers.clientA, import: ${JSON.stringify(importId)} },
);
`,
  );
  const imported = await run("up");
  expect(imported.ok, JSON.stringify(imported.diagnostics)).toBe(true);
  expect(ops(imported).filter((o) => !o.startsWith("same"))).toEqual([
    "import whatsapp:index:MediaProvider clientA-images",
  ]);
  expect(imported.counts.done.import).toBe(1);
  figures.import = counts();
  expect((figures.import as Record<string, { writes: number }>).clientA?.writes).toBe(0);
  const after = await run("preview");
  expect(after.ok).toBe(true);
  expect(ops(after).filter((o) => !o.startsWith("same"))).toEqual([]);
  expectHidden(imported);

  const destroy = await run("destroy");
  expect(destroy.ok, JSON.stringify(destroy.diagnostics)).toBe(true);
  figures.delete = counts();
  expect(destroy.checkpoint.resources).toEqual([]);
  const writesOf = (step: unknown) =>
    Object.fromEntries(Object.entries(step as Record<string, { writes: number }>).map(([c, n]) => [c, n.writes]));
  // Writes per client and step; client B receives nothing of client A's change and import.
  expect(Object.fromEntries(Object.entries(figures).map(([step, n]) => [step, writesOf(n)]))).toEqual({
    preview: { clientA: 0, clientB: 0 },
    create: { clientA: 2, clientB: 2 },
    update: { clientA: 1, clientB: 0 },
    refresh: { clientA: 0, clientB: 0 },
    import: { clientA: 0, clientB: 0 },
    delete: { clientA: 3, clientB: 2 },
  });
}, 600_000);
