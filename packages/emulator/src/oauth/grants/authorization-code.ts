import type { RequestContext } from "../../http/context.ts";
import { authCodesOf } from "../auth-codes.ts";
import { authenticateClient, clientCredentials } from "../client-auth.ts";
import { tokenErrors } from "../oauth-errors.ts";
import { verifierMatches } from "../pkce.ts";
import { checkUserMayGetToken } from "../token-checks.ts";
import { issueTokens, type TokenResponse } from "../token-response.ts";

/**
 * The web-server flow's exchange. The secret may be left out only when the app allows it and
 * the code was obtained with PKCE.
 */
export function authorizationCodeGrant(ctx: RequestContext, params: URLSearchParams): TokenResponse {
  const { org } = ctx;
  const codes = authCodesOf(org);
  const codeText = params.get("code") ?? "";
  const app = authenticateClient(
    org,
    clientCredentials(ctx, params),
    (a) => a.requireSecretForWebServerFlow || !codes.peek(codeText)?.challenge,
  );
  const redemption = codes.redeem(codeText, app.id);
  if (!redemption.ok) throw redemption.reason === "expired" ? tokenErrors.expiredCode() : tokenErrors.invalidCode();
  const code = redemption.code;
  if (params.get("redirect_uri") !== code.redirectUri) throw tokenErrors.redirectUriMismatch();
  const verifier = params.get("code_verifier");
  if (code.challenge) {
    if (!verifier || !verifierMatches(code.challenge.value, code.challenge.method, verifier))
      throw tokenErrors.invalidCodeVerifier();
  } else if (app.pkceRequired) {
    throw tokenErrors.invalidCodeVerifier();
  }
  const user = org.user(code.userId);
  if (!user) throw tokenErrors.authenticationFailure();
  checkUserMayGetToken(org, app, user, { step: "login", adminApproval: true });
  return issueTokens(org, app, user.Id, code.scopes, { allowRefresh: true, issuer: ctx.hostUrl, nonce: code.nonce });
}
