import * as pulumi from "@pulumi/pulumi";
import { ApplicationSettings, LOG_LEVELS, MAX_CONCURRENT_REQUESTS, MediaProvider } from "pulumi-whatsapp-settings";

// The client comes from stack config: whatsapp:baseUrl, whatsapp:username, whatsapp:password
// (secret) and, for the client's self-signed certificate, whatsapp:caCert.
const config = new pulumi.Config();

// The webhook URL carries a shared secret in its query string, so it is stored as a secret.
const webhookUrl = config.requireSecret("webhookUrl");
// Both need a Coreapp restart to take effect: preview flags them in restartRequiredFields.
// Pulumi.yaml declares their defaults; the value lists turn config strings into typed values, and
// a value outside them stops the program naming the key (a RunError: no stack trace).
const concurrency = config.requireNumber("maxConcurrentRequests");
const maxConcurrentRequests = MAX_CONCURRENT_REQUESTS.find((allowed) => allowed === concurrency);
if (maxConcurrentRequests === undefined) {
  throw new pulumi.RunError(
    `Configuration 'maxConcurrentRequests' value '${concurrency}' is not one of ${MAX_CONCURRENT_REQUESTS.join(", ")}`,
  );
}
const logLevel = config.require("logLevel", { allowedValues: [...LOG_LEVELS] });

const settings = new ApplicationSettings("whatsapp-settings", {
  callbackPersist: true,
  callbackBackoffDelayMs: 3000,
  webhooks: {
    url: webhookUrl,
    maxConcurrentRequests,
    message: { sent: true, delivered: true, read: false },
  },
  media: { autoDownload: ["image", "document", "audio"] },
  garbagecollectorEnable: { messages: true, media: true },
  logLevel,
});

// Hosts the client may fetch media from by URL, one with a bearer token and one with basic
// credentials. Their credentials are secrets in stack config and stay secret in state.
const cdn = new MediaProvider("cdn", {
  name: "cdn",
  config: { bearer: config.requireSecret("cdnToken") },
});
const images = new MediaProvider("images", {
  name: "images",
  config: { basic: { username: config.require("imagesUsername"), password: config.requireSecret("imagesPassword") } },
});

export const apiVersion = settings.apiVersion;
export const restartRequired = settings.restartRequired;
export const restartRequiredFields = settings.restartRequiredFields;
export const mediaProviders = [cdn.name, images.name];
