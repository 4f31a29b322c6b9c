/** The calls of `/v1/settings/account/two-step`: POST `{pin}` enables it or changes the PIN, DELETE disables it. */
import type { WhatsAppClient } from "../client";
import { TwoStepVerificationModel } from "./schema";

const PATH = TwoStepVerificationModel.path;

/** Enables two-step verification with `pin`, or changes the PIN; the PIN is cut from every error. */
export async function setPin(api: WhatsAppClient, pin: string): Promise<void> {
  await api.call("POST", PATH, { pin }, { idempotent: true, secrets: [pin] });
}

/** Disables two-step verification. */
export async function disableTwoStep(api: WhatsAppClient): Promise<void> {
  await api.call("DELETE", PATH);
}
