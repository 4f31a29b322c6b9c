/**
 * `pulumi-resource-whatsapp`: the native provider as a Pulumi plugin process. Like every provider
 * plugin it takes the engine's address as its last argument (after the engine's own flags), serves
 * on a port of 127.0.0.1 and prints that port, alone, as the first line of its standard output;
 * then it serves until the engine stops it. Log lines go to the engine, which shows them with the
 * resource they concern.
 */
import { engineAddress, joinDeployment } from "../deployment-memory";
import { grpc, providerGrpc } from "./protocol";

export { engineAddress };

export async function serve(engine: string | undefined): Promise<{ port: number; stop(): Promise<void> }> {
  // Pulumi's log functions reach the engine through this address; the other provider processes of
  // the deployment share what its resources know of each other by it.
  if (engine) {
    process.env.PULUMI_NODEJS_ENGINE = engine;
    joinDeployment(engine);
  }
  const { WhatsAppProvider } = await import("./server.js");
  const server = new grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 * 400 });
  server.addService(providerGrpc.ResourceProviderService, new WhatsAppProvider());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error: Error | null, bound: number) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

export async function main(args: readonly string[]): Promise<void> {
  const engine = engineAddress(args);
  if (!engine) {
    console.error("fatal: the engine's address is missing (pulumi-resource-whatsapp <engine address>)");
    process.exit(2);
  }
  const { port } = await serve(engine);
  console.log(String(port));
}

if (require.main === module) void main(process.argv.slice(2));
