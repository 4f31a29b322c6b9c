/** Client versions as the Coreapp reports them (`v2.53.2`, `2.33.4`), compared numerically. */
export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!match) throw new Error(`not a client version: ${text}`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function atLeast(version: Version, other: string): boolean {
  const [a, b, c] = parseVersion(other);
  return version[0] !== a ? version[0] > a : version[1] !== b ? version[1] > b : version[2] >= c;
}
