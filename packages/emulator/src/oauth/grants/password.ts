import type { RequestContext } from "../../http/context.ts";
import { authenticateClient, clientCredentials } from "../client-auth.ts";
import { tokenErrors } from "../oauth-errors.ts";
import { checkUserMayGetToken } from "../token-checks.ts";
import { issueTokens, type TokenResponse } from "../token-response.ts";
import { hostServesOrg } from "../user-policy.ts";

/** The username-password flow: always with the secret, never with a refresh token. */
export function passwordGrant(ctx: RequestContext, params: URLSearchParams): TokenResponse {
  const { org } = ctx;
  const app = authenticateClient(org, clientCredentials(ctx, params), () => true);
  if (!hostServesOrg(ctx.role, org.isSandbox)) throw tokenErrors.authenticationFailure();
  // Orgs that block the username-password flow answer exactly as for bad credentials.
  if (!org.settings.allowPasswordFlow) throw tokenErrors.authenticationFailure();
  const user = org.userByUsername(params.get("username") ?? "");
  const password = params.get("password");
  if (!user || password === null || org.passwords.get(user.Id) !== password) throw tokenErrors.authenticationFailure();
  checkUserMayGetToken(org, app, user, { step: "login", adminApproval: true });
  return issueTokens(org, app, user.Id, app.scopes, { allowRefresh: false, issuer: ctx.hostUrl });
}
