import { createPublicKey, createSign, createVerify, type KeyObject } from "node:crypto";

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits a compact JWS; undefined when it is not three base64url parts with JSON objects. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], "base64url") };
  } catch {
    return undefined;
  }
}

/** Checks an RS256 signature against a PEM certificate or public key, as uploaded to the app. */
export function verifyRs256(jwt: DecodedJwt, certificatePem: string): boolean {
  if (jwt.header.alg !== "RS256") return false;
  let key: KeyObject;
  try {
    key = createPublicKey(certificatePem);
  } catch {
    return false;
  }
  return createVerify("RSA-SHA256").update(jwt.signingInput).verify(key, jwt.signature);
}

export function signRs256(payload: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  const header = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid })).toString("base64url");
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  const signature = createSign("RSA-SHA256").update(`${header}.${body}`).sign(privateKey).toString("base64url");
  return `${header}.${body}.${signature}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
