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
import { type Props, secretOutputs } from "./property-values";

/**
 * What a provider reports when the resource exists but its create or update did not finish
 * (`pulumirpc.ErrorResourceInitFailed`, packed in the gRPC status details by the dynamic-provider
 * host's `grpcResponseFromError` for an error that carries an `id`): the id, the properties the
 * resource now has, and why.
 */
export interface InitFailure {
  id: string;
  properties: Props;
  reasons: string[];
}

export interface StepOutcome {
  /** A resource state the step produced (created, updated, refreshed or left by a failed create). */
  add?: ResourceState;
  /** A resource of the base state the step superseded or deleted. */
  remove?: ResourceState;
  /** The original of a create-before-delete replacement: stays, marked for deletion, until its delete runs. */
  markForDelete?: ResourceState;
}

/** A boundary a provider operation wrote (its pending operation, or its end), as `onWrite` names it. */
export const OPERATION_BOUNDARY = /^(begin|end) (creating|updating|deleting) /;

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

  /** A journal kept in memory: nothing written to disk, each write still reported to `onWrite`. */
  static inMemory(
    base: Checkpoint,
    carried: readonly PendingOperation[],
    onWrite?: (boundary: string) => void,
  ): Journal {
    return new Journal(base, "", carried, onWrite);
  }

  /** A step is about to call its provider: its pending operation reaches the disk first. */
  begin(type: OperationType, resource: ResourceState): PendingOperation {
    const operation = { type, resource };
    this.pending.push(operation);
    this.save(`begin ${type} ${resource.name}`);
    return operation;
  }

  /**
   * A provider delete with its pending operation: the resource leaves state when `remove`
   * resolves; when it throws, only the operation ends and the resource stays (Pulumi's
   * `DeleteStep.Apply`, pkg/resource/deploy/step.go).
   */
  async deleting(resource: ResourceState, remove: () => Promise<unknown>): Promise<void> {
    const operation = this.begin("deleting", resource);
    try {
      await remove();
    } catch (error) {
      this.end(operation);
      throw error;
    }
    this.end(operation, { remove: resource });
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
    if (this.file === undefined) return;
    if (this.file) saveCheckpoint(this.file, this.snapshot());
    this.onWrite?.(boundary);
  }
}

/**
 * Ends a create or update whose provider call failed. A provider that made the resource and
 * reports it (`ErrorResourceInitFailed`: id and properties) leaves it in state with its init
 * errors (Pulumi's `StatusPartialFailure` in `step_executor.go`), and the `original` of a
 * create-before-delete replacement is then marked for deletion as after a create that succeeded
 * (`step.go`, `CreateStep.Apply`); any other failure leaves state as it was.
 */
export function endFailedWrite(
  journal: Journal,
  operation: PendingOperation,
  failure: InitFailure | undefined,
  message: string,
  state: ResourceState,
  previous: ResourceState | undefined,
  original?: ResourceState,
): void {
  if (!failure) {
    journal.end(operation);
    return;
  }
  const outputs = secretOutputs(failure.properties, state.inputs, state.additionalSecretOutputs);
  const reasons = failure.reasons.length > 0 ? failure.reasons : [message];
  // A partly-failed update keeps the old inputs with the new outputs: the resource was not
  // updated with the new ones (`pkg/engine/update.go`, pulumi/pulumi#2011).
  const inputs = previous ? previous.inputs : state.inputs;
  journal.end(operation, {
    add: { ...state, id: failure.id || state.id, inputs, outputs, initErrors: reasons },
    ...(previous ? { remove: previous } : {}),
    ...(original ? { markForDelete: original } : {}),
  });
}

/** Pulumi's warning when the previous run left pending operations (`deployment_executor.go`). */
export function pendingOperationsWarning(operations: readonly PendingOperation[]): string {
  const list = operations.map((op) => `  * ${op.resource.urn}, interrupted while ${op.type}\n`).join("");
  return (
    `Attempting to deploy or update resources with ${operations.length} pending operations from previous deployment.\n` +
    list +
    "These resources are in an unknown state because the Pulumi CLI was interrupted while " +
    "waiting for changes to these resources to complete. You should confirm whether or not the " +
    "operations listed completed successfully by checking the state of the appropriate provider. " +
    "For example, if you are using AWS, you can confirm using the AWS Console.\n" +
    "\n" +
    "Once you have confirmed the status of the interrupted operations, you can repair your stack " +
    "using `pulumi refresh` which will refresh the state from the provider you are using and " +
    "clear the pending operations if there are any.\n" +
    "\n" +
    "Note that `pulumi refresh` will need to be run interactively to clear pending CREATE operations."
  );
}
