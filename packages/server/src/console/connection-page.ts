import { latestChecklistRun, runConnectionChecklist } from "../checklist/connection-checklist.ts";
import { checklistSection } from "../connect/connect-pages.ts";
import { createConnectSession } from "../connect/connect-session-store.ts";
import { esc } from "../connect/html.ts";
import { type ConnectionRow, connectionView, findConnection } from "../connections/connection-store.ts";
import { disconnect } from "../connections/disconnect.ts";
import type { Platform } from "../platform/platform.ts";
import { resumeNow } from "../subscriptions/resume-subscriptions.ts";
import { connectionPanels } from "./connection-panels.ts";
import { postButton, statusBadge, when } from "./console-html.ts";
import { type ConsoleContext, type ConsolePage, notFoundPage } from "./console-routes.ts";

export async function connectionOf(ctx: ConsoleContext): Promise<ConnectionRow> {
  const row = await findConnection(ctx.platform, ctx.projectId, ctx.params.id);
  if (!row) throw notFoundPage("connection", ctx.params.id);
  return row;
}

const CONSEQUENCES = [
  "The app's access to the customer's Salesforce org is revoked there (its refresh token stops working).",
  "The stored tokens, the checklist history and the installed integrations with their sync checkpoints are deleted: connecting again syncs everything from the start.",
  "Records kept by the records destination and every write with its per-record results are deleted.",
  "Your webhooks receive connection.deleted. The customer needs a new connect link to connect again.",
  "This cannot be undone.",
];

