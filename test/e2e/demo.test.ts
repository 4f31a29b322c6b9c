import { expect, test } from "vitest";
import { DEMO_SECRETS, DEMO_STEPS, type DemoStepOutput, runDemo } from "../../scripts/demo";

const MEDIA = "/v1/settings/application/media/providers";

test("npm start's sequence: preview, up, a restart-required change, refresh after drift, destroy", async () => {
  const lines: string[] = [];
  const { emulator, steps } = await runDemo({ log: (line) => lines.push(line), color: false });
  const out = lines.join("\n");

  // One output per step of the table, numbered from it; a title names one step.
  const titles = DEMO_STEPS.map((s) => s.title);
  expect(new Set(titles).size).toBe(titles.length);
  expect(steps.map((s) => s.title)).toEqual(titles);
  titles.forEach((title, i) => {
    expect(out).toContain(`[${i + 1}/${titles.length}] ${title}`);
  });
  const step = (title: string): string => {
    const found: DemoStepOutput | undefined = steps.find((s) => s.title === title);
    if (!found) throw new Error(`no demo step titled ${JSON.stringify(title)}`);
    return found.lines.join("\n");
  };

  // preview sends nothing and marks restart-required settings
  const preview = step("pulumi preview");
  expect(preview).toContain("+ pulumi-nodejs:dynamic/whatsapp:ApplicationSettings whatsapp-settings create");
  expect(preview).toContain('+ logLevel: "warning"  (needs a Coreapp restart)');
  expect(preview).toContain("requests sent: none");
  // ... and shows both media providers to create, their credentials as [secret]
  expect(preview).toContain("+ pulumi-nodejs:dynamic/whatsapp:MediaProvider cdn create");
  expect(preview).toContain("+ pulumi-nodejs:dynamic/whatsapp:MediaProvider images create");
  expect(preview.match(/\+ config: \[secret\]/g)).toHaveLength(2);

  // up lists the providers (none of either name yet), adds each with one POST and confirms it with one GET
  const up = step("pulumi up");
  expect(up.match(new RegExp(`POST ${MEDIA} → 200`, "g"))).toHaveLength(2);
  expect(up.match(new RegExp(`GET ${MEDIA} → 200`, "g"))).toHaveLength(4);
  expect(up).toContain('stack output mediaProviders: ["cdn","images"]');

  // the change is flagged before it is applied, then pending on the client until its restart
  const change = step("change the program: maxConcurrentRequests 12, logLevel error; pulumi preview");
  expect(change).toContain('~ logLevel: "warning" => "error"  (needs a Coreapp restart)');
  // Visible though webhooks.url, beside it, is a secret.
  expect(change).toContain("~ webhooks.maxConcurrentRequests: 6 => 12  (needs a Coreapp restart)");
  expect(change).toContain("restartRequiredFields: webhooks.maxConcurrentRequests, logLevel");
  expect(out).toContain("pending a Coreapp restart on the client: log_level, webhooks.max_concurrent_requests");

  // update is one PATCH and one read-back
  const update = step("pulumi up (applies the change)");
  expect(update).toContain("requests sent: 3");
  expect(update.match(/PATCH \/v1\/settings\/application → /g)).toHaveLength(1);
  expect(update.match(/GET \/v1\/settings\/application → /g)).toHaveLength(1);

  // refresh finds the drift, the next preview puts it back
  expect(step("someone changes callback_backoff_delay_ms on the client by hand; pulumi refresh")).toContain(
    "~ callbackBackoffDelayMs: 3000 => 5000",
  );
  expect(step("pulumi preview (the program puts it back)")).toContain("~ callbackBackoffDelayMs: 5000 => 3000");

  // destroy resets the client and deletes both media providers
  const destroy = step("pulumi destroy (resets the client to its defaults, deletes both media providers)");
  expect(out).toContain("DELETE /v1/settings/application → 200");
  expect(destroy).toContain("DELETE /v1/settings/application → 200");
  expect(destroy).toContain(`DELETE ${MEDIA}/cdn → 200`);
  expect(destroy).toContain(`DELETE ${MEDIA}/images → 200`);
  expect(emulator.getSetting("log_level")).toBe("info");
  expect(emulator.getSetting("webhooks.url")).toBe("");
  for (const name of ["cdn", "images"]) {
    expect(emulator.journal.filter(`DELETE ${MEDIA}/${name}`).map((r) => r.status)).toEqual([200]);
  }

  // no secret in anything printed
  expect(out).not.toContain("demo-shared-secret");
  expect(out).not.toContain(emulator.adminPassword);
  expect(out).not.toContain(DEMO_SECRETS.cdnToken);
  expect(out).not.toContain(DEMO_SECRETS.imagesPassword);
}, 120_000);
