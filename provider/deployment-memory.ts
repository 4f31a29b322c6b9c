/**
 * What the resources of one deployment know of each other, shared by every provider process of
 * that deployment and by nothing else. Pulumi runs one plugin process per provider resource (a
 * program with an explicit native `Provider` and the default one has two), and it checks every
 * resource of a program before deleting those the program dropped: a delete must see what the
 * resources served by the other processes of its deployment still declare.
 *
 * - A deployment is known by its engine's address, which the engine gives every plugin process it
 *   starts: the processes of one deployment share it, two deployments running at once never do.
 * - Each process keeps its facts in memory and, once its deployment is known, in a file of its own
 *   (`<pid>.json`) in a directory per deployment (named by a digest of the address; directories
 *   0700, files 0600), rewritten atomically whenever its facts change and removed at exit.
 * - A read merges this process's facts with the files of live peers. The file of a pid that is
 *   gone (a killed process) is ignored and removed. What this cannot tell apart: a pid reused by an
 *   unrelated process after a killed deployment whose engine address comes back.
 * - Without a known deployment (the provider loaded by a test or a script) facts stay in the process.
 *
 * Nothing secret is written: callers store a value only when it cannot be secret, and otherwise
 * only a keyed digest (`digest`) to compare it by.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeAtomically } from "./durable-record";
import { ConfigError } from "./errors";

/** Facts by section, then by key; values are plain JSON. */
type Facts = Record<string, Record<string, unknown>>;

/** One fact of a section, from this process (`own`) or a live peer of its deployment. */
export interface Fact<T = unknown> {
  readonly key: string;
  readonly value: T;
  readonly own: boolean;
}

interface Memory {
  facts: Facts;
  /** This process's file; undefined when no deployment is known. */
  file: string | undefined;
  /** The digest key every process of the deployment derives alike. */
  key: Buffer;
}

let joined: string | undefined;
let memory: Memory | undefined;
let exitHook = false;

/** The engine's address: the last argument that is not one of the engine's flags. */
export function engineAddress(args: readonly string[]): string | undefined {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--tracing") i++;
    else if (arg !== "--logtostderr" && !arg.startsWith("-v=")) rest.push(arg);
  }
  return rest[0];
}

/** Makes this process one of the deployment whose engine is at `engine` (the native plugin's entry). */
export function joinDeployment(engine: string): void {
  joined = engine;
}

/**
 * The engine's address of this process: the one the native plugin joined, else, in Pulumi's
 * dynamic-provider host (run as `node …/cmd/dynamic-provider <engine flags> <engine address>`), its
 * argument. Elsewhere none: a provider loaded by a test or a script serves no deployment.
 */
function currentEngine(): string | undefined {
  if (joined !== undefined) return joined;
  const entry = require.main?.filename ?? "";
  if (/[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(entry)) {
    return engineAddress(process.argv.slice(2));
  }
  return undefined;
}

/** `WHATSAPP_DEPLOYMENT_MEMORY_DIR`, else `pulumi-whatsapp-memory-<uid>` in the system's temporary directory. */
export function memoryRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.WHATSAPP_DEPLOYMENT_MEMORY_DIR || join(tmpdir(), `pulumi-whatsapp-memory-${process.getuid?.() ?? "user"}`);
}

/** The directory of the deployment whose engine is at `engine`. */
export function memoryDirectory(engine: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = createHash("sha256").update(`deployment\0${engine}`).digest("hex").slice(0, 32);
  return join(memoryRoot(env), name);
}

/**
 * Creates `dir` (0700) if needed and refuses one this user does not own alone: in a shared
 * temporary directory another user could have made it first, to read or plant facts.
 */
function ownDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  const foreign = uid !== undefined && stat.uid !== uid;
  if (!stat.isDirectory() || foreign || (process.platform !== "win32" && (stat.mode & 0o077) !== 0)) {
    throw new ConfigError(
      `${dir} is not a directory of this user alone (mode 0700): the provider keeps there what the resources of ` +
        "a deployment know of each other, so it refuses to share it; remove it, or set WHATSAPP_DEPLOYMENT_MEMORY_DIR",
    );
  }
}

function current(): Memory {
  if (memory) return memory;
  const engine = currentEngine();
  if (engine === undefined) {
    memory = { facts: {}, file: undefined, key: randomBytes(32) };
    return memory;
  }
  const root = memoryRoot();
  const dir = memoryDirectory(engine);
  ownDirectory(root);
  sweep(root, dir);
  ownDirectory(dir);
  memory = {
    facts: {},
    file: join(dir, `${process.pid}.json`),
    key: createHash("sha256").update(`digest\0${engine}`).digest(),
  };
  return memory;
}

