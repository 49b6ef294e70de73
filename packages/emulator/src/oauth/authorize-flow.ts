import type { RequestContext } from "../http/context.ts";
import { html, type Reply, redirect } from "../http/reply.ts";
import { approvalsOf } from "./approvals.ts";
import { authCodesOf } from "./auth-codes.ts";
import { callbackUrl } from "./callback-url.ts";
import { consentPage } from "./consent-page.ts";
import { errorPageUrl } from "./error-page.ts";
import { loginPage } from "./login-page.ts";
import { type AuthorizeError, authorizeErrors } from "./oauth-errors.ts";
import { type PendingAuthorization, pendingAuthorizationsOf } from "./pending-authorizations.ts";
import { approvalCovers } from "./scopes.ts";
import { issueTokens } from "./token-response.ts";
import { appAccess, ipAllowed } from "./user-policy.ts";

export const AUTHORIZE_PATH = "/services/oauth2/authorize";

export function showLogin(
  ctx: RequestContext,
  pending: PendingAuthorization,
  options: { username?: string | null; error?: string } = {},
): Reply {
  pending.userId = null;
  const body = loginPage({
    action: AUTHORIZE_PATH,
    requestId: pending.id,
    orgName: String(ctx.org.organization().Name),
    isSandbox: ctx.org.isSandbox,
    username: options.username ?? pending.loginHint ?? undefined,
    error: options.error,
  });
  return html(body, 200, { "cache-control": "no-store" });
}

/** Sends an error to the app's callback, where the flow's response type says it goes. */
export function redirectError(ctx: RequestContext, pending: PendingAuthorization, error: AuthorizeError): Reply {
  pendingAuthorizationsOf(ctx.org).finish(pending.id);
  const mode = pending.responseType === "token" ? "fragment" : "query";
  return redirect(
    callbackUrl(
      pending.redirectUri,
      { error: error.error, error_description: error.description, state: pending.state },
      mode,
    ),
  );
}

function toErrorPage(ctx: RequestContext, pending: PendingAuthorization, error: AuthorizeError): Reply {
  pendingAuthorizationsOf(ctx.org).finish(pending.id);
  return redirect(errorPageUrl(error.error, error.description));
}

/**
 * What follows once the user is known: the app's IP and access policies, then the approval page
 * unless an earlier approval covers these scopes (or the app is admin-approved), then the callback.
 */
export function continueAs(ctx: RequestContext, pending: PendingAuthorization, userId: string): Reply {
  const { org } = ctx;
  const app = org.apps.get(pending.appId);
  if (!app) return toErrorPage(ctx, pending, authorizeErrors.unknownClient);
  if (!ipAllowed(app, org.settings.clientIpTrusted, "login")) {
    return showLogin(ctx, pending, { error: org.settings.ipRestrictedDescription });
  }
  const access = appAccess(app, org.userAccess(userId), org.settings.apiAccessControl);
  if (access === "not_installed") return toErrorPage(ctx, pending, authorizeErrors.notInstalled);
  if (access === "not_admin_approved") return toErrorPage(ctx, pending, authorizeErrors.notAdminApproved);
  pending.userId = userId;
  const approved =
    app.permittedUsers === "admin_approved" || approvalCovers(approvalsOf(org).get(userId, app.id), pending.scopes);
  if (!approved || pending.prompts.has("consent")) {
    if (pending.prompts.has("none")) return redirectError(ctx, pending, authorizeErrors.consentRequired);
    const user = org.user(userId);
    const body = consentPage({
      action: AUTHORIZE_PATH,
      requestId: pending.id,
      appName: app.name,
      username: String(user?.Username ?? ""),
      scopes: pending.scopes,
    });
    return html(body, 200, { "cache-control": "no-store" });
  }
  return complete(ctx, pending);
}

/** Ends the request: a code in the callback's query, or the tokens themselves in its fragment. */
export function complete(ctx: RequestContext, pending: PendingAuthorization): Reply {
  const { org } = ctx;
  const app = org.apps.get(pending.appId);
  const userId = pending.userId;
  pendingAuthorizationsOf(org).finish(pending.id);
  if (!app || !userId)
    return redirect(errorPageUrl(authorizeErrors.unknownClient.error, authorizeErrors.unknownClient.description));
  if (pending.responseType === "token") {
    const tokens = issueTokens(org, app, userId, pending.scopes, {
      allowRefresh: true,
      issuer: ctx.hostUrl,
      nonce: pending.nonce,
    });
    return redirect(callbackUrl(pending.redirectUri, { ...tokens, state: pending.state }, "fragment"));
  }
  const code = authCodesOf(org).issue({
    appId: app.id,
    userId,
    redirectUri: pending.redirectUri,
    scopes: pending.scopes,
    challenge: pending.challenge,
    nonce: pending.nonce,
  });
  return redirect(callbackUrl(pending.redirectUri, { code: code.code, state: pending.state }, "query"));
}
