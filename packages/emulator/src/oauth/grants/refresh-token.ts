import type { RequestContext } from "../../http/context.ts";
import { authenticateClient, clientCredentials } from "../client-auth.ts";
import { tokenErrors } from "../oauth-errors.ts";
import { checkUserMayGetToken } from "../token-checks.ts";
import { type TokenResponse, tokenResponse } from "../token-response.ts";
import { hostServesOrg } from "../user-policy.ts";

/**
 * Redeems a refresh token under the app's policy. With rotation on, the answer carries a new
 * refresh token and the old one stops working; sessions already handed out keep running.
 */
export function refreshTokenGrant(ctx: RequestContext, params: URLSearchParams): TokenResponse {
  const { org } = ctx;
  const app = authenticateClient(org, clientCredentials(ctx, params), (a) => a.requireSecretForRefresh);
  // A production org's refresh tokens are not redeemed on the sandbox host, nor a sandbox's on login.
  if (!hostServesOrg(ctx.role, org.isSandbox)) throw tokenErrors.expiredRefreshToken();
  const grant = org.sessions.grants.get(params.get("refresh_token") ?? "");
  if (!grant || grant.appId !== app.id || !org.sessions.grantUsable(grant, app))
    throw tokenErrors.expiredRefreshToken();
  const user = org.user(grant.userId);
  if (!user) throw tokenErrors.expiredRefreshToken();
  checkUserMayGetToken(org, app, user, { step: "refresh", adminApproval: true });
  grant.lastUsedAt = org.clock.now();
  let refreshToken = grant.refreshToken;
  let returned: string | null = null;
  if (app.rotateRefreshTokens) {
    grant.revoked = true;
    refreshToken = org.sessions.openGrant(grant.userId, app.id, grant.scopes).refreshToken;
    returned = refreshToken;
  }
  const session = org.sessions.openSession(grant.userId, app.id, grant.scopes, refreshToken);
  return tokenResponse(org, app, session, returned, { issuer: ctx.hostUrl });
}
