/**
 * What the lifecycles of an object a client holds exactly one of (its About text, business
 * profile, photo, two-step verification) share: the outputs recording which client and version
 * they were applied on, the rule that an update writes only to the client in state, what counts
 * as a connection change, and a write confirmed by reading it back, whose failure after the
 * write may have landed records the resource as partly applied.
 */
import { containsUnknown } from "./check";
import { clientIdentity } from "./connection";
import { same } from "./diff";
import { certainlyNotApplied, FieldIgnoredError, partlyApplied, WrongClientError } from "./errors";
import { sameClientOrThrow } from "./identity";
import type { Props } from "./props";
import { type Reach, storedConnection, storedConnectionStale } from "./runtime";

/** `own` with the client's version and identity, the connection stack config gave, and the engine's keys. */
export function clientOutputs(props: Props, client: Reach, version: string | undefined, own: Props): Props {
  const out: Props = {
    ...own,
    apiVersion: version ?? "",
    baseUrl: client.identity,
    ...storedConnection(props, client.connection),
  };
  if (props.connection !== undefined) out.connection = props.connection;
  // A partly-created resource's properties become its state as they are: keep the provider in them.
  if (props.__provider !== undefined) out.__provider = props.__provider;
  return out;
}

/** Whether the connection the inputs give differs from the one in state (or is not known yet). */
export function connectionChanged(olds: Props, news: Props): boolean {
  return (
    containsUnknown(news.connection) || !same(olds.connection, news.connection) || storedConnectionStale(olds, news)
  );
}

/**
 * diff makes another client a replacement; an update goes on at another address only when it
 * reaches the client recorded in state (the same registered number), else nothing is sent.
 */
export async function stayOnRecordedClient(id: string, olds: Props, news: Props, client: Reach): Promise<void> {
  const recorded = clientIdentity(olds.baseUrl);
  if (recorded && recorded !== client.identity) {
    await sameClientOrThrow(olds, news, id, () => new WrongClientError(recorded, client.identity));
  }
}

/** Whether the inputs name the client recorded in state, by the same address. */
export function sameAddress(olds: Props, client: Reach): boolean {
  return clientIdentity(olds.baseUrl) === client.identity;
}

/** One write to a client and the read that confirms it. */
export interface ConfirmedWrite<T> {
  /** The resource's id, for an error that records it as partly applied. */
  id: string;
  /** What state records when the write fails in a way that may have landed. */
  unsure: Props;
  /** What state records when the write landed and the read after it failed. */
  applied: Props;
  send(): Promise<void>;
  readBack(): Promise<T>;
  /** The outputs recording what the client holds. */
  outputs(held: T): Props;
  /** Why what the client holds is not what was sent (`holds another text`), or `undefined` when it is. */
  mismatch(held: T): string | undefined;
  /** The call, for the message of a write the client answered but did not keep (`PATCH /v1/…`). */
  call: string;
}

/** Sends the write and reads it back; the outputs of what the client holds. */
export async function writeConfirmed<T>(write: ConfirmedWrite<T>): Promise<Props> {
  try {
    await write.send();
  } catch (error) {
    if (certainlyNotApplied(error)) throw error;
    throw partlyApplied(error, write.id, write.unsure);
  }
  let held: T;
  try {
    held = await write.readBack();
  } catch (error) {
    throw partlyApplied(error, write.id, write.applied);
  }
  const wrong = write.mismatch(held);
  if (wrong !== undefined) {
    throw partlyApplied(
      new FieldIgnoredError(`${write.call} answered 200 but the client ${wrong}`),
      write.id,
      write.outputs(held),
    );
  }
  return write.outputs(held);
}
