import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from "fastify";
import { latestChecklistRun, runConnectionChecklist } from "../checklist/connection-checklist.ts";
import { type ConnectOutcome, completeConnect } from "../connections/complete-connect.ts";
import { type ConnectionRow, findConnection } from "../connections/connection-store.ts";
import { httpErrorFrom } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { getProviderAppForProject } from "../provider-apps/provider-app-store.ts";
import { callbackUrl } from "./callback-url.ts";
import { checklistResult, choosePage, type ResultPageInput, resultPage } from "./connect-pages.ts";
import {
  type ConnectSessionRow,
  recordAuthorizeStart,
  sessionByChecklistToken,
  sessionByToken,
} from "./connect-session-store.ts";
import { pageSecurityHeaders } from "./html.ts";
import { authorizeRoundTrip, chooseLoginHost } from "./start-authorize.ts";

const HTML = "text/html; charset=utf-8";
const FORM = "application/x-www-form-urlencoded";

function send(reply: FastifyReply, status: number, html: string) {
  return reply.status(status).header("content-type", HTML).header("cache-control", "no-store").send(html);
}

/** The shortest time between two runs of "Check again" for one connection. */
const CHECK_AGAIN_INTERVAL_MS = 10_000;

function linkProblem(reply: FastifyReply, status: number, title: string, message: string) {
  return send(
    reply,
    status,
    resultPage({ ok: false, title, message, steps: ["Ask the app you came from for a new connect link."] }),
  );
}

function sessionUsable(row: ConnectSessionRow | undefined, now: number): "missing" | "expired" | "used" | "ok" {
  if (!row) return "missing";
  if (row.status === "completed") return "used";
  if (row.expiresAt.getTime() < now) return "expired";
  return "ok";
}

/**
 * Runs the pre-install checklist for the result page. A checklist that cannot run never loses the
 * connection: the page says why and offers to check again.
 */
async function checklistForPage(
  platform: Platform,
  log: FastifyBaseLogger,
  connection: ConnectionRow,
): Promise<NonNullable<ResultPageInput["checklist"]>> {
  try {
    return { run: await runConnectionChecklist(platform, connection) };
  } catch (e) {
    log.warn({ err: e, connectionId: connection.id }, "the pre-install checklist could not run on the connect page");
    // Only errors about the customer's org are shown; anything else stays in the log.
    const reason =
      httpErrorFrom(e).status !== 500
        ? (e as Error).message
        : "Something went wrong on our side while reading your org's settings.";
    return { error: reason };
  }
}

function checkAgainAction(token: string): string {
  return `/connect/checklist/${encodeURIComponent(token)}`;
}

/**
 * The hosted connect page and the OAuth callback: public, reached by the end customer's browser.
 * In a scope of their own: only these routes take form bodies, and every answer here (error pages
 * too) carries the pages' security headers.
 */
export function registerConnectRoutes(app: FastifyInstance, platform: Platform): void {
  app.register(async (scope) => connectRoutes(scope, platform));
}

