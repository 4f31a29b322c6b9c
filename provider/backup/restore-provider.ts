/**
 * The `SettingsRestore` dynamic provider. A restore is user-visible (contacts see a new security
 * code), so it happens once per intent (target client and `triggers`) and again
 * only when the program says so: another target client or a new `triggers` value, both shown by
 * preview. A new backup `data` alone restores nothing; it is reported with the way to restore it
 * on purpose. A create of an intent already restored (a renamed resource, a `--replace`, a create
 * repeated after a failure or a killed deployment) sends nothing and records the earlier restore.
 *
 * | step   | requests                                   | notes                                         |
 * |--------|--------------------------------------------|-----------------------------------------------|
 * | check  | none                                       | data, password, expectedSha256 format; at a   |
 * |        |                                            | create, warns (preview too) what it will send |
 * | diff   | none                                       | replace only for another client or triggers;  |
 * |        |                                            | a replacement warns that it restores again    |
 * | create | login, POST restore (once), then health    | checksum checked before anything is sent; a   |
 * |        | polling until connected or the timeout     | durable record guards against a second POST   |
 * |        |                                            | after a crash (restore-once.ts); a failure    |
 * |        |                                            | that may have landed is recorded, never resent|
 * | read   | none                                       | state as is                                   |
 * | delete | none                                       | the restore stays done                        |
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { checkInputs, containsUnknown, UNKNOWN } from "../check";
import type { WhatsAppClient } from "../client";
import { clientIdentity } from "../connection";
import { targetBaseUrl } from "../diff";
import {
  API_CODES,
  BackupIntegrityError,
  certainlyNotApplied,
  isCallError,
  isWhatsAppError,
  partlyApplied,
  UnsureClientError,
  withContext,
} from "../errors";
import { replacementsAcross, sayMove, waIdAt } from "../identity";
import { warnIrreversible } from "../irreversible";
import { defaultOf } from "../model";
import type { Props } from "../props";
import { redact } from "../redact";
import { formatId } from "../resource-id";
import { exclusive, processState, reach, storedConnection } from "../runtime";
import { health } from "./api";
import { withInputs } from "./one-shot";
import { carryRecord, earlierRestore, finish, restoreOnce } from "./restore-once";
import { SettingsRestoreModel } from "./schema";

const REFUSED_BACKUP = new Set<number>([API_CODES.PARAMETER_MISSING, API_CODES.PARAMETER_INVALID]);

const HEALTHY = new Set(["connected", "connecting"]);

export async function check(olds: Props, news: Props) {
  const checked = checkInputs(SettingsRestoreModel, olds, news, processState().config);
  // Pulumi asks no diff of a resource it creates: check is where preview can name the restore.
  if (Object.keys(olds).length === 0 && checked.failures.length === 0) previewCreate(checked.inputs);
  return checked;
}

function sha256Of(data: string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The target a resource's inputs name, or `undefined` when it is not known yet. */
function targetOf(inputs: Props): string | undefined {
  try {
    return reach(inputs).identity;
  } catch {
    return undefined;
  }
}

/** What creating this restore will do, said before it happens (a new one, or a replacement's). */
function previewCreate(inputs: Props, consequence = "every contact sees a new security code"): void {
  const known = targetOf(inputs);
  const target = known ?? "the client its connection names";
  const settled = typeof inputs.data === "string" && inputs.data !== UNKNOWN && !containsUnknown(inputs.triggers);
  const earlier =
    settled && known !== undefined
      ? earlierRestore({ target: known, sha256: sha256Of(inputs.data as string), triggers: inputs.triggers })
      : undefined;
  if (earlier?.record.state === "sending") {
    pulumi.log.warn(
      `${target}: a restore of this backup with these triggers started at ${earlier.record.startedAt} and never ` +
        `finished (${earlier.path}); creating the resource sends nothing and fails until that record says whether it landed`,
    );
    return;
  }
  if (earlier) {
    const backup =
      earlier.record.sha256 === sha256Of(inputs.data as string) ? "this backup" : "another backup than this one";
    pulumi.log.warn(
      `${target}: a restore onto this client with these triggers (${backup}) was already made at ` +
        `${earlier.record.startedAt}; creating the resource records it and sends nothing. To restore again on ` +
        "purpose, give it a new `triggers` value",
    );
    return;
  }
  warnIrreversible("a restore (POST /v1/settings/restore)", target, consequence);
}

export async function diff(id: string, olds: Props, news: Props) {
  // Only the target client and triggers decide; an unknown password or timeout restores nothing again.
  const { replaces, move } = await replacementsAcross(SettingsRestoreModel, olds, news, id);
  // Another address is a new target only when it is proven another client: the same client under
  // a name that could not be checked (it restarts after this very restore) must not restore again.
  if (move.kind === "other" && !move.proven && move.from && move.to && !replaces.includes("triggers")) {
    throw new UnsureClientError({
      from: move.from,
      to: move.to,
      why: move.why ?? "who answers could not be read",
      consequence: "restoring the backup again there",
      onPurpose: "to restore there on purpose, give this resource a new `triggers` value",
    });
  }
  sayMove(move, "the replacement restores the backup there");
  if (replaces.length > 0) {
    previewCreate(
      news,
      `the replacement restores the backup again (${replaces.join(", ")} changed); every contact sees a new security code`,
    );
  }
  if (replaces.length === 0 && typeof news.data === "string" && news.data !== UNKNOWN) {
    const now = sha256Of(news.data);
    if (typeof olds.sha256 === "string" && olds.sha256 !== now) {
      pulumi.log.warn(
        `the backup changed since this restore (restored sha256 ${olds.sha256.slice(0, 16)}…, now ${now.slice(0, 16)}…); ` +
          "nothing is restored again by itself. To restore the new backup on purpose, give this resource a new " +
          "`triggers` value",
      );
    }
  }
  // Nothing else is ever sent again, so no other change is worth an update but an address change.
  return { changes: replaces.length > 0 || move.kind === "address", replaces };
}

