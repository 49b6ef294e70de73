import { bearerToken } from "../http/api-pipeline.ts";
import type { RequestContext } from "../http/context.ts";
import { json, type Reply } from "../http/reply.ts";
import { normalizeId } from "../ids.ts";
import type { Session } from "../org/sessions.ts";
import { LATEST_API_VERSION } from "../org/settings.ts";
import type { StoredRecord } from "../store/record-store.ts";
import { identityBody, userinfoBody } from "./identity-claims.ts";

/** The identity service answers bad tokens with 403 and one word of plain text, not the REST API's 401. */
function plainError(status: number, text: string): Reply {
  return { status, body: text, headers: { "content-type": "text/plain;charset=UTF-8" } };
}

function authenticate(ctx: RequestContext): { session: Session; user: StoredRecord } | Reply {
  const token = bearerToken(ctx);
  if (!token) return plainError(403, "Missing_OAuth_Token");
  const check = ctx.org.sessions.use(token);
  const user = check.ok ? ctx.org.user(check.session.userId) : undefined;
  if (!check.ok || !user || user.IsActive !== true) return plainError(403, "Bad_OAuth_Token");
  return { session: check.session, user };
}

function appInstalled(ctx: RequestContext, session: Session): boolean {
  return session.appId ? ctx.org.apps.get(session.appId)?.installed === true : false;
}

/** `version=latest` or `NN.N` fills `{version}` in the urls; anything else leaves it literal. */
function requestedVersion(text: string | undefined): string | null {
  if (text === "latest") return LATEST_API_VERSION;
  return text && /^\d+\.\d$/.test(text) ? text : null;
}

/** GET /id/:orgId/:userId, with a Bearer header or ?oauth_token= (jsforce sends both). */
export function identityEndpoint(ctx: RequestContext): Reply {
  const auth = authenticate(ctx);
  if (!("session" in auth)) return auth;
  const { org } = ctx;
  const userId = normalizeId(ctx.params.userId);
  const user = userId ? org.user(userId) : undefined;
  if (normalizeId(ctx.params.orgId) !== org.organizationId || !user) return plainError(404, "Bad_Id");
  return json(identityBody(org, user, appInstalled(ctx, auth.session), requestedVersion(ctx.query("version"))));
}

/** GET or POST /services/oauth2/userinfo: the OpenID Connect claims of the token's user. */
export function userinfoEndpoint(ctx: RequestContext): Reply {
  const auth = authenticate(ctx);
  if (!("session" in auth)) return auth;
  return json(userinfoBody(ctx.org, auth.user, appInstalled(ctx, auth.session), isIntegrationUser(ctx, auth.user)));
}

function isIntegrationUser(ctx: RequestContext, user: StoredRecord): boolean {
  const profile = ctx.org.store.table("Profile")?.get(String(user.ProfileId));
  const license = profile ? ctx.org.store.table("UserLicense")?.get(String(profile.UserLicenseId)) : undefined;
  return license?.LicenseDefinitionKey === "SFDC_INTEGRATION";
}
