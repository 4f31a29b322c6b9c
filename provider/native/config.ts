/**
 * The provider's own configuration: one client, the fields of a `connection`. A default provider
 * takes them from stack config (`whatsapp:baseUrl`, ...; all strings), an explicit one from its
 * arguments (which generated SDKs send as JSON text when they are not strings). Checked before
 * any resource of the provider runs, naming the key and what it must be.
 */

import { UNKNOWN } from "../check";
import { type ConfigSource, ConnectionSchema, connectionFromConfig, PartialConnectionSchema } from "../connection";
import { propertyMeta } from "../model";
import { RETRY_CONFIG_KEYS } from "../runtime";
import { unwrapSecrets } from "./protocol";
import { PACKAGE } from "./schema";

export interface ConfigFailure {
  property: string;
  reason: string;
}

/** The values as stack config holds them: text, `version` and the engine's own keys left out. */
export function configSource(args: Record<string, unknown>): ConfigSource {
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(unwrapSecrets(args).plain)) {
    if (key === "version" || key.startsWith("__") || value === undefined || value === null) continue;
    values.set(`${PACKAGE}:${key}`, typeof value === "string" ? value : JSON.stringify(value));
  }
  return { get: (key: string) => values.get(key) };
}

export function checkProviderConfig(args: Record<string, unknown>): ConfigFailure[] {
  const failures: ConfigFailure[] = [];
  const known = new Set(Object.keys(PartialConnectionSchema.shape));
  // A default provider's inputs are the stack config, which also holds the advanced retry keys.
  const advanced = new Set<string>(RETRY_CONFIG_KEYS);
  for (const key of Object.keys(args)) {
    if (key === "version" || key.startsWith("__") || known.has(key) || advanced.has(key)) continue;
    failures.push({
      property: key,
      reason: `is not a setting of the whatsapp provider (it takes: ${[...known].join(", ")})`,
    });
  }
  // Values not known yet (preview of a computed address) are checked once they are.
  const settled = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== UNKNOWN));
  const connection = connectionFromConfig(configSource(settled), {});
  const parsed = PartialConnectionSchema.safeParse(connection);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "baseUrl");
      const schema = ConnectionSchema.shape[key as keyof typeof ConnectionSchema.shape];
      const allowed = schema ? propertyMeta.get(schema)?.allowed : undefined;
      // A refinement's own reason ("must not have a query string") says more than what is allowed,
      // as a resource's check words it.
      const own = issue.code === "custom" ? (issue.params as { reason?: unknown } | undefined)?.reason : undefined;
      const reason = typeof own === "string" ? own : allowed ? `must be ${allowed}` : issue.message;
      failures.push({ property: key, reason });
    }
  }
  return failures;
}
