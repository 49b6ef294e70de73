import { createPrivateKey, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";

export interface JwtAssertionInput {
  /** The app's consumer key: the assertion's issuer. */
  clientId: string;
  /** The Salesforce username the token is for. */
  username: string;
  /** The environment's login URL (https://login.salesforce.com or https://test.salesforce.com, or its mapping). */
  audience: string;
  /** PEM private key (PKCS#8 or PKCS#1) or a KeyObject; its certificate is on the app. */
  privateKey: string | KeyObject;
  passphrase?: string;
  /** Epoch ms; the emulator's clock in tests. */
  now: number;
  /** Salesforce accepts short-lived assertions; three minutes is what the common clients use. */
  lifetimeSeconds?: number;
}

/** Signs the RS256 assertion of the JWT bearer flow. */
export async function signJwtAssertion(input: JwtAssertionInput): Promise<string> {
  const key =
    typeof input.privateKey === "string"
      ? createPrivateKey(input.passphrase ? { key: input.privateKey, passphrase: input.passphrase } : input.privateKey)
      : input.privateKey;
  const issuedAt = Math.floor(input.now / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(input.clientId)
    .setSubject(input.username)
    .setAudience(input.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (input.lifetimeSeconds ?? 180))
    .sign(key);
}
