import * as pulumi from "@pulumi/pulumi";
import { LOG_LEVELS, native } from "pulumi-whatsapp-settings";

// A fleet: one explicit provider per client, so no resource carries a connection of its own.
// For each client <c> of `clients`: <c>Url, <c>Username, <c>CaCert, and the secrets <c>Password,
// <c>WebhookUrl and <c>CdnToken.
const config = new pulumi.Config();
const logLevel = config.require("logLevel", { allowedValues: [...LOG_LEVELS] });

export const clients: Record<string, pulumi.Output<string>> = {};
const providers: Record<string, native.Provider> = {};
for (const client of config.require("clients").split(",")) {
  const provider = new native.Provider(client, {
    baseUrl: config.require(`${client}Url`),
    username: config.require(`${client}Username`),
    password: config.requireSecret(`${client}Password`),
    caCert: config.require(`${client}CaCert`),
  });
  providers[client] = provider;
  const settings = new native.ApplicationSettings(
    `${client}-settings`,
    { webhooks: { url: config.requireSecret(`${client}WebhookUrl`) }, logLevel },
    { provider },
  );
  new native.MediaProvider(
    `${client}-cdn`,
    { name: "cdn", config: { bearer: config.requireSecret(`${client}CdnToken`) } },
    { provider },
  );
  clients[client] = settings.apiVersion;
}
