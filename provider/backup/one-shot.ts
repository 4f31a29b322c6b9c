/**
 * The part of the lifecycle `SettingsBackup` and `SettingsRestore` share: what they did cannot be
 * read back from the client, and undoing it is not possible, so read returns the state as it is,
 * update only records new inputs, and delete sends nothing.
 */

import type { ResourceModel } from "../model";
import type { Props } from "../props";

/**
 * State after an update: the old state with the new inputs, less the inputs the program no longer
 * gives (a `connection` taken out in favour of stack config); kept, the next diff would find them
 * again and never settle.
 */
export function withInputs(model: ResourceModel, olds: Props, news: Props): Props {
  const outs: Props = { ...olds, ...news };
  for (const key of ["connection", ...Object.keys(model.inputs.shape)]) {
    if (!(key in news)) delete outs[key];
  }
  return outs;
}

export async function read(id: string, props: Props) {
  return { id, props };
}

async function remove(): Promise<void> {}

export { configure } from "../runtime";
export { remove as delete };