/** The target's registered number after the restore, `""` when it cannot be read: one GET, never retried. */
async function registeredNumber(api: WhatsAppClient): Promise<string> {
  try {
    return await waIdAt(api.connection);
  } catch {
    return "";
  }
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
      const statuses = gatewayStatuses(await health(api));
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
  const client = reach(inputs);
  const target = client.identity;
  const data = inputs.data as string;
  const password = inputs.password as string;
  const sha256 = sha256Of(data);
  if (typeof inputs.expectedSha256 === "string" && inputs.expectedSha256.toLowerCase() !== sha256) {
    throw new BackupIntegrityError(
      `the backup data's SHA-256 is ${sha256}, not the expected ${inputs.expectedSha256}; nothing was sent`,
    );
  }
  const { api } = client;
  const id = formatId(SettingsRestoreModel, target, sha256.slice(0, 16));
  // The restore and the restart it causes take the client's turn: no settings write interleaves.
  // Stack config's connection is kept (secret), so that a later move can ask this client who it is.
  const kept = { ...inputs, ...storedConnection(inputs, api.connection) };
  return exclusive(target, () => restoreAndWait(kept, api, { id, target, sha256, password, data }));
}

/** The outputs of a restore made before this create: nothing was sent now, nothing waited for. */
function recordedEarlier(inputs: Props, target: string, sha256: string, startedAt: string, apiVersion: unknown) {
  return {
    ...inputs,
    sha256,
    restartRequired: false,
    gatewayStatus: "not checked",
    restoredAt: startedAt,
    apiVersion: typeof apiVersion === "string" ? apiVersion : "",
    baseUrl: target,
    waId: "",
    alreadyRestored: true,
  };
}

async function restoreAndWait(
  inputs: Props,
  api: WhatsAppClient,
  {
    id,
    target,
    sha256,
    password,
    data,
  }: { id: string; target: string; sha256: string; password: string; data: string },
) {
  let ticket: Awaited<ReturnType<typeof restoreOnce>>;
  try {
    ticket = await restoreOnce(api, { target, sha256, triggers: inputs.triggers }, password, data);
  } catch (error) {
    // Refused before sending (an unfinished record, a record that cannot be written): as it is.
    if (
      !(error instanceof Error) ||
      (isWhatsAppError(error) && ["WHATSAPP_RESTORE_UNFINISHED", "WHATSAPP_CONFIG"].includes(error.code))
    ) {
      throw error;
    }
    if (certainlyNotApplied(error)) {
      if (!isCallError(error)) throw error;
      const refused = isWhatsAppError(error, "WHATSAPP_API") && REFUSED_BACKUP.has(error.apiCode ?? 0);
      const why = refused
        ? "the client refused the backup (wrong password or damaged data)"
        : "the restore was not accepted";
      throw withContext(error, { during: `${why}; it is unchanged` });
    }
    // It may have happened: keep the resource, so the next `up` does not send it a second time.
    const during = "the restore may or may not have reached the client; it is not retried (a restore is user-visible)";
    const hint =
      "check the client's health and settings. It is counted as made: no `up` sends it again, whatever the " +
      "resource's name; to restore again on purpose, give this resource a new `triggers` value";
    const reported = isCallError(error)
      ? withContext(error, { during, hint })
      : new Error(`${during}: ${redact(error.message, [password, data])}; ${hint}`, { cause: error });
    throw partlyApplied(reported, id, {
      ...inputs,
      sha256,
      restartRequired: true,
      gatewayStatus: "unknown",
      restoredAt: "",
      apiVersion: api.version ?? "",
      baseUrl: target,
      alreadyRestored: false,
    });
  }
  if (ticket.earlier && ticket.earlier.state !== "adopt") {
    return { id, outs: recordedEarlier(inputs, target, sha256, ticket.earlier.startedAt, api.version) };
  }
  const wait = inputs.waitForHealthy !== false && !ticket.adopted;
  const timeout = (inputs.healthTimeoutMs ?? defaultOf(SettingsRestoreModel, "healthTimeoutMs")) as number;
  const health = wait ? await waitForHealthy(api, timeout) : { healthy: false, status: "not checked" };
  const restartRequired = wait && !health.healthy;
  if (restartRequired) {
    pulumi.log.warn(
      `${target} did not come back within ${timeout} ms after the restore (${health.status}); ` +
        "a restore stops a registered client: restart its Coreapp (docker restart) to finish",
    );
  }
  finish(ticket, target, sha256);
  const outs: Props = {
    waId: health.healthy ? await registeredNumber(api) : "",
    ...inputs,
    sha256,
    restartRequired,
    gatewayStatus: health.status,
    restoredAt: ticket.startedAt,
    apiVersion: api.version ?? "",
    baseUrl: target,
    alreadyRestored: ticket.adopted,
  };
  return { id, outs };
}

/**
 * Records new inputs. An address change of the same client moves state there, and the record of
 * the restore with it, so a later create of the same intent at the new address sends nothing.
 */
export async function update(_id: string, olds: Props, news: Props) {
  const outs = withInputs(SettingsRestoreModel, olds, news);
  const target = clientIdentity(targetBaseUrl(news));
  if (target && target !== olds.baseUrl && typeof olds.sha256 === "string") {
    outs.baseUrl = target;
    Object.assign(outs, storedConnection(news, reach(news).connection));
    carryRecord({ target: clientIdentity(olds.baseUrl) ?? "", sha256: olds.sha256, triggers: olds.triggers }, target);
  }
  return { outs };
}

export { configure, delete, read } from "./one-shot";