function connectRoutes(scope: FastifyInstance, platform: Platform): void {
  const { hosts } = platform;
  // The connect form's answer redirects to the login host the customer chose.
  const headers = pageSecurityHeaders([
    new URL(hosts.productionLoginUrl).origin,
    new URL(hosts.sandboxLoginUrl).origin,
    hosts.myDomainUrl("*").replace(/\/+$/, ""),
  ]);
  scope.addHook("onSend", async (_req, reply, payload) => {
    reply.headers(headers);
    return payload;
  });
  // The connect page posts a form; Fastify parses only JSON out of the box.
  scope.addContentTypeParser(FORM, { parseAs: "string", bodyLimit: 16 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  pageRoute(scope, platform);
  startRoute(scope, platform);
  callbackRoute(scope, platform);
  checkAgainRoute(scope, platform);
}

/** The connect page: the customer picks the kind of org. */
function pageRoute(scope: FastifyInstance, platform: Platform): void {
  scope.get<{ Params: { token: string }; Querystring: { display?: string } }>(
    "/connect/:token",
    { schema: { hide: true }, config: { htmlErrors: true } },
    async (req, reply) => {
      const session = await sessionByToken(platform, req.params.token);
      const usable = sessionUsable(session, platform.clock.nowMs());
      if (usable === "missing")
        return linkProblem(reply, 404, "This connect link is not valid", "The link is wrong or incomplete.");
      if (usable === "used")
        return linkProblem(reply, 410, "This connect link was already used", "Each link connects one org once.");
      if (usable === "expired")
        return linkProblem(reply, 410, "This connect link has expired", "Connect links work for 30 minutes.");
      const appRow = await getProviderAppForProject(platform, session!.projectId, session!.providerAppId);
      if (!appRow)
        return linkProblem(reply, 410, "This connect link is no longer valid", "The app it was made for was removed.");
      const display = displayOf(req.query.display);
      const failed =
        session!.status === "failed" ? (session!.error as { message?: string; fix?: string } | null) : null;
      return send(
        reply,
        200,
        choosePage({
          appName: appRow.name,
          action: `/connect/${encodeURIComponent(req.params.token)}${display === "page" ? "" : `?display=${display}`}`,
          environment: session!.environment,
          myDomain: session!.myDomain,
          error: failed?.message ? { message: failed.message, fix: failed.fix } : null,
          returningAfterStart: session!.status === "authorizing",
        }),
      );
    },
  );
}

/** The connect page's form: off to Salesforce's authorize page. */
function startRoute(scope: FastifyInstance, platform: Platform): void {
  scope.post<{ Params: { token: string }; Querystring: { display?: string }; Body: Record<string, string> }>(
    "/connect/:token",
    { schema: { hide: true }, config: { htmlErrors: true, bodyTypes: [FORM] } },
    async (req, reply) => {
      const session = await sessionByToken(platform, req.params.token);
      const usable = sessionUsable(session, platform.clock.nowMs());
      if (usable !== "ok")
        return linkProblem(
          reply,
          usable === "missing" ? 404 : 410,
          "This connect link can't be used",
          "It is not valid any more.",
        );
      const appRow = await getProviderAppForProject(platform, session!.projectId, session!.providerAppId);
      if (!appRow)
        return linkProblem(reply, 410, "This connect link is no longer valid", "The app it was made for was removed.");
      const body = (req.body ?? {}) as Record<string, string>;
      const display = displayOf(req.query.display);
      const choice = chooseLoginHost(platform.hosts, body.environment, body.myDomain);
      if (!choice.ok) {
        return send(
          reply,
          400,
          choosePage({
            appName: appRow.name,
            action: `/connect/${encodeURIComponent(req.params.token)}${display === "page" ? "" : `?display=${display}`}`,
            environment: body.environment,
            myDomain: body.myDomain,
            error: { message: choice.message, fix: choice.fix },
          }),
        );
      }
      const trip = authorizeRoundTrip({
        loginUrl: choice.loginUrl,
        clientId: appRow.clientId,
        redirectUri: callbackUrl(platform),
        scopes: appRow.scopes,
        pkce: appRow.pkce,
        display,
      });
      await recordAuthorizeStart(platform, session!.id, {
        state: trip.state,
        codeVerifier: trip.codeVerifier,
        loginUrl: choice.loginUrl,
        environment: choice.environment,
        myDomain: choice.myDomain,
        display,
      });
      return reply.status(303).header("location", trip.url).header("cache-control", "no-store").send();
    },
  );
}

/** Salesforce's redirect back: the outcome of the sign-in, rendered. */
function callbackRoute(scope: FastifyInstance, platform: Platform): void {
  scope.get<{ Querystring: Record<string, string | string[]> }>(
    "/oauth/callback",
    { schema: { hide: true }, config: { htmlErrors: true } },
    async (req, reply) => {
      const outcome = await completeConnect(platform, req.log, req.query);
      if (outcome.kind === "unmatched") return linkProblem(reply, outcome.status, outcome.title, outcome.message);
      const checklist =
        outcome.kind !== "connected"
          ? null
          : outcome.completedBefore
            ? await checklistShownBefore(platform, outcome.connection)
            : await checklistForPage(platform, req.log, outcome.connection);
      const status = outcome.kind === "failed" ? outcome.status : 200;
      return send(reply, status, resultPage(resultOf(outcome, checklist)));
    },
  );
}

/** The result page's "Check again". */
function checkAgainRoute(scope: FastifyInstance, platform: Platform): void {
  // The result page's "Check again": re-runs the checklist of the connection just made, with the
  // token minted at completion (the connect link itself is used up by then).
  scope.post<{ Params: { token: string } }>(
    "/connect/checklist/:token",
    { schema: { hide: true }, config: { htmlErrors: true, bodyTypes: [FORM] } },
    async (req, reply) => {
      const session = await sessionByChecklistToken(platform, req.params.token);
      if (!session?.connectionId)
        return linkProblem(reply, 404, "This page is not valid", "The address is wrong or incomplete.");
      if (!session.checklistTokenExpiresAt || session.checklistTokenExpiresAt.getTime() < platform.clock.nowMs())
        return linkProblem(
          reply,
          410,
          "This page has expired",
          "The checks can be run again from this page for an hour after connecting.",
        );
      const connection = await findConnection(platform, session.projectId, session.connectionId);
      if (!connection)
        return linkProblem(reply, 410, "This connection was removed", "The app you connected no longer has it.");
      const appRow = await getProviderAppForProject(platform, session.projectId, session.providerAppId);
      if (!appRow)
        return linkProblem(reply, 410, "This connection is no longer valid", "The app it was made for was removed.");
      // One run per connection every few seconds, however often the button is pressed: each run
      // spends the customer's API requests.
      const latest = await latestChecklistRun(platform, session.projectId, connection.id);
      const wait = latest ? CHECK_AGAIN_INTERVAL_MS - (platform.clock.nowMs() - Date.parse(latest.ranAt)) : 0;
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        reply.header("retry-after", String(seconds));
        return send(
          reply,
          429,
          resultPage({
            ok: false,
            title: "Checked moments ago",
            message: `The checks ran a few seconds ago. Please wait ${seconds} s, then check again.`,
            checklist: latest ? { run: latest } : null,
            checkAgainAction: checkAgainAction(req.params.token),
          }),
        );
      }
      const checklist = await checklistForPage(platform, req.log, connection);
      return send(
        reply,
        200,
        resultPage({
          ok: true,
          title: "Salesforce is connected",
          message: `${connection.username ?? "Your user"} is connected to ${appRow.name}. The checks below were run again just now.`,
          details: {
            Org: connection.orgId,
            User: connection.username ?? connection.userId,
            "Connection id": connection.id,
          },
          checklist,
          checkAgainAction: checkAgainAction(req.params.token),
          ...returnAfterCheck(session, connection.id, checklist),
        }),
      );
    },
  );
}

/** The latest checks of a connection, for a reload of its result page: nothing is run again. */
async function checklistShownBefore(platform: Platform, connection: ConnectionRow): Promise<PageChecklist | null> {
  const latest = await latestChecklistRun(platform, connection.projectId, connection.id);
  return latest ? { run: latest } : null;
}

type PageChecklist = NonNullable<ResultPageInput["checklist"]>;

/**
 * How the connect page was opened: as a page, in a popup (the result is posted to the opener), or
 * by the connect helper's redirect fallback (the result page sends the customer back to the returnUrl).
 */
type Display = "page" | "popup" | "redirect";
function displayOf(query: string | undefined): Display {
  return query === "popup" || query === "redirect" ? query : "page";
}

/** The result page of a sign-in that failed or connected. */
function resultOf(outcome: Exclude<ConnectOutcome, { kind: "unmatched" }>, checklist: PageChecklist | null) {
  const { session } = outcome;
  // A popup posts to the returnUrl's origin; without one, only `{type, status}` to any opener.
  const popup = session.display === "popup";
  const redirect = session.display === "redirect" && session.returnUrl !== null;
  const origin = session.returnUrl ? new URL(session.returnUrl).origin : null;
  if (outcome.kind === "failed") {
    const { failure } = outcome;
    return {
      ok: false,
      title: failure.title,
      message: failure.message,
      steps: failure.steps,
      returnUrl: redirect
        ? withResult(session.returnUrl!, { forcelink_status: "failed", forcelink_error: failure.code })
        : session.returnUrl,
      redirectBack: redirect,
      popupMessage: popup ? { type: "forcelink:connect", status: "failed", error: failure.code } : null,
      popupTargetOrigin: origin,
    } satisfies ResultPageInput;
  }
  const { connection, username, appName } = outcome;
  const who = username ?? "your user";
  return {
    ok: true,
    title: outcome.renewed ? "Salesforce is connected again" : "Salesforce is connected",
    message: outcome.renewed
      ? `Renewed the connection of ${who} to ${appName}. You can close this window.`
      : `Connected ${who} to ${appName}. You can close this window.`,
    warning: outcome.offlineAccess
      ? undefined
      : 'Salesforce did not grant offline access (no refresh token), so this connection will stop working when the Salesforce session ends. The app\'s OAuth scopes in Salesforce need "Perform requests at any time (refresh_token, offline_access)".',
    details: { Org: connection.orgId, User: username ?? connection.userId, "Connection id": connection.id },
    checklist,
    checkAgainAction: outcome.checklistToken ? checkAgainAction(outcome.checklistToken) : null,
    returnUrl: redirect
      ? withResult(session.returnUrl!, {
          connection_id: connection.id,
          forcelink_status: "connected",
          ...checklistParams(checklist),
        })
      : session.returnUrl
        ? withConnection(session.returnUrl, connection.id)
        : null,
    redirectBack: redirect,
    popupMessage: popup
      ? {
          type: "forcelink:connect",
          status: "connected",
          connectionId: connection.id,
          endUserId: connection.endUserId,
          renewed: outcome.renewed,
          checklist: checklistResult(checklist),
        }
      : null,
    popupTargetOrigin: origin,
  } satisfies ResultPageInput;
}

/**
 * The returnUrl with the result in its query, for the connect helper's redirect fallback (read by
 * `Forcelink.connectResult()`): `connection_id`, `forcelink_status`, `forcelink_checklist`
 * (passed, failed, not_run), `forcelink_failing` (the failing checks' ids), `forcelink_error`.
 */
function withResult(returnUrl: string, params: Record<string, string>): string {
  const url = new URL(returnUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** Where "Check again"'s page links back to: with the result again after the helper's redirect fallback. */
function returnAfterCheck(session: ConnectSessionRow, connectionId: string, checklist: PageChecklist | null) {
  if (!session.returnUrl) return { returnUrl: null };
  if (session.display !== "redirect") return { returnUrl: withConnection(session.returnUrl, connectionId) };
  const result = { connection_id: connectionId, forcelink_status: "connected", ...checklistParams(checklist) };
  return { returnUrl: withResult(session.returnUrl, result), redirectBack: true };
}

function checklistParams(checklist: PageChecklist | null): Record<string, string> {
  const result = checklistResult(checklist);
  if (!result) return {};
  if (result.passed === null) return { forcelink_checklist: "not_run" };
  return result.passed
    ? { forcelink_checklist: "passed" }
    : { forcelink_checklist: "failed", forcelink_failing: result.failing.join(",") };
}

function withConnection(returnUrl: string, connectionId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set("connection_id", connectionId);
  return url.toString();
}
