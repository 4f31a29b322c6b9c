/**
 * A throwaway CA and a `localhost`/`127.0.0.1` server certificate it signs, made once per process
 * and shared by every emulator in it (a fleet of 200 should not mint 200 RSA keys).
 */
import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";

export interface TlsMaterial {
  caCert: string;
  cert: string;
  key: string;
}

/**
 * Kept on the global object, not in this module: test files share worker processes and each
 * evaluates this module afresh (test/support/fresh-file.ts), and the material is a third of a
 * second of CPU that no file needs to pay again.
 */
const MATERIAL = Symbol.for("pulumi-whatsapp-settings.emulator-tls");
const shared = globalThis as typeof globalThis & { [MATERIAL]?: TlsMaterial };

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    forgePrivate: forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs1", format: "pem" }).toString()),
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
    pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

function certificate(serial: string, subject: forge.pki.CertificateField[], issuer: forge.pki.CertificateField[]) {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  return cert;
}

export function tlsMaterial(): TlsMaterial {
  const made = shared[MATERIAL];
  if (made) return made;
  const caKeys = keyPair();
  const serverKeys = keyPair();
  const caName = [{ name: "commonName", value: "WhatsApp settings emulator CA" }];
  const ca = certificate(`01${Date.now().toString(16)}`, caName, caName);
  ca.publicKey = caKeys.forgePublic;
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.forgePrivate, forge.md.sha256.create());
  const server = certificate(`02${Date.now().toString(16)}`, [{ name: "commonName", value: "localhost" }], caName);
  server.publicKey = serverKeys.forgePublic;
  server.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
      ],
    },
  ]);
  server.sign(caKeys.forgePrivate, forge.md.sha256.create());
  const material = {
    caCert: forge.pki.certificateToPem(ca),
    cert: forge.pki.certificateToPem(server),
    key: serverKeys.pem,
  };
  shared[MATERIAL] = material;
  return material;
}
