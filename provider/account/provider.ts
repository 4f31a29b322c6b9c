/**
 * The `TwoStepVerification` dynamic provider: the client's two-step verification PIN. Disabling
 * it is a security downgrade (registering the number elsewhere no longer asks for the PIN), so
 * its delete is guarded like the other irreversible calls.
 *
 * | step   | requests                                          | when it fails                                    |
 * |--------|---------------------------------------------------|--------------------------------------------------|
 * | check  | none (offline; runs in preview)                   | one failure per property, the PIN never shown    |
 * | diff   | none; another address: GET of its wa_id           | -                                                |
 * |        | (identity.ts); another client replaces, with a    |                                                  |
 * |        | warning that the old client's is disabled         |                                                  |
 * | create | login once, GET of its wa_id, POST {pin}; another | before POST: nothing changed; after: the error   |
 * |        | resource of the type on that wa_id fails it       |                                                  |
 * |        |                                                   | carries id + properties with no PIN, so the next |
 * |        |                                                   | up sends it again                                |
 * | update | POST {pin}; a connection change only records it   | as create                                        |
 * | read   | none: the API has no GET, so state stays as it is | -                                                |
 * | delete | DELETE, only when this stack's create enabled it, | resource stays in state                          |
 * |        | at most once per client per deployment, and none  |                                                  |
 * |        | when a later create of the deployment set a PIN   |                                                  |
 * |        | on the same client (a replacement there) or       |                                                  |
 * |        | another resource of the program declares one      |                                                  |
 * |        | there (the client told by its wa_id)              |                                                  |
 *
 * Without a GET nothing can be read back: create and update trust the client's 200. Writes to one
 * client take turns within the process; calls for an existing resource reach only the client
 * recorded in its state. The PIN goes to the client as a secret of each call, so no error shows it.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkInputs, containsUnknown } from "../check";
import { clientOutputs, connectionChanged, stayOnRecordedClient } from "../client-object";
import { clientIdentity } from "../connection";
import { recall, remember } from "../deployment-memory";
import { certainlyNotApplied, isWhatsAppError, partlyApplied } from "../errors";
import { clientKey, Handover } from "../handover";
import { registeredNumber, replacementsAcross, sayMove } from "../identity";
import { warnIrreversible } from "../irreversible";
import type { Props } from "../props";
import { formatId } from "../resource-id";
import { exclusive, processState, type Reach, reach, reachRecorded } from "../runtime";
import { disableTwoStep, setPin } from "./api";
import { TwoStepVerificationModel } from "./schema";

const HANDOVER = new Handover(TwoStepVerificationModel.type, "one PIN");
const DISABLE = `DELETE ${TwoStepVerificationModel.path}`;

/**
 * Clients whose two-step verification a delete of this deployment disabled, each with the latest
 * create's stamp then: a create since (a new PIN) makes it enabled again. Kept in the deployment's
 * memory, so a delete served by another provider process of the deployment knows it too.
 */
const DISABLED = "two-step.disabled";

function disabledAlready(client: string): boolean {
  const latest = HANDOVER.latestWrite(client) ?? "";
  return recall<string>(DISABLED).some(({ key, value }) => key === client && value === latest);
}

export async function check(olds: Props, news: Props) {
  const result = checkInputs(TwoStepVerificationModel, olds, news, processState().config);
  HANDOVER.oneResourcePerClient(news, result.failures);
  return result;
}

export async function diff(id: string, olds: Props, news: Props) {
  const { replaces, move } = await replacementsAcross(TwoStepVerificationModel, olds, news, id);
  const recorded = clientIdentity(olds.baseUrl);
  HANDOVER.heldInState(olds, olds.enabledAt, news, replaces);
  sayMove(move, `the replacement's delete disables two-step verification on ${String(recorded)}`);
  if (recorded !== undefined && replaces.length > 0 && typeof olds.enabledAt === "string") {
    warnIrreversible(
      DISABLE,
      recorded,
      "two-step verification is disabled there once the replacement is created, so registering its number " +
        "elsewhere no longer asks for a PIN",
    );
  }
  const changed = containsUnknown(news.pin) || news.pin !== olds.pin || connectionChanged(olds, news);
  return { changes: replaces.length > 0 || changed || move.kind === "address", replaces, deleteBeforeReplace: false };
}