function save(state: Memory): void {
  if (state.file === undefined) return;
  writeAtomically(state.file, { pid: process.pid, facts: state.facts });
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => removeOwnFile());
  }
}

function removeOwnFile(): void {
  if (memory?.file) rmSync(memory.file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid is taken, by a process this user may not signal.
    return (error as { code?: string }).code === "EPERM";
  }
}

/**
 * Removes what processes that are gone left in `root` (a plugin the engine kills has no exit to
 * clean up at): their files, then each deployment's directory left empty. `keep` is this one's.
 */
function sweep(root: string, keep: string): void {
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (dir === keep || !/^[0-9a-f]{32}$/.test(name)) continue;
    try {
      for (const file of readdirSync(dir)) {
        const pid = /^(\d+)\.json/.exec(file)?.[1];
        if (pid !== undefined && !alive(Number(pid))) rmSync(join(dir, file), { force: true });
      }
      rmdirSync(dir);
    } catch {
      // Still in use, or swept by another process at the same time.
    }
  }
}

/** The facts of the live peers of this process's deployment; files of dead ones are removed. */
function peers(file: string): Facts[] {
  const dir = join(file, "..");
  const found: Facts[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    // Swept by another deployment's process while this one had written nothing: no peer wrote either.
    if ((error as { code?: string }).code === "ENOENT") return found;
    throw error;
  }
  for (const name of names) {
    const match = /^(\d+)\.json$/.exec(name);
    if (!match || Number(match[1]) === process.pid) continue;
    const path = join(dir, name);
    if (!alive(Number(match[1]))) {
      rmSync(path, { force: true });
      continue;
    }
    try {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as { facts?: unknown };
      if (typeof parsed.facts === "object" && parsed.facts !== null) found.push(parsed.facts as Facts);
    } catch {
      // Gone between the listing and the read (its process ended), or not ours: nothing to learn.
    }
  }
  return found;
}

/** Records `value` (plain JSON, never a secret) under `key` of `section`, for every process of the deployment. */
export function remember(section: string, key: string, value: unknown): void {
  const state = current();
  const facts = state.facts[section] ?? {};
  if (JSON.stringify(facts[key]) === JSON.stringify(value)) return;
  facts[key] = value;
  state.facts[section] = facts;
  save(state);
}

/** Withdraws this process's fact under `key` of `section`; a peer's stays its own. */
export function forget(section: string, key: string): void {
  const state = current();
  const facts = state.facts[section];
  if (!facts || !(key in facts)) return;
  delete facts[key];
  save(state);
}

/** The facts of `section` from this process, then from each live peer of its deployment. */
export function recall<T = unknown>(section: string): Fact<T>[] {
  const state = current();
  const own = Object.entries(state.facts[section] ?? {}).map(([key, value]) => ({ key, value: value as T, own: true }));
  if (state.file === undefined) return own;
  const theirs = peers(state.file).flatMap((facts) =>
    Object.entries(facts[section] ?? {}).map(([key, value]) => ({ key, value: value as T, own: false })),
  );
  return [...own, ...theirs];
}

/**
 * Records under `key` of `section` a stamp (ISO 8601) later than every stamp of the section in
 * this deployment, so no two match and the latest is the greatest, and returns it.
 */
export function stamp(section: string, key: string): string {
  let at = Date.now();
  for (const { value } of recall<string>(section)) at = Math.max(at, Date.parse(value) + 1);
  const stamped = new Date(at).toISOString();
  remember(section, key, stamped);
  return stamped;
}

/** The latest stamp any process of this deployment recorded under `key` of `section`. */
export function latestStamp(section: string, key: string): string | undefined {
  let latest: string | undefined;
  for (const fact of recall<string>(section)) {
    // ISO 8601 stamps of one length sort as their times.
    if (fact.key === key && (latest === undefined || fact.value > latest)) latest = fact.value;
  }
  return latest;
}

/**
 * A keyed digest of `text`, the same in every process of the deployment: what is stored of a value
 * that may be secret, to tell whether two resources set the same. It cannot be turned back into the
 * value, and its key comes from the engine's address, so equal values of two deployments do not
 * match. It hides a secret that cannot be guessed (a webhook's shared secret), not a short one.
 */
export function digest(text: string): string {
  return createHmac("sha256", current().key).update(text).digest("base64url");
}

/** Forgets this process's facts and removes its file (tests and scripts; a plugin's file goes at exit). */
export function leaveDeployment(): void {
  removeOwnFile();
  memory = undefined;
}
