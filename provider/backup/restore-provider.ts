/**
 * The `SettingsRestore` dynamic provider. A restore is user-visible (contacts see a new security
 * code), so it happens exactly once per resource: the POST is never retried once it may have
 * reached the client, the resource is replaced only when `data` (or the client) changes, and
 * delete sends nothing.
 *
 * | step   | requests                                   | notes                                       |
 * |--------|--------------------------------------------|---------------------------------------------|
 * | check  | none                                       | data, password, expectedSha256 format       |
 * | diff   | none                                       | replace only for new data or another client |
 * | create | login, POST restore (once), then health    | checksum checked before anything is sent;   |
 * |        | polling until connected or the timeout     | a failure after the POST may have landed is |
 * |        |                                            | recorded (id + properties), never re-sent   |
 * | read   | none                                       | state as is                                 |
 * | delete | none                                       | the restore stays done                      |
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { WhatsAppClient } from "../client";
import { BackupIntegrityError, certainlyNotApplied, isWhatsAppError, partlyApplied, redact } from "../errors";
import { clientFor, connectionFor, normalizedBaseUrl } from "../runtime";
import { checkOneShot, SettingsRestoreSchema } from "./schema";

type Props = Record<string, unknown>;

const HEALTHY = new Set(["connected", "connecting"]);

const OUTPUTS = ["sha256", "restartRequired", "gatewayStatus", "restoredAt", "apiVersion", "baseUrl"];

export async function check(_olds: Props, news: Props) {
  return checkOneShot(SettingsRestoreSchema, OUTPUTS, news);
}

export async function diff(_id: string, olds: Props, news: Props) {
  const oldUrl = typeof olds.baseUrl === "string" ? olds.baseUrl : undefined;
  const newUrl = (news.connection as { baseUrl?: string } | undefined)?.baseUrl;
  const replaces: string[] = [];
  if (olds.data !== news.data) replaces.push("data");
  if (oldUrl && newUrl && oldUrl !== normalizedBaseUrl({ baseUrl: newUrl })) replaces.push("connection");
  const changed = ["password", "expectedSha256", "waitForHealthy", "healthTimeoutMs", "connection"].some(
    (key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null),
  );
  return { changes: replaces.length > 0 || changed, replaces };
}

function gatewayStatuses(health: Record<string, unknown>): string[] {
  if (typeof health.gateway_status === "string") return [health.gateway_status];
  return Object.values(health).map((node) =>
    String((node as { gateway_status?: unknown })?.gateway_status ?? "unknown"),
  );
}

/** Polls login + health with backoff until every node is connected/connecting, or the deadline. */
async function waitForHealthy(api: WhatsAppClient, timeoutMs: number): Promise<{ healthy: boolean; status: string }> {
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  let status = "unknown";
  for (let attempt = 1; ; attempt++) {
    try {
      const statuses = gatewayStatuses(await api.health());
      status = statuses.join(", ");
      if (statuses.length > 0 && statuses.every((s) => HEALTHY.has(s))) return { healthy: true, status };
    } catch (error) {
      status = isWhatsAppError(error) ? error.message : String(error);
    }
    if (Date.now() + delay > deadline) return { healthy: false, status };
    pulumi.log.info(
      `waiting for ${api.connection.baseUrl} to come back after the restore (attempt ${attempt}): ${status}`,
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 5_000);
  }
}

export async function create(inputs: Props) {
  const connection = connectionFor(inputs);
  const data = inputs.data as string;
  const password = inputs.password as string;
  const sha256 = createHash("sha256").update(data).digest("hex");
  if (typeof inputs.expectedSha256 === "string" && inputs.expectedSha256.toLowerCase() !== sha256) {
    throw new BackupIntegrityError(
      `the backup data's SHA-256 is ${sha256}, not the expected ${inputs.expectedSha256}; nothing was sent`,
    );
  }
  const api = clientFor(connection);
  const id = `${normalizedBaseUrl(connection)}/v1/settings/restore#${sha256.slice(0, 16)}`;
  try {
    await api.restore(password, data);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const text = redact(error.message, [password, data]);
    if (certainlyNotApplied(error)) {
      const apiCode = (error as { apiCode?: number }).apiCode;
      const why =
        apiCode === 1008 || apiCode === 1009
          ? "the client refused the backup (wrong password or damaged data)"
          : "the restore was not accepted";
      error.message = `${why}; it is unchanged: ${text}`;
      throw error;
    }
    // It may have happened: keep the resource, so the next `up` does not send it a second time.
    error.message =
      `the restore may or may not have reached the client; it is not retried (a restore is user-visible): ${text}. ` +
      "Check the client's health and settings; to restore again on purpose, run `pulumi up --replace` on this resource";
    throw partlyApplied(error, id, {
      ...inputs,
      sha256,
      restartRequired: true,
      gatewayStatus: "unknown",
      restoredAt: "",
      apiVersion: api.version ?? "",
      baseUrl: normalizedBaseUrl(connection),
    });
  }
  const wait = inputs.waitForHealthy !== false;
  const timeout = typeof inputs.healthTimeoutMs === "number" ? inputs.healthTimeoutMs : 300_000;
  const health = wait ? await waitForHealthy(api, timeout) : { healthy: false, status: "not checked" };
  const restartRequired = wait && !health.healthy;
  if (restartRequired) {
    pulumi.log.warn(
      `${connection.baseUrl} did not come back within ${timeout} ms after the restore (${health.status}); ` +
        "a restore stops a registered client: restart its Coreapp (docker restart) to finish",
    );
  }
  const outs: Props = {
    ...inputs,
    sha256,
    restartRequired,
    gatewayStatus: health.status,
    restoredAt: new Date().toISOString(),
    apiVersion: api.version ?? "",
    baseUrl: normalizedBaseUrl(connection),
  };
  return { id, outs };
}

export { configure, delete, read, update } from "./one-shot";
