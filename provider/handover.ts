/**
 * Which resource of a deployment holds an object on a client that the client keeps one of (its
 * two-step PIN, its photo, a media provider of a given name), so that removing one never removes
 * what another still declares.
 *
 * - **A client is its registered number.** Each create reads the client's `wa_id` before it
 *   writes, and state keeps it: every record here goes by that number (by the address only when
 *   the client has none, or state predates it), so one client reached at two addresses
 *   (`localhost` and `127.0.0.1`, a new load balancer) is one client.
 * - **A replacement's delete leaves the object to its successor.** Pulumi creates the new resource
 *   before it deletes the old; each create records a stamp, kept in state, and a delete whose
 *   stamp is not the latest for its client sends nothing.
 * - **A delete leaves the object to any other resource the program declares on its client.** Pulumi
 *   diffs every resource of the program that is in state before it deletes those the program
 *   dropped, and each diff records what its state holds: a successor an earlier deployment created
 *   (`up --target`, an up killed before its deletes), or a second resource at another address.
 * - **Two resources of a kind on one client fail**, before anything is sent: check by address
 *   (it runs offline), create by registered number.
 *
 * Each record is keyed by the object: the client's key (`clientKey`), and for an object the
 * client keeps several of by name (a media provider), that name after it.
 *
 * The old and the new resource may be served by two provider processes of the deployment (another
 * provider), so all of it is kept in the deployment's memory (deployment-memory.ts).
 */
import { UNKNOWN } from "./check";
import { clientIdentity } from "./connection";
import { forget, latestStamp, recall, remember, stamp } from "./deployment-memory";
import { targetBaseUrl } from "./diff";
import { SharedClientError } from "./errors";
import { RESOURCE_NAME } from "./model";

/** What a diff or a create records of a resource holding the object on a client. */
export interface Holding {
  client: string;
  /** The resource's name in the program, `""` when not known. */
  resource: string;
  /** The address it reaches the client at. */
  address: string;
  /** The stamp of the create that wrote what it holds, `""` for one whose create set nothing for sure. */
  since: string;
  /** Recorded by a diff: the resource was in the stack's state before this deployment. */
  inState: boolean;
}

/** The key every record of a client goes by: its registered number when known, else its address. */
export function clientKey(address: string, waId: unknown): string {
  return typeof waId === "string" && waId !== "" ? `wa_id ${waId}` : address;
}

/** The handover records of one resource type, whose clients hold `what` ("one PIN") of its objects. */
export class Handover {
  private readonly stamps: string;
  private readonly holdings: string;
  private readonly claimants: string;

  /**
   * `what` is what a client holds of the type's objects ("one PIN"). `shared` is how a second
   * resource holding one object is met at create and diff: refused, or (`"checked"`) left to the
   * type's own rules after check's (a media provider's create lists the client's providers).
   */
  constructor(
    readonly type: string,
    private readonly what: string,
    private readonly shared: "refused" | "checked" = "refused",
  ) {
    this.stamps = `handover:${type}`;
    this.holdings = `handover-held:${type}`;
    this.claimants = `handover-claimants:${type}`;
  }

  /**
   * Records that a create of `resource` (inputs carrying its name) is about to write on the
   * client `key`, reached at `address`, and returns its stamp (ISO 8601, later than every other of
   * this deployment). Fails, recording nothing, when another resource of the type holds the same
   * client: the two would overwrite each other, and removing either would remove what the other
   * declares. Call it right after reading the client's number, with no wait in between.
   */
  recordWrite(key: string, address: string, inputs: Record<string, unknown>): string {
    const holding = { client: key, resource: nameOf(inputs), address, since: "", inState: false };
    this.refuseShared(holding);
    holding.since = stamp(this.stamps, key);
    this.hold(holding);
    return holding.since;
  }

  /** The stamp of the latest create of this deployment that wrote on the client `key`. */
  latestWrite(key: string): string | undefined {
    return latestStamp(this.stamps, key);
  }

  /** Whether a later create of this deployment than the one that recorded `written` wrote on `key`. */
  takenOver(key: string, written: unknown): boolean {
    const last = this.latestWrite(key);
    return last !== undefined && last !== written;
  }

