/**
 * The part of the lifecycle `SettingsBackup` and `SettingsRestore` share: what they did cannot be
 * read back from the client, and undoing it is not possible, so read returns the state as it is,
 * update only records new inputs, and delete sends nothing.
 */

type Props = Record<string, unknown>;

export async function read(id: string, props: Props) {
  return { id, props };
}

export async function update(_id: string, olds: Props, news: Props) {
  return { outs: { ...olds, ...news } };
}

async function remove(): Promise<void> {}

export { configure } from "../runtime";
export { remove as delete };
