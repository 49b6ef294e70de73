import type { RequestContext } from "../http/context.ts";
import { html, type Reply, redirect } from "../http/reply.ts";
import { approvalsOf } from "./approvals.ts";
import { complete, continueAs, redirectError, showLogin } from "./authorize-flow.ts";
import { parseAuthorizeRequest } from "./authorize-request.ts";
import { callbackUrl } from "./callback-url.ts";
import { loginCookieName, parseCookies, sessionCookie } from "./cookies.ts";
import { errorPage, errorPageUrl } from "./error-page.ts";
import { loginSessionsOf } from "./login-sessions.ts";
import { authorizeErrors, LOGIN_FAILED_MESSAGE } from "./oauth-errors.ts";
import { type PendingAuthorization, pendingAuthorizationsOf } from "./pending-authorizations.ts";
import { hostServesOrg, ipAllowed } from "./user-policy.ts";

/** GET /services/oauth2/authorize: validates, then logs in (or reuses the host's login cookie). */
export function authorizeGet(ctx: RequestContext): Reply {
  const { org } = ctx;
  const query = ctx.url.searchParams;
  const parsed = parseAuthorizeRequest(query, org.appByClientId(query.get("client_id") ?? ""));
  if (parsed.kind === "error-page") return redirect(errorPageUrl(parsed.error.error, parsed.error.description));
  if (parsed.kind === "redirect") {
    const { error, state } = parsed;
    return redirect(
      callbackUrl(parsed.redirectUri, { error: error.error, error_description: error.description, state }, parsed.mode),
    );
  }
  const pending = pendingAuthorizationsOf(org).add({ ...parsed.request, role: ctx.role });
  const prompts = pending.prompts;
  const mustLogIn = prompts.has("login") || prompts.has("select_account");
  const cookie = parseCookies(ctx.header("cookie")).get(loginCookieName(ctx.role));
  const session = mustLogIn ? undefined : loginSessionsOf(org).use(cookie, ctx.role);
  if (!session) {
    if (prompts.has("none")) return redirectError(ctx, pending, authorizeErrors.loginRequired);
    const current = mustLogIn ? loginSessionsOf(org).use(cookie, ctx.role) : undefined;
    const username = pending.loginHint ?? (current ? String(org.user(current.userId)?.Username ?? "") : null);
    return showLogin(ctx, pending, { username });
  }
  return continueAs(ctx, pending, session.userId);
}

/** POST /services/oauth2/authorize: the login form (username, pw) or the approval form (oaapprove, oadeny). */
export async function authorizePost(ctx: RequestContext): Promise<Reply> {
  const form = await ctx.form();
  const pending = pendingAuthorizationsOf(ctx.org).get(form.get("request_id"), ctx.role);
  if (!pending)
    return html(errorPage("invalid_request", "the authorization request expired; start again from the app"), 400);
  if (form.has("username") || form.has("pw")) return logIn(ctx, pending, form);
  if (!pending.userId) return showLogin(ctx, pending);
  const approve = form.has("oaapprove") || /^(allow|true|1|yes)$/i.test(form.get("approve") ?? "");
  const deny = form.has("oadeny") || /^(deny|false|0|no)$/i.test(form.get("approve") ?? "");
  if (deny || !approve) return redirectError(ctx, pending, authorizeErrors.accessDenied);
  approvalsOf(ctx.org).record(pending.userId, pending.appId, pending.scopes);
  return complete(ctx, pending);
}

/**
 * Checks the login form. Every failure reads the same, as on Salesforce: a wrong password, an
 * inactive user, or a user whose org this host does not serve (a sandbox user on the production
 * login host).
 */
function logIn(ctx: RequestContext, pending: PendingAuthorization, form: URLSearchParams): Reply {
  const { org } = ctx;
  const username = form.get("username") ?? "";
  const password = form.get("pw") ?? form.get("password");
  const user = org.userByUsername(username);
  const ok =
    user !== undefined &&
    hostServesOrg(ctx.role, org.isSandbox) &&
    password !== null &&
    org.passwords.get(user.Id) === password &&
    user.IsActive === true;
  if (!ok) return showLogin(ctx, pending, { username, error: LOGIN_FAILED_MESSAGE });
  // An app that enforces IP restrictions refuses the login itself, so no login session starts.
  const app = org.apps.get(pending.appId);
  if (app && !ipAllowed(app, org.settings.clientIpTrusted, "login")) {
    return showLogin(ctx, pending, { username, error: org.settings.ipRestrictedDescription });
  }
  const session = loginSessionsOf(org).open(user.Id, ctx.role);
  const reply = continueAs(ctx, pending, user.Id);
  reply.headers = { ...reply.headers, "set-cookie": sessionCookie(loginCookieName(ctx.role), session.id) };
  return reply;
}

/** Salesforce's OAuth error page: it shows the error and never sends the user anywhere. */
export function errorPageGet(ctx: RequestContext): Reply {
  const error = ctx.query("error") ?? "OAUTH_ERROR";
  const description = ctx.query("error_description") ?? "";
  return html(errorPage(error, description), 200, { "cache-control": "no-store" });
}