  /**
   * Records, from a diff of this deployment (which sees the resource's state), that a resource the
   * program declares holds the object on the client recorded in `olds`, written by the create
   * stamped `since`. A resource whose new inputs name another client (`replaces` has
   * `connection`) is leaving it: its replacement's create records where it goes. Fails when
   * another resource of the type holds the same client, as a create does.
   */
  heldInState(olds: Record<string, unknown>, since: unknown, news: Record<string, unknown>, replaces: string[]): void {
    const address = clientIdentity(olds.baseUrl);
    if (address === undefined || replaces.includes("connection")) return;
    this.heldAt(clientKey(address, olds.waId), address, since, news);
  }

  /** `heldInState` for the object `key` on the client at `address`, whatever the diff found. */
  heldAt(key: string, address: string, since: unknown, news: Record<string, unknown>): void {
    const recorded = typeof since === "string" ? since : "";
    const holding = { client: key, resource: nameOf(news), address, since: recorded, inState: true };
    this.refuseShared(holding);
    this.hold(holding);
  }

  /**
   * Another resource of the program that holds the object on the client `key` than the one whose
   * create recorded `written`: the delete of that one leaves the object to it. Named as
   * `TwoStepVerification "new"`, or as another resource of the type when its name is not known.
   */
  otherHolder(key: string, written: unknown): string | undefined {
    if (typeof written !== "string" || written === "") return undefined;
    const other = this.held(key).find((h) => h.since !== written);
    if (other === undefined) return undefined;
    return other.resource === ""
      ? `another ${this.type} of the program`
      : `${this.type} ${JSON.stringify(other.resource)}`;
  }

  /**
   * Records, at check, that `resource` claims the object `key`, and returns the resource that
   * claimed it first when that is another one. A resource checked again (preview, then up) keeps
   * one claim: the latest. A check that fails records nothing, so the resource checked first passes again.
   */
  claim(key: string, resource: string): string | undefined {
    const claims = recall<string>(this.claimants);
    const other = claims.find((fact) => fact.key === key && fact.value !== resource);
    if (other) return other.value;
    for (const held of claims) {
      if (held.own && held.value === resource && held.key !== key) forget(this.claimants, held.key);
    }
    remember(this.claimants, key, resource);
    return undefined;
  }

  /**
   * Check's rule: a second resource of the type in this deployment on the same address fails,
   * naming both. Create applies the same rule by registered number, which check (offline) cannot read.
   */
  oneResourcePerClient(news: Record<string, unknown>, failures: Array<{ property: string; reason: string }>): void {
    const resource = news[RESOURCE_NAME];
    const client = clientIdentity(targetBaseUrl(news));
    if (typeof resource !== "string" || client === undefined || client === UNKNOWN) return;
    const other = this.claim(client, resource);
    if (other === undefined) return;
    failures.push({
      property: "connection",
      reason:
        `${client} is managed by two resources, ${this.type} ${JSON.stringify(other)} and ${this.type} ` +
        `${JSON.stringify(resource)}: a client holds ${this.what}, so removing either would remove what the other ` +
        "still declares; keep one of them",
    });
  }

  /** Whether a resource in the stack's state holds the object `key` (its diff ran in this deployment). */
  stackHolds(key: string): boolean {
    return this.held(key).some((h) => h.inState);
  }

  /** Fails when another resource of the type than `holding`'s holds its client. */
  private refuseShared(holding: Holding): void {
    if (holding.resource === "" || this.shared === "checked") return;
    const other = this.held(holding.client).find((h) => h.resource !== "" && h.resource !== holding.resource);
    if (other !== undefined) throw new SharedClientError(this.type, this.what, holding, other);
  }

  private hold(holding: Holding): void {
    // One record per client and resource: a diff and a create of one resource update the same one.
    remember(this.holdings, JSON.stringify([holding.client, holding.resource]), holding);
  }

  private held(key: string): Holding[] {
    return recall<Holding>(this.holdings)
      .map(({ value }) => value)
      .filter((h) => h.client === key);
  }
}

function nameOf(props: Record<string, unknown>): string {
  const name = props[RESOURCE_NAME];
  return typeof name === "string" ? name : "";
}
