import type { RequestContext } from "../../http/context.ts";
import { decodeJwt, verifyRs256 } from "../jwt.ts";
import { acceptedAudiences, assertionExpired, audienceMatches } from "../jwt-assertion.ts";
import { tokenErrors } from "../oauth-errors.ts";
import { checkUserMayGetToken } from "../token-checks.ts";
import { issueTokens, type TokenResponse } from "../token-response.ts";
import { hostServesOrg, isPreauthorized } from "../user-policy.ts";

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/**
 * The JWT bearer flow: an RS256 assertion signed with the key whose certificate the app holds.
 * The user must have approved the app before (a live refresh-token grant) or, for an
 * admin-approved app, be pre-authorized.
 */
export function jwtBearerGrant(ctx: RequestContext, params: URLSearchParams): TokenResponse {
  const { org } = ctx;
  const jwt = decodeJwt(params.get("assertion") ?? "");
  if (!jwt) throw tokenErrors.invalidAssertion();
  const iss = jwt.payload.iss;
  const app = typeof iss === "string" ? org.appByClientId(iss) : undefined;
  if (!app) throw tokenErrors.unknownClient();
  if (!app.jwtCertificate || !verifyRs256(jwt, app.jwtCertificate)) throw tokenErrors.invalidAssertion();
  if (!audienceMatches(jwt.payload.aud, acceptedAudiences(org.isSandbox, org.loginUrl)))
    throw tokenErrors.invalidAudience();
  if (assertionExpired(jwt.payload.exp, org.clock.now())) throw tokenErrors.expiredCode();
  if (!hostServesOrg(ctx.role, org.isSandbox)) throw tokenErrors.authenticationFailure();
  const sub = jwt.payload.sub;
  const user = typeof sub === "string" ? org.userByUsername(sub) : undefined;
  if (!user) throw tokenErrors.authenticationFailure();
  if (user.IsActive !== true) throw tokenErrors.inactiveUser();
  const approved =
    app.permittedUsers === "admin_approved"
      ? isPreauthorized(app, org.userAccess(user.Id).permissionSetIds)
      : [...org.sessions.grants.values()].some((g) => !g.revoked && g.userId === user.Id && g.appId === app.id);
  if (!approved) throw tokenErrors.notApproved();
  checkUserMayGetToken(org, app, user, { step: "login", adminApproval: false });
  return issueTokens(org, app, user.Id, app.scopes, { allowRefresh: false, issuer: ctx.hostUrl });
}
