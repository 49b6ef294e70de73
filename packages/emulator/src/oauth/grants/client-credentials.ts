import type { RequestContext } from "../../http/context.ts";
import { authenticateClient, clientCredentials } from "../client-auth.ts";
import { tokenErrors } from "../oauth-errors.ts";
import { checkUserMayGetToken } from "../token-checks.ts";
import { issueTokens, type TokenResponse } from "../token-response.ts";

/** Client credentials: My Domain only, as the app's run-as user. */
export function clientCredentialsGrant(ctx: RequestContext, params: URLSearchParams): TokenResponse {
  const { org } = ctx;
  if (ctx.role !== "mydomain") throw tokenErrors.wrongDomain();
  const app = authenticateClient(org, clientCredentials(ctx, params), () => true);
  const user =
    app.clientCredentialsEnabled && app.clientCredentialsUser
      ? org.userByUsername(app.clientCredentialsUser)
      : undefined;
  if (!user) throw tokenErrors.noClientCredentialsUser();
  checkUserMayGetToken(org, app, user, { step: "login", adminApproval: false });
  return issueTokens(org, app, user.Id, app.scopes, { allowRefresh: false, issuer: ctx.hostUrl });
}
