import { expect, test } from "vitest";
import { runDemo } from "../../scripts/demo";

test("npm start's sequence: preview, up, a restart-required change, refresh after drift, destroy", async () => {
  const lines: string[] = [];
  const { emulator, steps } = await runDemo({ log: (line) => lines.push(line), color: false });
  const out = lines.join("\n");
  expect(steps).toHaveLength(8);

  // preview sends nothing and marks restart-required settings
  const preview = out.slice(out.indexOf("[1/8]"), out.indexOf("[2/8]"));
  expect(preview).toContain("+ pulumi-nodejs:dynamic/whatsapp:ApplicationSettings whatsapp-settings create");
  expect(preview).toContain('+ logLevel: "warning"  (needs a Coreapp restart)');
  expect(preview).toContain("requests sent: none");

  // the change is flagged before it is applied, then pending on the client until its restart
  const change = out.slice(out.indexOf("[3/8]"), out.indexOf("[4/8]"));
  expect(change).toContain('~ logLevel: "warning" => "error"  (needs a Coreapp restart)');
  expect(change).toContain("restartRequiredFields: webhooks.maxConcurrentRequests, logLevel");
  expect(out).toContain("pending a Coreapp restart on the client: log_level, webhooks.max_concurrent_requests");

  // update is one PATCH and one read-back
  const update = out.slice(out.indexOf("[4/8]"), out.indexOf("[5/8]"));
  expect(update.match(/PATCH \/v1\/settings\/application/g)).toHaveLength(1);
  expect(update.match(/GET \/v1\/settings\/application/g)).toHaveLength(1);

  // refresh finds the drift, the next preview puts it back
  expect(out.slice(out.indexOf("[5/8]"), out.indexOf("[6/8]"))).toContain("~ callbackBackoffDelayMs: 3000 => 5000");
  expect(out.slice(out.indexOf("[6/8]"), out.indexOf("[7/8]"))).toContain("~ callbackBackoffDelayMs: 5000 => 3000");

  // destroy resets the client
  expect(out).toContain("DELETE /v1/settings/application → 200");
  expect(emulator.getSetting("log_level")).toBe("info");
  expect(emulator.getSetting("webhooks.url")).toBe("");

  // no secret in anything printed
  expect(out).not.toContain("demo-shared-secret");
  expect(out).not.toContain(emulator.adminPassword);
}, 120_000);
