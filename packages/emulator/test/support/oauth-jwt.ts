import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";

export interface JwtKeys {
  privateKey: KeyObject;
  /** SPKI PEM, as an app's jwtCertificate. */
  publicKeyPem: string;
}

export function makeJwtKeys(): JwtKeys {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privateKey, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** An RS256 JWT bearer assertion, as simple-salesforce and the Salesforce CLI build them. */
export function signAssertion(privateKey: KeyObject, claims: Record<string, unknown>, alg = "RS256"): string {
  const header = Buffer.from(JSON.stringify({ alg, typ: "JWT" })).toString("base64url");
  const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createSign("RSA-SHA256").update(`${header}.${body}`).sign(privateKey).toString("base64url");
  return `${header}.${body}.${signature}`;
}
