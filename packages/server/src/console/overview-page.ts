import { esc } from "../connect/html.ts";
import { statusBadge, table, when } from "./console-html.ts";
import type { ConsolePage } from "./console-routes.ts";
import {
  connectionsByStatus,
  failingChecklists,
  recentWebhookFailures,
  syncsNeedingAttention,
} from "./overview-queries.ts";

const link = (href: string, text: string) => `<a href="${esc(href)}">${esc(text)}</a>`;

/** `/`: what needs looking at, across the project. */
export const overviewPage: ConsolePage = (router) => {
  router.get("/", async (ctx) => {
    const { platform, projectId } = ctx;
    const [byStatus, failing, syncs, webhookFailures] = await Promise.all([
      connectionsByStatus(platform, projectId),
      failingChecklists(platform, projectId),
      syncsNeedingAttention(platform, projectId),
      recentWebhookFailures(platform, projectId),
    ]);
    const total = byStatus.reduce((n, s) => n + s.n, 0);
    const cards = `<div class="cards" id="connection-counts">
      <div class="card"><div class="num" id="count-all">${total}</div>${link("/connections", "connections")}</div>
      ${byStatus
        .map(
          (s) =>
            `<div class="card" data-status="${esc(s.status)}"><div class="num">${s.n}</div>${statusBadge(s.status)} <a href="/connections?status=${esc(encodeURIComponent(s.status))}">show</a></div>`,
        )
        .join("")}</div>`;
    const failingTable = table(
      "failing-checks",
      ["Connection", "End user", "Failing checks", "Checked"],
      failing.map((f) => [
        link(`/connections/${f.connectionId}`, f.connectionId),
        esc(f.endUserId),
        esc(f.failing.map((c) => c.title).join("; ")),
        when(f.ranAt),
      ]),
      "No connection's latest checklist has a failing check.",
    );
    const syncTable = table(
      "syncs-attention",
      ["Connection", "Object", "Status", "Why"],
      syncs.map((s) => [
        link(`/connections/${s.connectionId}/syncs`, s.connectionId),
        esc(s.object),
        s.pausedAt ? statusBadge("paused") : statusBadge(s.status),
        esc(s.pausedAt ? `Paused in the console since ${when(s.pausedAt)}` : (s.statusReason ?? "")),
      ]),
      "No sync is paused or failing.",
    );
    const failures = webhookFailures[0]?.total ?? 0;
    const webhookTable = table(
      "webhook-failures",
      ["Event", "Endpoint", "Last answer", "When"],
      webhookFailures.map((d) => [
        esc(d.eventType),
        link(`/webhooks/${d.endpointId}`, d.endpointId),
        esc(d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? "")),
        when(d.updatedAt),
      ]),
      "No webhook delivery failed in the last day.",
    );
    return ctx.page(
      "/",
      "Overview",
      `<h1>Overview</h1>${cards}
      <h2>Failing checks</h2>${failingTable}
      <h2>Syncs paused or failing</h2>${syncTable}
      <h2>Webhook failures in the last day <span class="muted" id="webhook-failure-count">(${failures})</span></h2>${webhookTable}`,
    );
  });
};
