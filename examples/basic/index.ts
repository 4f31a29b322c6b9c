import * as pulumi from "@pulumi/pulumi";
import { ApplicationSettings } from "pulumi-whatsapp-settings";

// The client comes from stack config: whatsapp:baseUrl, whatsapp:username, whatsapp:password
// (secret) and, for the client's self-signed certificate, whatsapp:caCert.
const config = new pulumi.Config();

// The webhook URL carries a shared secret in its query string, so it is stored as a secret.
const webhookUrl = config.requireSecret("webhookUrl");
// Both need a Coreapp restart to take effect: preview flags them in restartRequiredFields.
const maxConcurrentRequests = (config.getNumber("maxConcurrentRequests") ?? 6) as 6 | 12 | 18 | 24;
const logLevel = (config.get("logLevel") ?? "warning") as "info" | "warning" | "error" | "fatal";

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

export const apiVersion = settings.apiVersion;
export const restartRequired = settings.restartRequired;
export const restartRequiredFields = settings.restartRequiredFields;
