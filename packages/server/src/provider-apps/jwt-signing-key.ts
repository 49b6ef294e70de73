import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import type { ProviderAppProblem } from "./provider-app-problem.ts";

/** Salesforce verifies JWT bearer assertions as RS256; RSA keys shorter than this are refused. */
const MIN_RSA_BITS = 2048;

export type SigningKeyVerdict =
  | { ok: true; pem: string; fingerprint: string; bits: number }
  | { ok: false; problem: ProviderAppProblem };

/**
 * Checks the private key a provider app signs JWT bearer assertions with: an unencrypted RSA key in
 * PEM (PKCS#1 or PKCS#8) of at least 2048 bits. Returns the key as given, normalised, and the
 * SHA-256 fingerprint of its public half, which is safe to show and lets a builder match it to the
 * certificate uploaded in Salesforce. Messages never quote the key.
 */
export function checkSigningKey(text: string): SigningKeyVerdict {
  const pem = normalisePem(text);
  const refuse = (code: string, message: string, remedy: string): SigningKeyVerdict => ({
    ok: false,
    problem: { field: "jwt.privateKey", code, message, remedy },
  });

  if (/-----BEGIN CERTIFICATE-----/.test(pem) || /-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) {
    return refuse(
      "jwt_key_not_private",
      "jwt.privateKey holds a certificate or public key, not the private key.",
      "Upload the certificate to Salesforce (Use digital signatures) and send Forcelink the matching private key (-----BEGIN PRIVATE KEY-----).",
    );
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    return refuse(
      "jwt_key_encrypted",
      "jwt.privateKey is protected by a passphrase, which Forcelink cannot type in.",
      "Export it without a passphrase (openssl pkey -in key.pem -out key-plain.pem) and send that; Forcelink seals it at rest.",
    );
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) {
    return refuse(
      "jwt_key_not_pem",
      "jwt.privateKey is not a PEM private key.",
      "Send the whole PEM text, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----, with its line breaks (\\n in JSON).",
    );
  }

  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    return refuse(
      "jwt_key_unreadable",
      "jwt.privateKey looks like PEM but could not be read as a private key (damaged or truncated).",
      "Copy the key file again in full, or make a new one: openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 730.",
    );
  }
  if (key.asymmetricKeyType !== "rsa") {
    return refuse(
      "jwt_key_not_rsa",
      `jwt.privateKey is a key of type ${key.asymmetricKeyType ?? "unknown"}; Salesforce's JWT bearer flow verifies RS256 signatures, which need an RSA key.`,
      "Make an RSA key and certificate (openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 730) and upload cert.pem to Salesforce.",
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    return refuse(
      "jwt_key_too_short",
      `jwt.privateKey is a ${bits}-bit RSA key; use at least ${MIN_RSA_BITS} bits.`,
      "Make a 2048-bit (or larger) key and certificate, and upload the new certificate to Salesforce.",
    );
  }
  return { ok: true, pem, fingerprint: publicKeyFingerprint(key), bits };
}

/** `sha256:` and the hex SHA-256 of the public key's DER (SubjectPublicKeyInfo). */
export function publicKeyFingerprint(privateKey: ReturnType<typeof createPrivateKey>): string {
  const der = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}

/** Keys pasted into JSON by hand often arrive with literal `\n` sequences and stray indentation. */
function normalisePem(text: string): string {
  const withBreaks = !text.includes("\n") && text.includes("\\n") ? text.replace(/\\n/g, "\n") : text;
  const lines = withBreaks
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return `${lines.join("\n")}\n`;
}
