import type { RequestContext } from "../http/context.ts";
import { OAuthError } from "../http/errors.ts";
import { json, type Reply } from "../http/reply.ts";
import type { ConnectedApp } from "../org/connected-app.ts";
import type { Org } from "../org/org.ts";
import { authenticateClient, clientCredentials } from "./client-auth.ts";
import { requestParams } from "./token-endpoint.ts";

const INACTIVE = { active: false } as const;

/**
 * POST /services/oauth2/introspect. An app learns only about its own tokens, unless it is the
 * org's app allowed to introspect all; anything else is exactly `{"active":false}`.
 */
export async function introspectEndpoint(ctx: RequestContext): Promise<Reply> {
  const { org } = ctx;
  const params = await requestParams(ctx);
  let caller: ConnectedApp;
  try {
    caller = authenticateClient(org, clientCredentials(ctx, params), () => true);
  } catch {
    throw new OAuthError(org.settings.introspectBadClientStatus, "invalid_client", "invalid client credentials");
  }
  const token = params.get("token") ?? "";
  const hint = params.get("token_type_hint");
  const lookups = hint === "refresh_token" ? [refreshTokenInfo, accessTokenInfo] : [accessTokenInfo, refreshTokenInfo];
  for (const lookup of lookups) {
    const info = lookup(org, token);
    if (!info) continue;
    if (info.app.id !== caller.id && !caller.introspectAllTokens) return json(INACTIVE);
    const user = org.user(info.userId);
    if (user?.IsActive !== true) return json(INACTIVE);
    const body: Record<string, unknown> = {
      active: true,
      scope: info.scopes.join(" "),
      client_id: info.app.clientId,
      username: user.Username,
      sub: org.identityUrl(info.userId),
      token_type: info.tokenType,
    };
    if (info.expiresAt !== null) body.exp = seconds(info.expiresAt);
    body.iat = seconds(info.issuedAt);
    body.nbf = seconds(info.issuedAt);
    return json(body);
  }
  return json(INACTIVE);
}

interface TokenInfo {
  tokenType: "access_token" | "refresh_token";
  app: ConnectedApp;
  userId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number | null;
}

function accessTokenInfo(org: Org, token: string): TokenInfo | undefined {
  const session = org.sessions.peek(token);
  const app = session?.appId ? org.apps.get(session.appId) : undefined;
  if (!session || !app) return undefined;
  return {
    tokenType: "access_token",
    app,
    userId: session.userId,
    scopes: session.scopes,
    issuedAt: session.issuedAt,
    expiresAt: org.sessions.expiresAt(session),
  };
}

/** A refresh token's expiry exists only under a lifetime or idle policy. */
function refreshTokenInfo(org: Org, token: string): TokenInfo | undefined {
  const grant = org.sessions.grants.get(token);
  const app = grant ? org.apps.get(grant.appId) : undefined;
  if (!grant || !app || !org.sessions.grantUsable(grant, app)) return undefined;
  const policy = app.refreshTokenPolicy;
  const expiresAt =
    policy.type === "lifetime"
      ? grant.issuedAt + policy.seconds * 1000
      : policy.type === "idle"
        ? grant.lastUsedAt + policy.seconds * 1000
        : null;
  return {
    tokenType: "refresh_token",
    app,
    userId: grant.userId,
    scopes: grant.scopes,
    issuedAt: grant.issuedAt,
    expiresAt,
  };
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
