import { createHmac, timingSafeEqual } from "node:crypto";
import { OAuthFailure } from "./oauth-failure.ts";

/**
 * What a token answer grants. Salesforce sends no `expires_in`: how long the access token lives
 * is the org's session timeout, learned elsewhere (see TokenLifecycle).
 */
export interface TokenSet {
  accessToken: string;
  /** Only with the refresh_token/offline_access scope, and on refresh only when the app rotates them. */
  refreshToken?: string;
  /** The org's My Domain: where API calls go. It can change (org migration, My Domain rename). */
  instanceUrl: string;
  /** The identity URL (`id`), on the login host the user signed in through. */
  identityUrl: string;
  orgId: string;
  userId: string;
  scopes: string[];
  /** Epoch ms, from `issued_at`. */
  issuedAt: number;
  /** base64 HMAC-SHA256 of `id + issued_at` keyed with the consumer secret. */
  signature: string;
  idToken?: string;
}

const ID_PATH = /\/id\/([a-zA-Z0-9]{15,18})\/([a-zA-Z0-9]{15,18})\/?$/;

/** Reads a token answer; a 200 lacking what every token answer has is refused as invalid_response. */
export function parseTokenResponse(body: Record<string, unknown>, fallbackIssuedAt: number = Date.now()): TokenSet {
  const accessToken = text(body.access_token);
  const instanceUrl = text(body.instance_url);
  const identityUrl = text(body.id);
  if (!accessToken || !instanceUrl || !identityUrl)
    throw new OAuthFailure("invalid_response", "the token answer lacks access_token, instance_url or id", 200);
  const ids = ID_PATH.exec(safePath(identityUrl));
  if (!ids) throw new OAuthFailure("invalid_response", "the identity URL does not name an org and a user", 200);
  if (!isHttpOrigin(instanceUrl)) throw new OAuthFailure("invalid_response", "instance_url is not an http(s) URL", 200);
  const issued = Number(text(body.issued_at));
  const set: TokenSet = {
    accessToken,
    instanceUrl: new URL(instanceUrl).origin,
    identityUrl,
    orgId: ids[1],
    userId: ids[2],
    scopes: (text(body.scope) ?? "").split(/\s+/).filter(Boolean),
    issuedAt: Number.isFinite(issued) && issued > 0 ? issued : fallbackIssuedAt,
    signature: text(body.signature) ?? "",
  };
  const refreshToken = text(body.refresh_token);
  if (refreshToken) set.refreshToken = refreshToken;
  const idToken = text(body.id_token);
  if (idToken) set.idToken = idToken;
  return set;
}

/**
 * Checks the answer's signature with the consumer secret: proves `id` and `issued_at` came from
 * Salesforce unaltered. Not every answer is signed for every app, so callers decide whether to
 * insist.
 */
export function verifyTokenSignature(
  tokens: Pick<TokenSet, "identityUrl" | "issuedAt" | "signature">,
  clientSecret: string,
): boolean {
  if (!tokens.signature) return false;
  const expected = createHmac("sha256", clientSecret).update(`${tokens.identityUrl}${tokens.issuedAt}`).digest();
  const given = Buffer.from(tokens.signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

function isHttpOrigin(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
  } catch {
    return false;
  }
}
