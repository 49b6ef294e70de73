import { createHash, createHmac } from "node:crypto";
import type { ConnectedApp } from "../org/connected-app.ts";
import type { Org } from "../org/org.ts";
import type { Session } from "../org/sessions.ts";
import { signRs256 } from "./jwt.ts";
import { grantsRefreshToken } from "./scopes.ts";
import { signingKeyOf } from "./signing-key.ts";

/** A token response's fields, in Salesforce's order. There is never an `expires_in`. */
export type TokenResponse = Record<string, string>;

export interface IssueOptions {
  /** Whether to issue a refresh token (it still needs a refresh scope). */
  allowRefresh: boolean;
  /** The issuer for an id_token: the host the user authenticated on. */
  issuer: string;
  nonce?: string | null;
}

/** Opens a session (and a grant when allowed) for the user and describes them as Salesforce does. */
export function issueTokens(
  org: Org,
  app: ConnectedApp,
  userId: string,
  scopes: string[],
  options: IssueOptions,
): TokenResponse {
  const grant =
    options.allowRefresh && grantsRefreshToken(scopes) ? org.sessions.openGrant(userId, app.id, scopes) : null;
  const session = org.sessions.openSession(userId, app.id, scopes, grant?.refreshToken ?? null);
  return tokenResponse(org, app, session, grant?.refreshToken ?? null, options);
}

export function tokenResponse(
  org: Org,
  app: ConnectedApp,
  session: Session,
  refreshToken: string | null,
  options: Pick<IssueOptions, "issuer" | "nonce">,
): TokenResponse {
  const id = org.identityUrl(session.userId);
  const issuedAt = String(session.issuedAt);
  const body: TokenResponse = { access_token: session.accessToken };
  if (refreshToken) body.refresh_token = refreshToken;
  body.signature = createHmac("sha256", app.clientSecret)
    .update(id + issuedAt)
    .digest("base64");
  body.scope = session.scopes.join(" ");
  if (session.scopes.includes("openid")) body.id_token = idToken(org, app, session, options);
  body.instance_url = org.urls.myDomain;
  body.id = id;
  body.token_type = "Bearer";
  body.issued_at = issuedAt;
  return body;
}

function idToken(
  org: Org,
  app: ConnectedApp,
  session: Session,
  options: Pick<IssueOptions, "issuer" | "nonce">,
): string {
  const user = org.user(session.userId);
  const iat = Math.floor(session.issuedAt / 1000);
  const digest = createHash("sha256").update(session.accessToken).digest();
  const claims: Record<string, unknown> = {
    at_hash: digest.subarray(0, digest.length / 2).toString("base64url"),
    sub: org.identityUrl(session.userId),
    aud: app.clientId,
    iss: options.issuer,
    exp: iat + 300,
    iat,
  };
  if (options.nonce) claims.nonce = options.nonce;
  if (user) {
    claims.preferred_username = user.Username;
    claims.name = user.Name;
    claims.given_name = user.FirstName;
    claims.family_name = user.LastName;
    claims.email = user.Email;
    claims.email_verified = true;
  }
  const key = signingKeyOf(org);
  return signRs256(claims, key.privateKey, key.kid);
}
