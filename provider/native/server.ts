/**
 * The native `whatsapp` provider: Pulumi's `ResourceProvider` gRPC service, served by this
 * package. Every resource of the registry is `whatsapp:index:<Type>`, and each call goes to the
 * same lifecycle module the dynamic provider runs, so the rules for irreversible calls, secrets
 * and wrong clients are the same code. What the native protocol adds is done here: the provider's
 * configuration (one client per provider, so a fleet declares one provider per client), secrets
 * wrapped on the wire, a per-property `detailedDiff`, previews that send nothing, and `Read` from
 * an id alone (import).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { InputError, isWhatsAppError } from "../errors";
import {
  foreignKeys,
  outputOnlyKeys,
  propertyMeta,
  RESOURCE_NAME,
  type ResourceModel,
  schemaDef,
  secretOutputs,
  unwrapOptional,
} from "../model";
import type { Props } from "../props";
import { RESOURCES } from "../resources";
import { configure as configureRuntime } from "../runtime";
import { checkProviderConfig, configSource } from "./config";
import {
  anyPb,
  emptyPb,
  fromStruct,
  grpc,
  pluginPb,
  providerPb,
  statusPb,
  toStruct,
  UNKNOWN,
  unwrapSecrets,
  wrapSecrets,
} from "./protocol";
import { packageSchema, packageVersion, resourceToken } from "./schema";

// biome-ignore lint/suspicious/noExplicitAny: generated protobuf messages carry no types
type Message = any;
type Callback = (error: unknown, response?: Message) => void;
interface Call {
  request: Message;
}

interface Entry {
  model: ResourceModel;
  lifecycle: pulumi.dynamic.ResourceProvider;
}

const BY_TOKEN = new Map<string, Entry>(
  RESOURCES.map(({ model, lifecycle }) => [resourceToken(model.type), { model, lifecycle }]),
);

/** The type token of a URN (`urn:pulumi:stack::project::parent$type::name`). */
function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function nameOfUrn(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** The resource's name in the program, which the lifecycle modules read where the dynamic provider kept it. */
function named(request: Message, props: Props): Props {
  return { ...props, [RESOURCE_NAME]: request.getName() || nameOfUrn(request.getUrn()) };
}

function entryFor(request: Message): Entry {
  const token = (typeof request.getType === "function" && request.getType()) || typeOfUrn(request.getUrn());
  const entry = BY_TOKEN.get(token);
  if (!entry)
    throw new Error(`unknown resource type ${token}; this provider serves ${[...BY_TOKEN.keys()].join(", ")}`);
  return entry;
}

/** `value` with each property its schema (at any depth) marks secret wrapped as a secret. */
function secretLeaves(shape: Record<string, z.ZodType>, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Props = { ...value };
  for (const [key, schema] of Object.entries(shape)) {
    if (!(key in out)) continue;
    const inner = unwrapOptional(schema);
    const meta = propertyMeta.get(schema) ?? propertyMeta.get(inner);
    const nested = schemaDef(inner).shape;
    if (meta?.secret === true) out[key] = wrapSecrets({ value: out[key] }, ["value"]).value;
    else if (nested) out[key] = secretLeaves(nested, out[key]);
  }
  return out;
}

/**
 * State as the engine keeps it. What the program passed as a secret, the connection and a
 * secret property that is not a group stay secret whole (a group given as one secret has one
 * flag for all of it); everything else has its secret leaves wrapped (`webhooks.url` alone).
 */
function sealed(model: ResourceModel, props: Props, secretInputs: Iterable<string>): Props {
  const shape = { ...model.outputs.shape, ...model.inputs.shape } as Record<string, z.ZodType>;
  const whole = new Set([
    ...secretInputs,
    ...secretOutputs(model).filter((key) => {
      const schema = shape[key];
      return !(key in model.inputs.shape) || schema === undefined || !schemaDef(unwrapOptional(schema)).shape;
    }),
  ]);
  const leaves = Object.fromEntries(Object.entries(shape).filter(([key]) => !whole.has(key)));
  return wrapSecrets(secretLeaves(leaves, props) as Props, whole);
}

function isPlainObject(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The paths where `news` differs from `olds`, to leaves of nested objects; arrays are compared whole. */
function changedPaths(olds: unknown, news: unknown, path: string, out: Map<string, "add" | "delete" | "update">) {
  if (same(olds, news)) return;
  if (isPlainObject(olds) && isPlainObject(news)) {
    for (const key of new Set([...Object.keys(olds), ...Object.keys(news)])) {
      changedPaths(olds[key], news[key], `${path}.${key}`, out);
    }
    return;
  }
  out.set(path, olds === undefined ? "add" : news === undefined ? "delete" : "update");
}

const KIND = providerPb.PropertyDiff.Kind;
const KINDS = {
  add: [KIND.ADD, KIND.ADD_REPLACE],
  delete: [KIND.DELETE, KIND.DELETE_REPLACE],
  update: [KIND.UPDATE, KIND.UPDATE_REPLACE],
} as const;

/** An error as the engine reads it; one whose resource exists (partly applied) carries its state. */
function grpcError(error: unknown, model?: ResourceModel, secretInputs: Iterable<string> = []) {
  const failure = error instanceof Error ? error : new Error(String(error));
  const { id, properties, reasons } = failure as Error & { id?: string; properties?: Props; reasons?: string[] };
  const metadata = new grpc.Metadata();
  if (id && model) {
    const status = new statusPb.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(failure.message);
    const detail = new providerPb.ErrorResourceInitFailed();
    detail.setId(id);
    detail.setProperties(toStruct(sealed(model, properties ?? {}, secretInputs)));
    detail.setReasonsList(reasons ?? [failure.message]);
    const any = new anyPb.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  const code = isWhatsAppError(error) ? ` [${error.code}]` : "";
  return { code: grpc.status.UNKNOWN, details: `${failure.message}${code}`, metadata };
}

/** Runs `work` and answers with its result, or with the error the engine expects. */
function answer(callback: Callback, work: () => Promise<Message> | Message, model?: () => ResourceModel | undefined) {
  Promise.resolve()
    .then(work)
    .then(
      (response) => callback(null, response),
      (error: unknown) => callback(grpcError(error, model?.())),
    );
}

/**
 * Check and Update: the resource's old and new properties with the secrets unwrapped (and which
 * keys were secret), its model named for an error that carries its state.
 */
function withResource(
  call: Call,
  callback: Callback,
  work: (entry: Entry, olds: Props, news: Props, secretKeys: Set<string>) => Promise<Message>,
) {
  let model: ResourceModel | undefined;
  answer(
    callback,
    async () => {
      const entry = entryFor(call.request);
      model = entry.model;
      const olds = unwrapSecrets(fromStruct(call.request.getOlds())).plain;
      const { plain: news, secretKeys } = unwrapSecrets(fromStruct(call.request.getNews()));
      return work(entry, olds, news, secretKeys);
    },
    () => model,
  );
}

export class WhatsAppProvider {
  getPluginInfo(_call: Call, callback: Callback) {
    const info = new pluginPb.PluginInfo();
    info.setVersion(packageVersion());
    callback(null, info);
  }

  handshake(_call: Call, callback: Callback) {
    const response = new providerPb.ProviderHandshakeResponse();
    response.setAcceptSecrets(true);
    response.setAcceptResources(false);
    response.setAcceptOutputs(false);
    callback(null, response);
  }

  getSchema(call: Call, callback: Callback) {
    if (call.request.getVersion() !== 0) {
      callback({
        code: grpc.status.INVALID_ARGUMENT,
        details: `unsupported schema version ${call.request.getVersion()}`,
      });
      return;
    }
    const response = new providerPb.GetSchemaResponse();
    response.setSchema(JSON.stringify(packageSchema()));
    callback(null, response);
  }

  checkConfig(call: Call, callback: Callback) {
    answer(callback, async () => {
      const news = fromStruct(call.request.getNews());
      const response = new providerPb.CheckResponse();
      response.setInputs(call.request.getNews());
      for (const failure of checkProviderConfig(news)) {
        const item = new providerPb.CheckFailure();
        item.setProperty(failure.property);
        item.setReason(failure.reason);
        response.addFailures(item);
      }
      return response;
    });
  }

  diffConfig(call: Call, callback: Callback) {
    answer(callback, () => {
      const olds = unwrapSecrets(fromStruct(call.request.getOlds())).plain;
      const news = unwrapSecrets(fromStruct(call.request.getNews())).plain;
      const diffs = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
        (key) => key !== "version" && !key.startsWith("__") && !same(olds[key], news[key]),
      );
      // Another address or credentials replace no resource: each resource's diff decides,
      // telling the same client at another address from another client by its number.
      const response = new providerPb.DiffResponse();
      response.setChanges(
        diffs.length > 0
          ? providerPb.DiffResponse.DiffChanges.DIFF_SOME
          : providerPb.DiffResponse.DiffChanges.DIFF_NONE,
      );
      response.setDiffsList(diffs);
      return response;
    });
  }

  configure(call: Call, callback: Callback) {
    answer(callback, async () => {
      const args = call.request.getArgs() ? fromStruct(call.request.getArgs()) : {};
      const variables: Props = {};
      for (const [key, value] of call.request.getVariablesMap().entries())
        variables[key.replace(/^.*:config:/, "")] = value;
      await configureRuntime({ config: configSource(Object.keys(args).length > 0 ? args : variables) });
      const response = new providerPb.ConfigureResponse();
      response.setAcceptsecrets(true);
      response.setSupportspreview(true);
      response.setAcceptresources(false);
      return response;
    });
  }

  check(call: Call, callback: Callback) {
    withResource(call, callback, async (entry, olds, news, secretKeys) => {
      const checked = await entry.lifecycle.check?.(olds, named(call.request, news));
      const response = new providerPb.CheckResponse();
      const inputs = { ...(checked?.inputs ?? news) };
      delete inputs[RESOURCE_NAME];
      response.setInputs(toStruct(sealed(entry.model, inputs, secretKeys)));
      for (const failure of checked?.failures ?? []) {
        const item = new providerPb.CheckFailure();
        item.setProperty(failure.property);
        item.setReason(failure.reason);
        response.addFailures(item);
      }
      return response;
    });
  }

  diff(call: Call, callback: Callback) {
    answer(callback, async () => {
      const { model, lifecycle } = entryFor(call.request);
      const olds = unwrapSecrets(fromStruct(call.request.getOlds())).plain;
      const oldInputs = unwrapSecrets(fromStruct(call.request.getOldInputs())).plain;
      const news = unwrapSecrets(fromStruct(call.request.getNews())).plain;
      const result =
        (await lifecycle.diff?.(call.request.getId(), named(call.request, olds), named(call.request, news))) ?? {};
      const replaces = result.replaces ?? [];
      const response = new providerPb.DiffResponse();
      const Changes = providerPb.DiffResponse.DiffChanges;
      if (!result.changes) {
        response.setChanges(Changes.DIFF_NONE);
        response.setHasdetaileddiff(true);
        return response;
      }
      const foreign = foreignKeys(model);
      const paths = new Map<string, "add" | "delete" | "update">();
      for (const key of new Set([...Object.keys(news), ...Object.keys(oldInputs)])) {
        if (foreign.has(key) && key !== "connection") continue;
        changedPaths(key in oldInputs ? oldInputs[key] : olds[key], news[key], key, paths);
      }
      // A change the diff found and no input shows (a move to another address of the client).
      for (const key of replaces)
        if (![...paths.keys()].some((p) => p === key || p.startsWith(`${key}.`))) paths.set(key, "update");
      if (paths.size === 0) {
        // Nothing the program wrote differs (state's stored connection is stale): an update
        // without property lines, as the engine shows a diff it cannot detail.
        response.setChanges(Changes.DIFF_SOME);
        response.setReplacesList(replaces);
        return response;
      }
      const detailed = response.getDetaileddiffMap();
      for (const [path, kind] of paths) {
        const top = path.split(".")[0] as string;
        const diff = new providerPb.PropertyDiff();
        diff.setKind(KINDS[kind][replaces.includes(top) ? 1 : 0]);
        diff.setInputdiff(true);
        detailed.set(path, diff);
      }
      response.setChanges(Changes.DIFF_SOME);
      response.setReplacesList(replaces);
      response.setDiffsList([...new Set([...paths.keys()].map((p) => p.split(".")[0] as string))]);
      response.setHasdetaileddiff(true);
      response.setDeletebeforereplace(result.deleteBeforeReplace === true);
      return response;
    });
  }

  create(call: Call, callback: Callback) {
    let model: ResourceModel | undefined;
    let secretKeys = new Set<string>();
    Promise.resolve()
      .then(async () => {
        const entry = entryFor(call.request);
        model = entry.model;
        const unwrapped = unwrapSecrets(fromStruct(call.request.getProperties()));
        secretKeys = unwrapped.secretKeys;
        const response = new providerPb.CreateResponse();
        if (call.request.getPreview()) {
          // Preview sends nothing: what only the client can say is unknown until up.
          const outputs = { ...unwrapped.plain };
          for (const key of outputOnlyKeys(entry.model)) outputs[key] = UNKNOWN;
          response.setProperties(toStruct(sealed(entry.model, outputs, secretKeys)));
          return response;
        }
        const created = await entry.lifecycle.create(named(call.request, unwrapped.plain));
        response.setId(created.id);
        response.setProperties(toStruct(sealed(entry.model, created.outs ?? {}, secretKeys)));
        return response;
      })
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(grpcError(error, model, secretKeys)),
      );
  }

  read(call: Call, callback: Callback) {
    answer(callback, async () => {
      const { model, lifecycle } = entryFor(call.request);
      const { plain: props, secretKeys } = unwrapSecrets(fromStruct(call.request.getProperties()));
      const given = unwrapSecrets(fromStruct(call.request.getInputs())).plain;
      const read = await lifecycle.read?.(call.request.getId(), props);
      const response = new providerPb.ReadResponse();
      if (!read?.id) return response;
      const outputs = read.props ?? {};
      if (Object.keys(props).length === 0 && Object.keys(given).length === 0 && Object.keys(outputs).length === 0) {
        // A backup or a restore: what it did cannot be read back, and state made of its id alone
        // would let a diff against the program take it for another one.
        throw new InputError([
          {
            property: "id",
            reason:
              `a ${model.type} cannot be imported from its id (${call.request.getId()}): nothing it did can be read ` +
              "back from a client; keep it as it is declared, or let it go with retainOnDelete (nothing is sent)",
          },
        ]);
      }
      // An import has no inputs yet: those of the model the client holds, so the program that
      // declares them shows no diff.
      const inputs =
        Object.keys(given).length > 0
          ? given
          : Object.fromEntries(
              Object.keys(model.inputs.shape)
                .filter((k) => outputs[k] !== undefined)
                .map((k) => [k, outputs[k]]),
            );
      response.setId(read.id);
      response.setProperties(toStruct(sealed(model, outputs, secretKeys)));
      response.setInputs(toStruct(sealed(model, inputs, secretKeys)));
      return response;
    });
  }

  update(call: Call, callback: Callback) {
    withResource(call, callback, async (entry, olds, news, secretKeys) => {
      const response = new providerPb.UpdateResponse();
      if (call.request.getPreview()) {
        response.setProperties(toStruct(sealed(entry.model, { ...olds, ...news }, secretKeys)));
        return response;
      }
      const updated = await entry.lifecycle.update?.(
        call.request.getId(),
        named(call.request, olds),
        named(call.request, news),
      );
      response.setProperties(toStruct(sealed(entry.model, updated?.outs ?? { ...olds, ...news }, secretKeys)));
      return response;
    });
  }

  delete(call: Call, callback: Callback) {
    answer(callback, async () => {
      const { lifecycle } = entryFor(call.request);
      const props = unwrapSecrets(fromStruct(call.request.getProperties())).plain;
      await lifecycle.delete?.(call.request.getId(), named(call.request, props));
      return new emptyPb.Empty();
    });
  }

  cancel(_call: Call, callback: Callback) {
    callback(null, new emptyPb.Empty());
  }
}
