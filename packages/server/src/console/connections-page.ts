import { esc } from "../connect/html.ts";
import { listConnections } from "../connections/connection-store.ts";
import { HttpError } from "../http/http-error.ts";
import { statusBadge, table, when } from "./console-html.ts";
import type { ConsolePage } from "./console-routes.ts";

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
    return ctx.page("/connections", "Connections", `<h1>Connections</h1>${filters}${list}`);
  });
};
