import { esc } from "../connect/html.ts";
import { findConnection, listConnections } from "../connections/connection-store.ts";
import { HttpError } from "../http/http-error.ts";
import { listWrites } from "../writes/write-store.ts";
import { countsOf } from "../writes/write-views.ts";
import { statusBadge, table, when } from "./console-html.ts";
import type { ConsolePage } from "./console-routes.ts";

/** `/writes`: the writes into each connection's org, newest first, with their record counts. */
export const writesPage: ConsolePage = (router) => {
  router.get("/writes", async (ctx) => {
    const chosen = (ctx.query.connectionId ?? "").trim();
    if (chosen.length > 200)
      throw new HttpError(400, "invalid_filter", "The connection id is longer than 200 characters.", {
        remedy: "Pick a connection from the list.",
      });
    const connections = chosen
      ? [await findConnection(ctx.platform, ctx.projectId, chosen)].filter((c) => c !== undefined)
      : await listConnections(ctx.platform, ctx.projectId, { limit: 100 });
    if (chosen && connections.length === 0)
      throw new HttpError(404, "not_found", `There is no connection '${chosen.slice(0, 120)}' in this project.`, {
        remedy: "Pick a connection from the Connections page.",
      });
    const perConnection = await Promise.all(
      connections.map((c) => listWrites(ctx.platform, { projectId: ctx.projectId, connectionId: c.id }, { limit: 50 })),
    );
    const writes = perConnection.flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const rows = writes.slice(0, 200).map((w) => {
      const counts = countsOf(w);
      return [
        `<span class="write" data-write="${esc(w.id)}">${esc(w.id)}</span>`,
        `<a href="/connections/${esc(w.connectionId)}">${esc(w.connectionId)}</a>`,
        esc(`${w.operation} ${w.object}`),
        statusBadge(w.status),
        esc(
          `${counts.total} total · ${counts.succeeded} succeeded · ${counts.failed} failed · ${counts.unknown} unknown · ${counts.pending} pending`,
        ),
        esc(w.path ?? ""),
        when(w.createdAt),
      ];
    });
    const heading = chosen ? `Writes into <code>${esc(chosen)}</code>` : "Writes";
    return ctx.page(
      "/writes",
      "Writes",
      `<h1>${heading}</h1><p class="muted">Records written into your customers' orgs through <code>POST /v1/connections/{id}/writes</code>; each record's result is in the API.</p>${table(
        "writes",
        ["Write", "Connection", "What", "Status", "Records", "API", "Created"],
        rows,
        "No write yet.",
      )}`,
    );
  });
};
