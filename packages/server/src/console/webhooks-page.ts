import { esc } from "../connect/html.ts";
import { HttpError } from "../http/http-error.ts";
import { listDeliveries } from "../webhooks/delivery-store.ts";
import { redeliver, sendTestEvent } from "../webhooks/emit.ts";
import { createEndpoint, endpointUrlProblem, getEndpoint, listEndpoints } from "../webhooks/endpoints.ts";
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES, webhookEventTypes } from "../webhooks/event-types.ts";
import { csrfField, notice, postButton, statusBadge, table, when } from "./console-html.ts";
import { type ConsoleContext, type ConsolePage, field, notFoundPage } from "./console-routes.ts";

function createForm(csrf: string): string {
  const boxes = webhookEventTypes
    .map(
      (t) =>
        `<label class="choice"><input type="checkbox" name="event.${esc(t)}" value="on"> <code>${esc(t)}</code> <span class="muted">${esc(WEBHOOK_EVENT_TYPES[t])}</span></label>`,
    )
    .join("");
  return `<h2>Add an endpoint</h2><form class="stack" method="post" action="/webhooks" id="endpoint-form">${csrfField(csrf)}
    <label for="url">URL</label><input type="url" name="url" id="url" placeholder="https://example.com/webhooks/forcelink" required>
    <label for="description">Description</label><input type="text" name="description" id="description">
    <label>Events</label><label class="choice"><input type="checkbox" name="event.*" value="on" id="all-events" checked> Every event, including ones added later</label>
    ${boxes}
    <button type="submit" id="add-endpoint">Add the endpoint</button></form>`;
}

async function endpointOr404(ctx: ConsoleContext) {
  const endpoint = await getEndpoint(ctx.platform.db, ctx.projectId, ctx.params.id);
  if (!endpoint) throw notFoundPage("webhook endpoint", ctx.params.id);
  return endpoint;
}

/** One endpoint: its settings, a test event, its deliveries with redelivery. */
async function endpointPage(ctx: ConsoleContext): Promise<string> {
  const endpoint = await endpointOr404(ctx);
  const deliveries = await listDeliveries(ctx.platform.db, ctx.projectId, endpoint.id, { limit: 50 });
  const csrf = ctx.session.csrf;
  const rows = deliveries.map((d) => [
    `<span class="delivery" data-delivery="${esc(d.id)}" data-status="${esc(d.status)}">${esc(d.eventType)}</span>`,
    statusBadge(d.status),
    esc(d.attempts),
    esc(d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? "")),
    when(d.createdAt),
    d.status === "pending"
      ? ""
      : postButton(`/webhooks/${endpoint.id}/redeliver`, "Redeliver", csrf, {
          id: `redeliver-${d.id}`,
          fields: { deliveryId: d.id },
          kind: "secondary",
        }),
  ]);
  const body = `<h1>Endpoint <code>${esc(endpoint.id)}</code></h1>
    <dl class="facts"><dt>URL</dt><dd id="endpoint-url">${esc(endpoint.url)}</dd><dt>Events</dt><dd>${esc(endpoint.events.join(", "))}</dd><dt>Description</dt><dd>${esc(endpoint.description ?? "")}</dd><dt>Enabled</dt><dd>${endpoint.enabled ? "yes" : "no"}</dd></dl>
    <p>${postButton(`/webhooks/${endpoint.id}/test`, "Send a test event", csrf, { id: "send-test" })}</p>
    <h2>Deliveries</h2><p><a href="/webhooks/${esc(endpoint.id)}" id="refresh-deliveries">Refresh</a></p>
    ${table("deliveries", ["Event", "Status", "Attempts", "Last answer", "Created", ""], rows, "No delivery yet.")}`;
  return ctx.page("/webhooks", `Endpoint ${endpoint.id}`, body);
}

/** `/webhooks`: endpoints, their deliveries, a test event and redelivery. */
export const webhooksPage: ConsolePage = (router) => {
  router.get("/webhooks", async (ctx) => {
    const endpoints = await listEndpoints(ctx.platform.db, ctx.projectId);
    const list = table(
      "endpoints",
      ["Endpoint", "URL", "Events", "Enabled"],
      endpoints.map((e) => [
        `<a href="/webhooks/${esc(e.id)}">${esc(e.id)}</a>`,
        esc(e.url),
        esc(e.events.join(", ")),
        e.enabled ? "yes" : "no",
      ]),
      "No webhook endpoint yet.",
    );
    return ctx.page("/webhooks", "Webhooks", `<h1>Webhooks</h1>${list}${createForm(ctx.session.csrf)}`);
  });

  router.post("/webhooks", async (ctx) => {
    const url = field(ctx.form, "url", "URL", 2048);
    const problem = endpointUrlProblem(url);
    if (problem)
      throw new HttpError(400, "invalid_form", `The URL ${problem}.`, { remedy: "Enter the receiver's full URL." });
    const chosen = Object.keys(ctx.form)
      .filter((k) => k.startsWith("event.") && ctx.form[k] === "on")
      .map((k) => k.slice("event.".length));
    const unknown = chosen.filter((e) => e !== ALL_EVENTS && !(e in WEBHOOK_EVENT_TYPES));
    if (chosen.length === 0 || unknown.length > 0)
      throw new HttpError(
        400,
        "invalid_form",
        unknown.length ? `Unknown event: ${unknown[0].slice(0, 60)}.` : "Pick at least one event.",
        {
          remedy: "Tick the events the endpoint should receive, or every event.",
        },
      );
    const description = (ctx.form.description ?? "").trim().slice(0, 500) || null;
    const created = await createEndpoint(ctx.platform.db, ctx.platform.sealer, ctx.projectId, {
      url,
      events: chosen,
      description,
    });
    const body = `<h1>Endpoint added</h1>${notice(
      "ok",
      `<strong>Copy the signing secret now: it is shown once.</strong><p>Verify each delivery's <code>Forcelink-Signature</code> header with it.</p><input class="copy" readonly value="${esc(created.secret)}" id="signing-secret" aria-label="Signing secret">`,
    )}<p><a href="/webhooks/${esc(created.endpoint.id)}" id="endpoint-link">See the endpoint</a></p>`;
    return { status: 201, html: ctx.page("/webhooks", "Endpoint added", body) };
  });

  router.get("/webhooks/:id", endpointPage);

  router.post("/webhooks/:id/test", async (ctx) => {
    const endpoint = await endpointOr404(ctx);
    await sendTestEvent(ctx.platform, ctx.projectId, endpoint.id);
    return { redirect: `/webhooks/${endpoint.id}?done=test-sent` };
  });

  router.post("/webhooks/:id/redeliver", async (ctx) => {
    const endpoint = await endpointOr404(ctx);
    const deliveryId = field(ctx.form, "deliveryId", "deliveryId", 100);
    const again = await redeliver(ctx.platform, ctx.projectId, deliveryId);
    if (!again || again.endpointId !== endpoint.id) throw notFoundPage("webhook delivery", deliveryId);
    return { redirect: `/webhooks/${endpoint.id}?done=redelivered` };
  });
};