function facts(row: ConnectionRow): string {
  const v = connectionView(row);
  const usage = v.apiUsage
    ? `<progress max="${v.apiUsage.max}" value="${Math.min(v.apiUsage.used, v.apiUsage.max)}" title="API requests used today"></progress> <span id="api-usage">${v.apiUsage.used.toLocaleString("en")} of ${v.apiUsage.max.toLocaleString("en")} API requests today</span>`
    : `<span id="api-usage" class="muted">Not known yet: read from the next call to the org.</span>`;
  const rows: Array<[string, string]> = [
    ["Status", `${statusBadge(v.status)} ${esc(v.statusReason ?? "")}`],
    ["End user", esc(v.endUserId)],
    ["Org", `<span id="org-id">${esc(v.orgId)}</span>`],
    ["Instance", esc(v.instanceUrl)],
    ["Username", esc(v.username ?? "")],
    ["Environment", esc(`${v.environment} · ${v.authFlow.replace(/_/g, " ")}`)],
    ["Granted scopes", `<span id="scopes">${esc((v.scopes ?? []).join(" ") || "—")}</span>`],
    ["API usage", usage],
    ["Last token refresh", when(v.lastRefreshAt)],
    ["Connected", when(v.createdAt)],
  ];
  const reauth = v.reauth
    ? `<div class="error" id="reauth"><strong>The customer must connect again.</strong> ${esc(v.reauth.description ?? v.reauth.error ?? "")}${
        v.reauth.check?.remedy?.length
          ? `<ol class="remedy">${v.reauth.check.remedy.map((s: string) => `<li>${esc(s)}</li>`).join("")}</ol>`
          : ""
      }</div>`
    : "";
  return `${reauth}<dl class="facts">${rows.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${val}</dd>`).join("")}</dl>`;
}

async function checklist(platform: Platform, row: ConnectionRow, csrf: string): Promise<string> {
  const run = await latestChecklistRun(platform, row.projectId, row.id);
  const again = postButton(`/connections/${row.id}/check`, run ? "Check again" : "Run the checklist", csrf, {
    id: "check-again",
  });
  if (!run)
    return `<section id="checklist" data-passed="none"><h2>Checklist</h2><p class="muted">Not run yet.</p>${again}</section>`;
  return `${checklistSection({ run })}<p>${again}</p>`;
}

/** `/connections/{id}`: the org, its grant, the checklist, and what can be done with the connection. */
export const connectionPage: ConsolePage = (router) => {
  router.get("/connections/:id", async (ctx) => {
    const row = await connectionOf(ctx);
    const csrf = ctx.session.csrf;
    const panels = await Promise.all(connectionPanels.map((panel) => panel(ctx.platform, row, csrf)));
    const body = `<h1>Connection <code>${esc(row.id)}</code></h1>
      <p><a href="/connections/${esc(row.id)}/syncs" id="syncs-link">Syncs</a> · <a href="/writes?connectionId=${esc(row.id)}">Writes</a></p>
      ${facts(row)}
      ${await checklist(ctx.platform, row, csrf)}
      ${panels.join("")}
      <h2>Reconnect</h2>
      <p class="muted">A single-use link to send the customer when the connection needs them again (it expires after a while).</p>
      ${postButton(`/connections/${row.id}/reconnect-link`, "Make a reconnect link", csrf, { id: "reconnect", kind: "secondary" })}
      <h2>Delete</h2>
      <p><a href="/connections/${esc(row.id)}/delete" id="delete-link">Delete this connection…</a></p>`;
    return ctx.page("/connections", `Connection ${row.id}`, body);
  });

  router.post("/connections/:id/check", async (ctx) => {
    const row = await connectionOf(ctx);
    // A connection that needs the customer again throws ConnectionNeedsReauth: shown as a 409 page with its remedy.
    await runConnectionChecklist(ctx.platform, row);
    return { redirect: `/connections/${row.id}?done=checked#checklist` };
  });

  router.post("/connections/:id/subscriptions/:subscriptionId/resume", async (ctx) => {
    const row = await connectionOf(ctx);
    // Still paused: a 409 page with the failing check and its remedy.
    await resumeNow(ctx.platform, row, ctx.params.subscriptionId ?? "");
    return { redirect: `/connections/${row.id}?done=subscription-resumed#subscriptions` };
  });

  router.post("/connections/:id/reconnect-link", async (ctx) => {
    const row = await connectionOf(ctx);
    const created = await createConnectSession(ctx.platform, {
      projectId: row.projectId,
      providerAppId: row.providerAppId,
      endUserId: row.endUserId,
      reconnectConnectionId: row.id,
    });
    const body = `<h1>Reconnect link</h1><p>Send this link to the customer (${esc(row.endUserId)}). It works once.</p>
      <input class="copy" readonly value="${esc(created.url)}" id="reconnect-url" aria-label="Reconnect link">
      <p><a href="/connections/${esc(row.id)}">Back to the connection</a></p>`;
    return { status: 201, html: ctx.page("/connections", "Reconnect link", body) };
  });

  router.get("/connections/:id/delete", async (ctx) => {
    const row = await connectionOf(ctx);
    const body = `<h1>Delete connection <code>${esc(row.id)}</code>?</h1>
      <div class="warn" id="consequences"><strong>Deleting the connection of ${esc(row.endUserId)} (org ${esc(row.orgId)}):</strong>
      <ul>${CONSEQUENCES.map((c) => `<li>${esc(c)}</li>`).join("")}</ul></div>
      <form class="stack" method="post" action="/connections/${esc(row.id)}/delete">
        <input type="hidden" name="csrf" value="${esc(ctx.session.csrf)}">
        <label><input type="checkbox" name="force" value="true"> Delete even if Salesforce cannot be reached to revoke the grant (then revoke it in Setup → Connected Apps OAuth Usage)</label>
        <button type="submit" class="danger" id="confirm-delete">Delete the connection</button>
      </form><p><a href="/connections/${esc(row.id)}">Keep it</a></p>`;
    return ctx.page("/connections", "Delete connection", body);
  });

  router.post("/connections/:id/delete", async (ctx) => {
    const row = await connectionOf(ctx);
    const outcome = await disconnect(ctx.platform, row, { force: ctx.form.force === "true" });
    if (!outcome.deleted) {
      const body = `<h1>The connection was kept</h1><div class="error" id="error"><strong>${esc(outcome.revoke.reason)}</strong><p>Its grant may still be live. Try again once Salesforce answers, or tick "delete even if Salesforce cannot be reached".</p></div><p><a href="/connections/${esc(row.id)}/delete">Back</a></p>`;
      return { status: 502, html: ctx.page("/connections", "Connection kept", body) };
    }
    return { redirect: "/connections?done=connection-deleted" };
  });
};