function outputs(props: Props, client: Reach, enabledAt: string, version: string | undefined, waId: unknown): Props {
  return clientOutputs(props, client, version, {
    pin: props.pin,
    enabledAt,
    waId: typeof waId === "string" ? waId : "",
  });
}

/** POSTs the PIN; `unsure` is what state records if the POST may have landed. */
async function send(props: Props, client: Reach, enabledAt: string, waId: unknown, unsure: Props): Promise<Props> {
  try {
    await setPin(client.api, props.pin as string);
  } catch (error) {
    if (certainlyNotApplied(error)) throw error;
    throw partlyApplied(error, formatId(TwoStepVerificationModel, client.identity), unsure);
  }
  return outputs(props, client, enabledAt, client.api.version, waId);
}

export async function create(inputs: Props) {
  const client = reach(inputs);
  const outs = await exclusive(client.identity, async () => {
    const waId = await registeredNumber(client.api);
    // Recorded before the POST: a replacement's delete on this client must leave the PIN alone from now on.
    const enabledAt = HANDOVER.recordWrite(clientKey(client.identity, waId), client.identity, inputs);
    // A POST that may not have landed set no PIN state can vouch for: "" makes the next diff send it again.
    const unsure = { ...outputs(inputs, client, enabledAt, undefined, waId), pin: "" };
    return send(inputs, client, enabledAt, waId, unsure);
  });
  return { id: formatId(TwoStepVerificationModel, client.identity), outs };
}

export async function update(id: string, olds: Props, news: Props) {
  const client = reach(news);
  await stayOnRecordedClient(id, olds, news, client);
  const enabledAt = typeof olds.enabledAt === "string" ? olds.enabledAt : "";
  const version = typeof olds.apiVersion === "string" ? olds.apiVersion : undefined;
  if (news.pin === olds.pin) {
    // Only the connection changed: record it, nothing to send.
    return { outs: outputs(news, client, enabledAt, version, olds.waId) };
  }
  return { outs: await exclusive(client.identity, () => send(news, client, enabledAt, olds.waId, olds)) };
}

/** The API has no GET: what state holds is all there is to know, so refresh keeps it. */
export async function read(id: string, props: Props) {
  const inputs: Props = {};
  if (props.pin !== undefined) inputs.pin = props.pin;
  if (props.connection !== undefined) inputs.connection = props.connection;
  return { id, props, inputs };
}

/**
 * Disables two-step verification on the recorded client, unless this stack did not enable it,
 * a later create of this deployment set a PIN there (a replacement on the same client), another
 * resource of the program declares a PIN there (at any address of its registered number), or a
 * delete of this deployment disabled it already.
 */
async function remove(id: string, props: Props): Promise<void> {
  const client = reachRecorded(props, id);
  const { identity } = client;
  const key = clientKey(identity, props.waId);
  if (typeof props.enabledAt !== "string" || props.enabledAt === "") {
    pulumi.log.info(`${identity}: two-step verification was not enabled by this stack; left as it is, nothing sent`);
    return;
  }
  if (HANDOVER.takenOver(key, props.enabledAt)) {
    pulumi.log.info(`${identity}: two-step verification now belongs to this resource's replacement; nothing sent`);
    return;
  }
  const holder = HANDOVER.otherHolder(key, props.enabledAt);
  if (holder !== undefined) {
    pulumi.log.info(
      `${identity}: two-step verification belongs to ${holder}, which declares a PIN there; nothing sent`,
    );
    return;
  }
  // Keyed by the client, not the address: two deletes reaching it at two addresses take turns.
  await exclusive(key, async () => {
    if (disabledAlready(key)) {
      pulumi.log.info(`${identity}: two-step verification already disabled in this deployment; nothing sent`);
      return;
    }
    try {
      await disableTwoStep(client.api);
    } catch (error) {
      // Not enabled any more (disabled by hand): what delete wanted.
      if (!isWhatsAppError(error, "WHATSAPP_API") || error.status !== 404) throw error;
    }
    remember(DISABLED, key, HANDOVER.latestWrite(key) ?? "");
    pulumi.log.warn(
      `${identity}: two-step verification disabled (${DISABLE}); registering its number no longer asks for a PIN`,
    );
  });
}

export { configure, shutdown } from "../runtime";
export { remove as delete };
