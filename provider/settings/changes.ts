/**
 * What a write sends, as pure functions of the managed settings and the client's values: the
 * fields that differ, and the PATCH body in which every touched group goes whole.
 */
import type { Props } from "../props";
import { NON_SETTING_KEYS } from "./inputs";
import { type FlatSettings, flatten, sameValue, toWire } from "./mapping";
import { ApplicationSettingsSchema, FIELDS } from "./schema";

/** The settings a resource's inputs or outputs manage, keyed by camelCase path. */
export function settingsOf(props: Props): FlatSettings {
  const raw: Props = {};
  for (const [key, value] of Object.entries(props)) if (!NON_SETTING_KEYS.has(key)) raw[key] = value;
  const parsed = ApplicationSettingsSchema.safeParse(raw);
  return flatten((parsed.success ? parsed.data : raw) as Props);
}

/**
 * The wanted values the client does not hold yet. An empty string is how a URL is cleared, and a
 * client may leave a cleared URL out of its answer: absent counts as cleared.
 */
export function changedFields(wanted: FlatSettings, have: FlatSettings): FlatSettings {
  return new Map([...wanted].filter(([path, value]) => !holds(have, path, value)));
}

export function holds(have: FlatSettings, path: string, value: unknown): boolean {
  if (!have.has(path)) return value === "";
  return sameValue(path, have.get(path), value);
}

/** The PATCH body for `changed`; a touched group goes whole, its other fields as the client has them. */
export function patchBody(changed: FlatSettings, wanted: FlatSettings, live: FlatSettings): Props {
  const body: FlatSettings = new Map(changed);
  const groups = new Set([...changed.keys()].filter((p) => p.includes(".")).map((p) => p.split(".")[0] as string));
  for (const field of FIELDS) {
    const group = field.path.split(".")[0] as string;
    if (!groups.has(group) || body.has(field.path)) continue;
    const value = wanted.has(field.path) ? wanted.get(field.path) : live.get(field.path);
    if (value !== undefined) body.set(field.path, value);
  }
  return toWire(body);
}

/** Whether sending `changed` needs the client's values first: a group with fields left to the client. */
export function needsLiveValues(changed: FlatSettings, wanted: FlatSettings): boolean {
  return [...changed.keys()].some((path) => {
    const group = path.includes(".") ? (path.split(".")[0] as string) : undefined;
    return group !== undefined && FIELDS.some((f) => f.path.startsWith(`${group}.`) && !wanted.has(f.path));
  });
}

export function pick(values: FlatSettings, paths: Iterable<string>): FlatSettings {
  return new Map([...paths].filter((path) => values.has(path)).map((path) => [path, values.get(path)]));
}
