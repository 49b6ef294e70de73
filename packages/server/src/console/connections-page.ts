import { createConnectSession } from "../connect/connect-session-store.ts";
import { esc } from "../connect/html.ts";
import { listConnections } from "../connections/connection-store.ts";
import { HttpError } from "../http/http-error.ts";
import { getProviderApp, listProviderApps, type ProviderAppRow } from "../provider-apps/provider-app-store.ts";
import { csrfField, statusBadge, table, when } from "./console-html.ts";
import { type ConsoleContext, type ConsolePage, field, notFoundPage } from "./console-routes.ts";

const STATUSES = ["active", "needs_reauth", "error"] as const;

/** `/connections`: every connection, filtered by end user and status. */
export const connectionsPage: ConsolePage = (router) => {
  router.get("/connections", async (ctx) => {
    const endUserId = (ctx.query.endUserId ?? "").trim();
    const status = ctx.query.status ?? "";
    if (status && !STATUSES.includes(status as (typeof STATUSES)[number]))
      throw new HttpError(400, "invalid_filter", `"${status.slice(0, 40)}" is not a connection status.`, {
        remedy: `Pick one of ${STATUSES.join(", ")}, or any status.`,
      });
    if (endUserId.length > 200)
      throw new HttpError(400, "invalid_filter", "The end user id is longer than 200 characters.", {
        remedy: "Shorten it.",
      });
    const rows = await listConnections(ctx.platform, ctx.projectId, {
      endUserId: endUserId || undefined,
      status: status || undefined,
      limit: 200,
    });
    const filters = `<form method="get" action="/connections" class="filters" id="filters">
      <label>End user<input type="text" name="endUserId" value="${esc(endUserId)}" id="filter-end-user"></label>
      <label>Status<select name="status" id="filter-status"><option value="">any</option>${STATUSES.map(
        (s) => `<option value="${s}"${s === status ? " selected" : ""}>${s.replace("_", " ")}</option>`,
      ).join("")}</select></label>
      <button type="submit" class="secondary" id="apply-filters">Filter</button></form>`;
    const list = table(
      "connections",
      ["Connection", "End user", "Status", "Org", "Username", "Connected"],
      rows.map((c) => [
        `<a href="/connections/${esc(c.id)}" class="connection-link">${esc(c.id)}</a>`,
        esc(c.endUserId),
        statusBadge(c.status),
        esc(c.orgId),
        esc(c.username ?? ""),
        when(c.createdAt),
      ]),
      endUserId || status ? "No connection matches these filters." : "No connection yet: create a connect link.",
    );
    const apps = await listProviderApps(ctx.platform, ctx.projectId);
    return ctx.page("/connections", "Connections", `<h1>Connections</h1>${filters}${list}${connectForm(ctx, apps)}`);
  });

  router.post("/connections/connect-link", async (ctx) => {
    const endUserId = field(ctx.form, "endUserId", "End user id", 200);
    const appId = field(ctx.form, "providerAppId", "Provider app", 100);
    const app = await getProviderApp(ctx.platform, ctx.projectId, appId);
    if (!app) throw notFoundPage("provider app", appId);
    const created = await createConnectSession(ctx.platform, {
      projectId: ctx.projectId,
      providerAppId: app.id,
      endUserId,
    });
    const body = `<h1>Connect link</h1><p>Send this link to ${esc(endUserId)}: it opens the connect page of ${esc(app.name)} and works once.</p>
      <input class="copy" readonly value="${esc(created.url)}" id="connect-url" aria-label="Connect link">
      <p><a href="/connections">Back to the connections</a></p>`;
    return { status: 201, html: ctx.page("/connections", "Connect link", body) };
  });
};

function connectForm(ctx: ConsoleContext, apps: ProviderAppRow[]): string {
  if (apps.length === 0)
    return `<p class="muted">Register a <a href="/apps">provider app</a> to make connect links.</p>`;
  return `<h2>Connect a customer</h2><form class="stack" method="post" action="/connections/connect-link" id="connect-link-form">${csrfField(ctx.session.csrf)}
    <label for="connect-app">Provider app</label><select name="providerAppId" id="connect-app">${apps
      .map((a) => `<option value="${esc(a.id)}">${esc(a.name)}</option>`)
      .join("")}</select>
    <label for="connect-end-user">End user id</label><p class="hint">Your own id for the customer; the connection carries it.</p>
    <input type="text" name="endUserId" id="connect-end-user" maxlength="200" required>
    <button type="submit" id="make-connect-link">Make a connect link</button></form>`;
}
