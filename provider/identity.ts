/**
 * A client is what it says it is: its registered number, the `wa_id` that
 * `GET /v1/settings/application` returns. An address is only how it is reached: an IP becoming a
 * DNS name, a new load balancer or proxy, `127.0.0.1` becoming `localhost`. So when a resource's
 * address changes, the provider asks both addresses who they are before it calls it another
 * client: the same registered number is an address change (an update that moves state to the new
 * address, nothing reset, deleted or restored), another one, none, or no answer keeps the rule
 * that another address is another client (create there, then reset or delete on the old one).
 *
 * This runs in `diff`, which Pulumi also calls during preview. It may read: one GET of the
 * settings, the call `refresh` makes, one attempt, never a write. Without that read preview could
 * not say which of the two will happen, and a replacement would reset the very client it just
 * configured.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { UNKNOWN } from "./check";
import type { WhatsAppClient } from "./client";
import { type Connection, clientIdentity } from "./connection";
import { clientMoved, replacements, targetBaseUrl } from "./diff";
import { isWhatsAppError } from "./errors";
import type { ResourceModel } from "./model";
import type { Props } from "./props";
import { clientFor, connectionFor, connectionForRecorded } from "./runtime";

const Registered = z.looseObject({
  settings: z.looseObject({ application: z.looseObject({ wa_id: z.unknown().optional() }) }),
});

/** The registered number of the client at `connection`, `""` when it has none. One attempt. */
export async function waIdAt(connection: Connection): Promise<string> {
  // One attempt, the login included: an address that does not answer must not hold up preview.
  return registeredNumber(clientFor(connection, { attempts: 1 }), { attempts: 1 });
}

/**
 * The registered number of the client `api` reaches, `""` when it has none: what a create of an
 * object a client holds one of records, so that the client is known under any address.
 */
export async function registeredNumber(api: WhatsAppClient, options: { attempts?: number } = {}): Promise<string> {
  const reply = await api.call("GET", "/v1/settings/application", undefined, options);
  const parsed = Registered.safeParse(reply.body);
  const waId = parsed.success ? parsed.data.settings.application.wa_id : undefined;
  return typeof waId === "string" ? waId : "";
}

/** The registered number in a live settings answer (`application`), `""` when it has none. */
export function waIdOf(application: Record<string, unknown>): string {
  return typeof application.wa_id === "string" ? application.wa_id : "";
}

export type Move =
  /** The inputs name the client in state, by its address. */
  | { kind: "none" }
  /** Another address, the same registered number: state moves, nothing else happens. */
  | { kind: "address"; from: string; to: string; waId: string }
  /**
   * Another client, or one that cannot be told apart: `why` says which, when it can. `proven` when
   * both addresses answered and their numbers differ (one may be none): then they are two clients.
   */
  | { kind: "other"; from?: string; to?: string; why?: string; proven?: true };

/**
 * Whether the inputs `news` reach the client recorded in `olds` (its `baseUrl`, and `waId` when
 * state holds one; else the recorded client is asked), and how.
 */
export async function clientMove(olds: Props, news: Props, id?: string): Promise<Move> {
  if (!clientMoved(olds, news)) return { kind: "none" };
  const from = clientIdentity(olds.baseUrl);
  const target = targetBaseUrl(news);
  const to = target === UNKNOWN ? undefined : clientIdentity(target);
  if (!from || !to) return { kind: "other", ...(from ? { from } : {}) };
  try {
    const recorded =
      typeof olds.waId === "string" && olds.waId !== "" ? olds.waId : await waIdAt(connectionForRecorded(olds, id));
    if (recorded === "") {
      return {
        kind: "other",
        from,
        to,
        why: `${from} has no registered number (wa_id is empty)`,
      };
    }
    const now = await waIdAt(connectionFor(news));
    if (now === recorded) return { kind: "address", from, to, waId: recorded };
    return {
      kind: "other",
      from,
      to,
      why: now === "" ? `${to} has no registered number` : `${to} is registered as ${now}, not ${recorded}`,
      proven: true,
    };
  } catch (error) {
    // The code only: the message of a failed call is long, and preview repeats it for each resource.
    const reason = isWhatsAppError(error) ? error.code : "an unexpected error";
    return { kind: "other", from, to, why: `who answers could not be read (${reason})` };
  }
}

/** What preview says about a move; `consequence` is what happens to the old client otherwise. */
export function sayMove(move: Move, consequence: string): void {
  if (move.kind === "address") {
    pulumi.log.warn(
      `address change: ${move.from} and ${move.to} are the same client (wa_id ${move.waId}); ` +
        `state moves to ${move.to}, nothing is reset, deleted or restored`,
    );
  } else if (move.kind === "other" && move.from && move.to) {
    const why = move.why && !move.proven ? `${move.why}, so the address decides` : move.why;
    pulumi.log.warn(`moving to ${move.to}${why ? ` (${why})` : ""}: ${consequence}`);
  }
}

/**
 * `replacements` with the client told by its registered number: an address change that reaches
 * the same client replaces nothing.
 */
export async function replacementsAcross(
  model: ResourceModel,
  olds: Props,
  news: Props,
  id?: string,
): Promise<{ replaces: string[]; move: Move }> {
  const replaces = replacements(model, olds, news);
  if (!replaces.includes("connection")) return { replaces, move: { kind: "none" } };
  const move = await clientMove(olds, news, id);
  return { replaces: move.kind === "address" ? replaces.filter((key) => key !== "connection") : replaces, move };
}

/**
 * For an update whose connection names another address than state: goes on only when it reaches
 * the recorded client (the same registered number), which diff found; else nothing is sent.
 */
export async function sameClientOrThrow(olds: Props, news: Props, id: string | undefined, wrong: () => Error) {
  const move = await clientMove(olds, news, id);
  if (move.kind === "other") throw wrong();
  return move;
}
