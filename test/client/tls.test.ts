/**
 * How the provider's client verifies the client's certificate, through the settings provider
 * against the emulator: a failed verification is explained in terms of `caCert`, and turning it
 * off works but warns.
 */
import { expect, test } from "vitest";
import { captureWarnings, checked, connectionOf, emulator, settingsProvider as provider } from "../support/provider";

type Props = Record<string, unknown>;

test("a certificate for another host name is explained in terms of caCert", async () => {
  const e = await emulator({ host: "127.0.0.2" });
  const inputs = await checked({}, { connection: connectionOf(e), sentStatus: true });
  await expect(provider.create(inputs)).rejects.toMatchObject({
    code: "WHATSAPP_TLS",
    message: expect.stringContaining("TLS verification failed (ERR_TLS_CERT_ALTNAME_INVALID)"),
  });
});

test("a wrong CA is explained in terms of caCert and insecureSkipVerify", async () => {
  const e = await emulator();
  const inputs = await checked({}, { connection: { ...connectionOf(e), caCert: undefined }, sentStatus: true });
  delete (inputs.connection as Props).caCert;
  await expect(provider.create(inputs)).rejects.toMatchObject({
    code: "WHATSAPP_TLS",
    message: expect.stringContaining(
      "Set caCert to the PEM of the CA that signed the client's certificate, or insecureSkipVerify: true",
    ),
  });
});

test("insecureSkipVerify works and warns", async () => {
  const e = await emulator();
  const warnings = captureWarnings();
  const conn = { baseUrl: e.url, username: "admin", password: e.adminPassword, insecureSkipVerify: true };
  await provider.create(await checked({}, { connection: conn, sentStatus: true }));
  expect(warnings.join("\n")).toContain(`TLS verification is off for ${e.url} (insecureSkipVerify)`);
});
