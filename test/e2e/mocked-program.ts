/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` in its own process and returns each
 * resource's registration as the engine would receive it: type, name, and inputs including the
 * serialized `__provider` (secrets keep Pulumi's signature wrapper).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** What the resource asked the engine to store as secret besides its secret inputs. */
  additionalSecretOutputs: string[];
  /**
   * The inputs as sent to the engine, secrets marked where they are: the mocks' `inputs` mark a
   * whole top-level value secret when anything inside it is.
   */
  wire: Record<string, unknown>;
}

const RUNNER = `
const pulumi = require("@pulumi/pulumi");
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
const registrations = [];
const secretOutputs = new Map();
const wire = new Map();
const register = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (req, callback) {
  secretOutputs.set(req.getName(), req.getAdditionalsecretoutputsList());
  wire.set(req.getName(), req.getObject().toJavaScript());
  return register.call(this, req, callback);
};
pulumi.runtime.setMocks({
  newResource: (args) => {
    registrations.push({
      type: args.type,
      name: args.name,
      inputs: args.inputs,
      additionalSecretOutputs: secretOutputs.get(args.name) || [],
      wire: wire.get(args.name) || {},
    });
    return { id: args.name + "-id", state: args.inputs };
  },
  call: () => ({}),
}, process.env.PROJECT || "program", "dev", true);
process.on("beforeExit", () => {
  if (registrations.length === 0) return;
  process.stdout.write(JSON.stringify(registrations));
  registrations.length = 0;
});
require(process.argv[2]);
`;

export function runMockedProgram(dir: string, entry = "./index.js", env: Record<string, string> = {}): Registration[] {
  const runner = join(dir, ".mock-runner.js");
  writeFileSync(runner, RUNNER);
  const out = execFileSync(process.execPath, [runner, entry], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return JSON.parse(out) as Registration[];
}

/** The engine's secret wrapper: `{ "4dabf18193072939515e22adb298388d": "1b47...", value }`. */
const SIG = "4dabf18193072939515e22adb298388d";

export function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && SIG in value;
}

/** Inputs with secrets unwrapped, as the engine sends them to a provider that does not accept secrets. */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecret(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Top-level keys whose value is secret. */
export function secretKeys(inputs: Record<string, unknown>): string[] {
  return Object.entries(inputs)
    .filter(([, value]) => isSecret(value))
    .map(([key]) => key);
}
