/**
 * Client versions as `meta.version` spells them (`v2.53.2`, `2.33.4`, `3.0.1`): read leniently,
 * compared numerically. Unreadable versions compare as unknown, never as old.
 */

export type Version = readonly [number, number, number];

export function parseVersion(text: string | undefined): Version | undefined {
  const match = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text ?? "");
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `version` is at least `minimum`; `undefined` when the version could not be read. */
export function isAtLeast(version: string | undefined, minimum: string): boolean | undefined {
  const have = parseVersion(version);
  const need = parseVersion(minimum);
  if (!have || !need) return undefined;
  return compareVersions(have, need) >= 0;
}
