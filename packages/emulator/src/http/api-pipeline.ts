import { API_VERSIONS } from "../org/settings.ts";
import type { RequestContext } from "./context.ts";
import { ApiError, notFound, sessionInvalid } from "./errors.ts";

const KNOWN_VERSIONS = new Set(API_VERSIONS.map((v) => v.version));

/** Reads `Authorization: Bearer <token>` or `OAuth <token>` (jsforce's streaming client sends OAuth). */
export function bearerToken(ctx: RequestContext): string | undefined {
  const header = ctx.header("authorization");
  const m = header ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim()) : null;
  return m?.[1] ?? ctx.query("oauth_token");
}

/**
 * The app requires a High Assurance session, which an OAuth access token never carries: the
 * session is refused on every call, as Salesforce refuses an insufficient session security level
 * (with the org's configurable text: Salesforce's own is not documented).
 */
const insufficientSessionLevel = (message: string) => new ApiError(403, "INSUFFICIENT_ACCESS", message);

/**
 * What every API call goes through before its handler, in Salesforce's order: a live session,
 * an API scope, the app's session security level, API access for the org and the user, then the
 * daily quota (which counts the call).
 */
export function authorizeApiCall(ctx: RequestContext): void {
  const version = ctx.params.version;
  if (version && !KNOWN_VERSIONS.has(version.slice(1))) throw notFound();
  const token = bearerToken(ctx);
  if (!token) throw sessionInvalid();
  const check = ctx.org.sessions.use(token);
  if (!check.ok) throw sessionInvalid();
  const session = check.session;
  const user = ctx.org.user(session.userId);
  if (user?.IsActive !== true) throw sessionInvalid();
  if (!session.scopes.includes("api") && !session.scopes.includes("full")) {
    throw new ApiError(401, "INVALID_SESSION_ID", "This session is not valid for use with the REST API");
  }
  if (session.appId && ctx.org.apps.get(session.appId)?.highAssuranceRequired)
    throw insufficientSessionLevel(ctx.org.settings.sessionLevelRefusal);
  if (!ctx.org.settings.apiEnabled) {
    throw new ApiError(403, "API_DISABLED_FOR_ORG", "API is not enabled for this Organization or Partner");
  }
  if (!ctx.org.userAccess(user.Id).system.has("ApiEnabled")) {
    throw new ApiError(403, "API_CURRENTLY_DISABLED", "API is disabled for this User");
  }
  if (ctx.org.apiUsage.exhausted()) {
    throw new ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
  }
  ctx.org.apiUsage.count();
  ctx.session = session;
  ctx.user = user;
}
