/**
 * The `BusinessProfile` dynamic provider: the properties of the client's business profile the
 * program gives (a property left out is the client's own; one removed from the program is cleared).
 *
 * | step   | requests                                           | when it fails                                    |
 * |--------|----------------------------------------------------|--------------------------------------------------|
 * | check  | none (offline; runs in preview); removing          | one failure per property, nothing sent           |
 * |        | `vertical` from an existing resource is refused    |                                                  |
 * | diff   | none; another address: GET of its wa_id            | -                                                |
 * |        | (identity.ts); another client replaces             |                                                  |
 * | create | login once, GET (the version and what the client   | before POST: nothing changed; after: the error   |
 * |        | holds), POST, GET back                             | carries id + properties, so state matches server |
 * | update | client v2.23 or later: POST of the changed         | as create                                        |
 * |        | properties, GET back; older: GET, POST of the      |                                                  |
 * |        | whole profile, GET back; a connection change only  |                                                  |
 * |        | records it                                         |                                                  |
 * | read   | GET, on the client recorded in state               | state unchanged                                  |
 * | delete | none: the API cannot remove the profile            | -                                                |
 *
 * Before v2.23 a POST replaces the whole profile, so a property the program does not manage is
 * sent as the client holds it. Writes to one client take turns within the process; calls for an
 * existing resource reach only the client recorded in its state.
 */
import { checkInputs, containsUnknown } from "../../check";
import { clientOutputs, connectionChanged, stayOnRecordedClient, writeConfirmed } from "../../client-object";
import { same } from "../../diff";
import { replacementsAcross, sayMove } from "../../identity";
import type { Props } from "../../props";
import { formatId } from "../../resource-id";
import { exclusive, processState, type Reach, reach, reachRecorded } from "../../runtime";
import { isAtLeast } from "../../version";
import { getProfile, postProfile } from "./api";
import { BusinessProfileModel, CLEARED, PROFILE_KEYS, type Profile, type ProfileKey } from "./schema";

/** The profile properties `props` holds: what a program gives, or what state manages. */
function managed(props: Props): Profile {
  return Object.fromEntries(PROFILE_KEYS.filter((key) => props[key] !== undefined).map((key) => [key, props[key]]));
}

function heldOf(profile: Required<Profile>, keys: Iterable<ProfileKey>): Profile {
  return Object.fromEntries([...keys].map((key) => [key, profile[key]]));
}

export async function check(olds: Props, news: Props) {
  const result = checkInputs(BusinessProfileModel, olds, news, processState().config);
  if (typeof olds.vertical === "string" && olds.vertical !== "" && news.vertical === undefined) {
    result.failures.push({
      property: "vertical",
      reason:
        "cannot be removed: the client cannot clear a business's industry once it is set; give another value, " +
        "or delete the resource (the client keeps its profile as it is)",
    });
  }
  return result;
}

export async function diff(id: string, olds: Props, news: Props) {
  const { replaces, move } = await replacementsAcross(BusinessProfileModel, olds, news, id);
  sayMove(move, "the replacement sets the profile there; the old client keeps its profile");
  const changed =
    PROFILE_KEYS.some((key) => containsUnknown(news[key]) || !same(olds[key], news[key])) ||
    connectionChanged(olds, news);
  return { changes: replaces.length > 0 || changed || move.kind === "address", replaces, deleteBeforeReplace: false };
}

/**
 * Writes `wanted` and `cleared`, and reads the profile back. `live` is what the client held before
 * (read first when the client may be older than v2.23, which takes the whole profile only).
 */
async function write(
  props: Props,
  client: Reach,
  change: { wanted: Profile; cleared: readonly ProfileKey[]; body: Profile },
  before: Props,
): Promise<Props> {
  const target: Profile = { ...change.wanted };
  for (const key of change.cleared) Object.assign(target, { [key]: CLEARED[key] });
  const keys = Object.keys(change.wanted) as ProfileKey[];
  const outputsOf = (held: Profile) => clientOutputs(props, client, client.api.version, held);
  return writeConfirmed({
    id: formatId(BusinessProfileModel, client.identity),
    call: `POST ${BusinessProfileModel.path}`,
    unsure: before,
    applied: outputsOf(change.wanted),
    send: () => postProfile(client.api, change.body),
    readBack: async () => (await getProfile(client.api)).profile,
    outputs: (held) => outputsOf(heldOf(held, keys)),
    mismatch: (held) => {
      const ignored = (Object.keys(target) as ProfileKey[]).filter((key) => !same(held[key], target[key]));
      return ignored.length > 0 ? `kept another value of ${ignored.join(", ")}` : undefined;
    },
  });
}

/** The whole profile for a client older than v2.23: what it holds, with the program's changes. */
function wholeProfile(live: Required<Profile>, wanted: Profile, cleared: readonly ProfileKey[]): Profile {
  const body: Profile = { ...live, ...wanted };
  for (const key of cleared) Object.assign(body, { [key]: CLEARED[key] });
  // An industry never set stays unset: an empty one is not a value the API takes.
  if (body.vertical === "") delete body.vertical;
  return body;
}

function partialWrites(version: string | undefined): boolean {
  const since = BusinessProfileModel.partialWritesSince;
  return since !== undefined && isAtLeast(version, since) === true;
}

export async function create(inputs: Props) {
  const client = reach(inputs);
  const wanted = managed(inputs);
  const outs = await exclusive(client.identity, async () => {
    const { profile: live, version } = await getProfile(client.api);
    const before = clientOutputs(inputs, client, version, heldOf(live, Object.keys(wanted) as ProfileKey[]));
    const body = partialWrites(version) ? wanted : wholeProfile(live, wanted, []);
    return write(inputs, client, { wanted, cleared: [], body }, before);
  });
  return { id: formatId(BusinessProfileModel, client.identity), outs };
}

export async function update(id: string, olds: Props, news: Props) {
  const client = reach(news);
  await stayOnRecordedClient(id, olds, news, client);
  const wanted = managed(news);
  const had = managed(olds);
  // A property the program stopped giving is cleared; `vertical` cannot be (check refuses it).
  const cleared = (Object.keys(had) as ProfileKey[]).filter((key) => !(key in wanted) && key !== "vertical");
  const changed = (Object.keys(wanted) as ProfileKey[]).filter((key) => !same(had[key], wanted[key]));
  const version = typeof olds.apiVersion === "string" ? olds.apiVersion : undefined;
  if (changed.length === 0 && cleared.length === 0) {
    // Only the connection changed (or the address of the same client): record it, nothing to send.
    return { outs: clientOutputs(news, client, version, wanted) };
  }
  const outs = await exclusive(client.identity, async () => {
    if (partialWrites(version)) {
      const body: Profile = heldOf({ ...CLEARED, ...wanted }, [...changed, ...cleared]);
      return write(news, client, { wanted, cleared, body }, olds);
    }
    const { profile: live } = await getProfile(client.api);
    return write(news, client, { wanted, cleared, body: wholeProfile(live, wanted, cleared) }, olds);
  });
  return { outs };
}

export async function read(id: string, props: Props) {
  const client = reachRecorded(props, id);
  const { profile, version } = await getProfile(client.api);
  const held = heldOf(profile, Object.keys(managed(props)) as ProfileKey[]);
  const inputs: Props = { ...held };
  if (props.connection !== undefined) inputs.connection = props.connection;
  return { id, props: clientOutputs(props, client, version, held), inputs };
}

/** The API cannot remove the profile: the client keeps it, and state forgets the resource. */
async function remove(): Promise<void> {}

export { configure, shutdown } from "../../runtime";
export { remove as delete };
