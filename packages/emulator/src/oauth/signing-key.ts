import { generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import type { Org } from "../org/org.ts";

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The org's key for id_tokens, made on first use: generating RSA keys costs tens of milliseconds. */
export function signingKeyOf(org: Org): SigningKey {
  return org.extension("oauth.signingKey", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return { kid: randomBytes(8).toString("hex"), privateKey, publicKey };
  });
}

/** The JWKS served at /id/keys, which OpenID clients fetch to check id_tokens. */
export function jwks(org: Org): { keys: Array<Record<string, unknown>> } {
  const key = signingKeyOf(org);
  return { keys: [{ ...key.publicKey.export({ format: "jwk" }), kid: key.kid, alg: "RS256", use: "sig" }] };
}
