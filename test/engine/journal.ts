/**
 * The snapshot manager (after pulumi/pulumi's `pkg/backend/snapshot.go`): before a create, update
 * or delete calls its provider, a pending operation naming it is written to the checkpoint; when
 * the step ends, the operation goes and its outcome comes in, in one more write. So a run killed
 * at any instant leaves a checkpoint that says what it was doing.
 */
import {
  type Checkpoint,
  type OperationType,
  type PendingOperation,
  type ResourceState,
  saveCheckpoint,
} from "./checkpoint";

export interface StepOutcome {
  /** A resource state the step produced (created, updated, refreshed or left by a failed create). */
  add?: ResourceState;
  /** A resource of the base state the step superseded or deleted. */
  remove?: ResourceState;
  /** The original of a create-before-delete replacement: stays, marked for deletion, until its delete runs. */
  markForDelete?: ResourceState;
}

export class Journal {
  private readonly news: ResourceState[] = [];
  private readonly removed = new Set<ResourceState>();
  private readonly forDelete = new Set<ResourceState>();
  private readonly pending: PendingOperation[] = [];

  /**
   * `carried`: the base's pending operations kept in every new checkpoint (Pulumi keeps pending
   * creates until a refresh resolves them; the others are dropped). `file` undefined: nothing is
   * written (preview).
   */
  constructor(
    readonly base: Checkpoint,
    private readonly file: string | undefined,
    private readonly carried: readonly PendingOperation[],
    /** Called after each write with the step boundary it records (`begin creating <name>`, `end ...`). */
    private readonly onWrite?: (boundary: string) => void,
  ) {}

  /** A step is about to call its provider: its pending operation reaches the disk first. */
  begin(type: OperationType, resource: ResourceState): PendingOperation {
    const operation = { type, resource };
    this.pending.push(operation);
    this.save(`begin ${type} ${resource.name}`);
    return operation;
  }

  /** A step ended (or a step without a provider call happened): one write with its outcome. */
  end(operation: PendingOperation | undefined, outcome: StepOutcome = {}): void {
    if (operation) this.pending.splice(this.pending.indexOf(operation), 1);
    if (outcome.add) this.news.push(outcome.add);
    if (outcome.remove) {
      this.removed.add(outcome.remove);
      this.forDelete.delete(outcome.remove);
    }
    if (outcome.markForDelete) this.forDelete.add(outcome.markForDelete);
    const name = (outcome.add ?? outcome.remove ?? outcome.markForDelete ?? operation?.resource)?.name ?? "";
    this.save(`end ${operation ? operation.type : "step"} ${name}`);
  }

  /** The stack's (or a component's) registered outputs, on the state this run produced. */
  setOutputs(urn: string, outputs: ResourceState["outputs"]): ResourceState | undefined {
    const state = this.news.find((r) => r.urn === urn);
    if (state) {
      state.outputs = outputs;
      this.save(`outputs ${state.name}`);
    }
    return state;
  }

  /** Whether this run already produced a state for `urn`. */
  produced(urn: string): boolean {
    return this.news.some((r) => r.urn === urn);
  }

  /** The state now: what this run produced, then what of the base it has not superseded or deleted. */
  snapshot(): Checkpoint {
    const left = this.base.resources
      .filter((r) => !this.removed.has(r))
      .map((r) => (this.forDelete.has(r) ? { ...r, delete: true } : r));
    return {
      ...this.base,
      resources: [...this.news, ...left],
      pendingOperations: [...this.pending, ...this.carried],
    };
  }

  save(boundary = "final"): void {
    if (!this.file) return;
    saveCheckpoint(this.file, this.snapshot());
    this.onWrite?.(boundary);
  }
}
