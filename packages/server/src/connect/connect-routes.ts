import { exchangeCode, fetchIdentity, OAuthFailure, type TokenSet } from "@forcelink/salesforce";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from "fastify";
import { latestChecklistRun, runConnectionChecklist } from "../checklist/connection-checklist.ts";
import { type ConnectionRow, findConnection, insertConnection } from "../connections/connection-store.ts";
import { httpErrorFrom } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { getProviderAppForProject, openProviderAppSecrets } from "../provider-apps/provider-app-store.ts";
import { emitEvent } from "../webhooks/emit.ts";
import { explainConnectFailure } from "./callback-errors.ts";
import { callbackUrl } from "./callback-url.ts";
import { choosePage, type ResultPageInput, resultPage } from "./connect-pages.ts";
import {
  AUTHORIZE_TTL_MS,
  type ConnectSessionRow,
  claimState,
  completeSession,
  failSession,
  recordAuthorizeStart,
  sessionByChecklistToken,
  sessionByState,
  sessionByToken,
} from "./connect-session-store.ts";
import { authorizeRoundTrip, chooseLoginHost } from "./start-authorize.ts";

const HTML = "text/html; charset=utf-8";

function send(reply: FastifyReply, status: number, html: string) {
  return reply
    .status(status)
    .header("content-type", HTML)
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .send(html);
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

/** The hosted connect page and the OAuth callback: public, reached by the end customer's browser. */
export function registerConnectRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Params: { token: string }; Querystring: { display?: string } }>(
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
      const display = req.query.display === "popup" ? "popup" : "page";
      const failed =
        session!.status === "failed" ? (session!.error as { message?: string; fix?: string } | null) : null;
      return send(
        reply,
        200,
        choosePage({
          appName: appRow.name,
          action: `/connect/${encodeURIComponent(req.params.token)}${display === "popup" ? "?display=popup" : ""}`,
          environment: session!.environment,
          myDomain: session!.myDomain,
          error: failed?.message ? { message: failed.message, fix: failed.fix } : null,
          returningAfterStart: session!.status === "authorizing",
        }),
      );
    },
  );

  app.post<{ Params: { token: string }; Querystring: { display?: string }; Body: Record<string, string> }>(
    "/connect/:token",
    { schema: { hide: true }, config: { htmlErrors: true } },
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
      const display = req.query.display === "popup" ? "popup" : "page";
      const choice = chooseLoginHost(platform.hosts, body.environment, body.myDomain);
      if (!choice.ok) {
        return send(
          reply,
          400,
          choosePage({
            appName: appRow.name,
            action: `/connect/${encodeURIComponent(req.params.token)}${display === "popup" ? "?display=popup" : ""}`,
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

  app.get<{ Querystring: Record<string, string | string[]> }>(
    "/oauth/callback",
    { schema: { hide: true }, config: { htmlErrors: true } },
    async (req, reply) => {
      if (Array.isArray(req.query.state)) {
        return linkProblem(
          reply,
          400,
          "This sign-in response is not valid",
          "It carries 'state' more than once, which Salesforce never sends.",
        );
      }
      const q = req.query as Record<string, string>;
      if (!q.state)
        return linkProblem(
          reply,
          400,
          "This sign-in response is incomplete",
          "Salesforce's answer carries no state, so it can't be matched to a connect link.",
        );
      const session = await sessionByState(platform, q.state);
      if (!session) {
        return linkProblem(
          reply,
          400,
          "This sign-in response was already used or is not valid",
          "The state in the answer does not match any sign-in in progress (it was used once already, or altered).",
        );
      }
      const repeated = Object.entries(req.query).find(([, v]) => Array.isArray(v));
      if (repeated) {
        await failSession(platform, session.id, {
          code: "invalid_callback",
          message: `'${repeated[0]}' came more than once`,
        });
        return linkProblem(
          reply,
          400,
          "This sign-in response is not valid",
          `It carries '${repeated[0]}' more than once, which Salesforce never sends.`,
        );
      }
      const popup = session.display === "popup";
      const finish = (status: number, ok: boolean, page: Parameters<typeof resultPage>[0]) =>
        send(
          reply,
          status,
          resultPage({
            ...page,
            ok,
            popupMessage: popup ? page.popupMessage : null,
            popupTargetOrigin: session.returnUrl ? new URL(session.returnUrl).origin : "*",
          }),
        );

      const startedAt = session.startedAt?.getTime() ?? 0;
      if (
        platform.clock.nowMs() - startedAt > AUTHORIZE_TTL_MS ||
        session.expiresAt.getTime() < platform.clock.nowMs()
      ) {
        await failSession(platform, session.id, { code: "expired", message: "The sign-in took too long." });
        return finish(410, false, {
          ok: false,
          title: "The sign-in took too long",
          message: "Connect links and sign-ins expire for safety.",
          steps: ["Ask the app you came from for a new connect link."],
          popupMessage: { type: "forcelink:connect", status: "failed", error: "expired" },
        });
      }
      if (!(await claimState(platform, session.id, q.state))) {
        return linkProblem(
          reply,
          400,
          "This sign-in response was already used",
          "Each Salesforce answer can be used once.",
        );
      }
      const found = session;
      try {
        return await finishCallback();
      } catch (e) {
        // Whatever went wrong, the session must not stay "exchanging" for ever.
        req.log.error({ err: e }, "the OAuth callback failed");
        await failSession(platform, session.id, {
          code: "internal_error",
          message: "The connection could not be saved.",
        });
        throw e;
      }

      async function finishCallback() {
        const session = found;
        const appRow = await getProviderAppForProject(platform, session!.projectId, session!.providerAppId);
        if (!appRow)
          return linkProblem(
            reply,
            410,
            "This connect link is no longer valid",
            "The app it was made for was removed.",
          );

        const fail = async (failure: ReturnType<typeof explainConnectFailure>) => {
          await failSession(platform, session.id, { code: failure.code, message: failure.title });
          return finish(200, false, {
            ok: false,
            title: failure.title,
            message: failure.message,
            steps: failure.steps,
            returnUrl: session.returnUrl,
            popupMessage: { type: "forcelink:connect", status: "failed", error: failure.code },
          });
        };
        if (q.error) return fail(explainConnectFailure(q.error, q.error_description));
        if (!q.code)
          return fail(explainConnectFailure("invalid_request", "Salesforce's answer has neither a code nor an error."));

        let tokens: TokenSet;
        try {
          const secrets = await openProviderAppSecrets(platform, appRow);
          tokens = await exchangeCode({
            loginUrl: session.loginUrl!,
            clientId: appRow.clientId,
            clientSecret: secrets.clientSecret,
            code: q.code,
            redirectUri: callbackUrl(platform),
            codeVerifier: session.codeVerifierSealed ? platform.sealer.open(session.codeVerifierSealed) : undefined,
          });
        } catch (e) {
          if (e instanceof OAuthFailure) return fail(explainConnectFailure(e.error, e.description));
          req.log.error({ err: e }, "token exchange failed");
          return fail(explainConnectFailure("server_error", "Salesforce could not be reached to finish the sign-in."));
        }
        const username = await fetchIdentity({
          identityUrl: tokens.identityUrl,
          accessToken: tokens.accessToken,
          hosts: platform.hosts,
        })
          .then((identity) => identity.username)
          .catch(() => null);
        if (session.connectionId) {
          const existing = await findConnection(platform, session.projectId, session.connectionId);
          if (!existing) return fail(explainConnectFailure("connection_gone", "The connection to renew was deleted."));
          if (existing.orgId !== tokens.orgId) {
            await failSession(platform, session.id, { code: "different_org", message: "Signed in to a different org" });
            return finish(200, false, {
              ok: false,
              title: "That is a different Salesforce org",
              message: `This link renews the connection to org ${existing.orgId}, but you signed in to org ${tokens.orgId}.`,
              steps: [
                "Connect again and sign in to the org that was connected before (check Production, Sandbox or My Domain).",
              ],
              popupMessage: { type: "forcelink:connect", status: "failed", error: "different_org" },
            });
          }
          // The lease-taking adopt keeps a refresh still running elsewhere from overwriting the new tokens.
          await (await platform.tokens.lifecycleFor(existing)).adopt(existing.id, tokens);
          const { checklistToken } = await completeSession(platform, session.id, existing.id);
          await emitEvent(platform, session.projectId, "connection.recovered", {
            connectionId: existing.id,
            endUserId: existing.endUserId,
            via: "reconnect",
          });
          // The row as adopted: the checklist signs in with the new tokens.
          const renewed = (await findConnection(platform, session.projectId, existing.id)) ?? existing;
          const checklist = await checklistForPage(platform, req.log, renewed);
          return finish(200, true, {
            ok: true,
            title: "Salesforce is connected again",
            message: `Renewed the connection of ${username ?? "your user"} to ${appRow.name}. You can close this window.`,
            details: { Org: existing.orgId, User: username ?? existing.userId, "Connection id": existing.id },
            checklist,
            checkAgainAction: checkAgainAction(checklistToken),
            returnUrl: session.returnUrl ? withConnection(session.returnUrl, existing.id) : null,
            popupMessage: {
              type: "forcelink:connect",
              status: "connected",
              connectionId: existing.id,
              endUserId: existing.endUserId,
            },
          });
        }
        const connection = await insertConnection(platform, {
          projectId: session.projectId,
          providerAppId: session.providerAppId,
          endUserId: session.endUserId,
          environment: (session.environment as "production" | "sandbox" | "mydomain") ?? "production",
          authFlow: "web_server",
          loginUrl: session.loginUrl!,
          tokens,
          username,
        });
        const { checklistToken } = await completeSession(platform, session.id, connection.id);
        const noRefresh = !tokens.refreshToken;
        await emitEvent(platform, session.projectId, "connection.created", {
          connectionId: connection.id,
          endUserId: connection.endUserId,
          providerAppId: connection.providerAppId,
          orgId: connection.orgId,
          environment: connection.environment,
          offlineAccess: !noRefresh,
        });
        const checklist = await checklistForPage(platform, req.log, connection);
        return finish(200, true, {
          ok: true,
          title: "Salesforce is connected",
          message: `Connected ${username ?? "your user"} to ${appRow.name}. You can close this window.`,
          warning: noRefresh
            ? 'Salesforce did not grant offline access (no refresh token), so this connection will stop working when the Salesforce session ends. The app\'s OAuth scopes in Salesforce need "Perform requests at any time (refresh_token, offline_access)".'
            : undefined,
          details: { Org: connection.orgId, User: username ?? connection.userId, "Connection id": connection.id },
          checklist,
          checkAgainAction: checkAgainAction(checklistToken),
          returnUrl: session.returnUrl ? withConnection(session.returnUrl, connection.id) : null,
          popupMessage: {
            type: "forcelink:connect",
            status: "connected",
            connectionId: connection.id,
            endUserId: connection.endUserId,
          },
        });
      }
    },
  );

  // The result page's "Check again": re-runs the checklist of the connection just made, with the
  // token minted at completion (the connect link itself is used up by then).
  app.post<{ Params: { token: string } }>(
    "/connect/checklist/:token",
    { schema: { hide: true }, config: { htmlErrors: true } },
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
          returnUrl: session.returnUrl ? withConnection(session.returnUrl, connection.id) : null,
        }),
      );
    },
  );

  // The connect page posts a form; Fastify parses only JSON out of the box.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
}

function withConnection(returnUrl: string, connectionId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set("connection_id", connectionId);
  return url.toString();
}
