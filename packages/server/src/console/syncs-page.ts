import { esc } from "../connect/html.ts";
import { HttpError } from "../http/http-error.ts";
import { installedIntegrations } from "../integrations/integration-store.ts";
import { runSyncNow, type SyncControlOutcome, setSyncPaused } from "../sync/sync-control.ts";
import { listRuns, statesOf } from "../sync/sync-store.ts";
import { connectionOf } from "./connection-page.ts";
import { postButton, statusBadge, table, when } from "./console-html.ts";
import type { ConsolePage } from "./console-routes.ts";

function settled(outcome: SyncControlOutcome, object: string): void {
  if (outcome.status === "not_synced")
    throw new HttpError(404, "object_not_synced", `No integration installed on this connection syncs ${object}.`, {
      remedy: "Install an integration whose manifest lists the object.",
    });
  if (outcome.status === "paused")
    throw new HttpError(409, "sync_paused", `The sync of ${object} is paused.`, {
      remedy: "Resume it first, then run it.",
    });
}

const OBJECT = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

function objectOf(form: Record<string, string>): string {
  const object = (form.object ?? "").trim();
  if (!OBJECT.test(object))
    throw new HttpError(400, "invalid_form", "object must be an object's API name, such as Account.", {
      remedy: "Pick an object from the connection's Syncs page.",
    });
  return object;
}

/** `/connections/{id}/syncs`: where each object's sync stands, its runs, and run now / pause / resume. */
export const syncsPage: ConsolePage = (router) => {
  router.get("/connections/:id/syncs", async (ctx) => {
    const conn = await connectionOf(ctx);
    const [installed, states, runs] = await Promise.all([
      installedIntegrations(ctx.platform, conn.id),
      statesOf(ctx.platform, conn.id),
      listRuns(ctx.platform, ctx.projectId, { connectionId: conn.id, limit: 50 }),
    ]);
    const csrf = ctx.session.csrf;
    const objects = installed.flatMap((i) =>
      i.integration.manifest.objects.map((o) => ({ integration: i.integration.manifest.name, object: o.name })),
    );
    const stateRows = objects.map(({ integration, object }) => {
      const state = states.find((s) => s.object.toLowerCase() === object.toLowerCase());
      const action = `/connections/${conn.id}/syncs`;
      const fields = { object };
      const controls = [
        postButton(`${action}/run`, "Run now", csrf, { id: `run-${object}`, fields }),
        state?.pausedAt
          ? postButton(`${action}/resume`, "Resume", csrf, { id: `resume-${object}`, fields, kind: "secondary" })
          : postButton(`${action}/pause`, "Pause", csrf, { id: `pause-${object}`, fields, kind: "secondary" }),
      ].join(" ");
      return [
        esc(object),
        esc(integration),
        state?.pausedAt ? statusBadge("paused") : statusBadge(state?.status ?? "idle"),
        esc(state?.pausedAt ? "Paused in the console" : (state?.statusReason ?? "")),
        esc(
          state?.cursorTs
            ? `${state.cursorField} ${state.cursorTs}`
            : state?.backfillDone
              ? "full refresh"
              : "none yet",
        ),
        controls,
      ];
    });
    const runRows = runs.map((r) => [
      `<span class="run" data-run="${esc(r.id)}">${esc(r.object)}</span>`,
      statusBadge(r.status),
      esc(r.trigger),
      esc(`${r.recordsRead} read · ${r.upserted} upserted · ${r.deleted} deleted`),
      esc(r.apiCalls),
      when(r.startedAt),
      esc((r.error as { message?: string } | null)?.message ?? ""),
    ]);
    const body = `<h1>Syncs of <a href="/connections/${esc(conn.id)}"><code>${esc(conn.id)}</code></a></h1>
      <h2>Objects</h2>${table("sync-states", ["Object", "Integration", "Status", "Why", "Checkpoint", ""], stateRows, "No integration is installed on this connection.")}
      <h2>Runs</h2><p><a href="/connections/${esc(conn.id)}/syncs" id="refresh-runs">Refresh</a></p>
      ${table("sync-runs", ["Object", "Status", "Trigger", "Records", "API calls", "Started", "Error"], runRows, "No run yet.")}`;
    return ctx.page("/connections", "Syncs", body);
  });

  router.post("/connections/:id/syncs/run", async (ctx) => {
    const conn = await connectionOf(ctx);
    const object = objectOf(ctx.form);
    settled(await runSyncNow(ctx.platform, conn, object), object);
    return { redirect: `/connections/${conn.id}/syncs?done=run-queued` };
  });

  for (const [path, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    router.post(`/connections/:id/syncs/${path}`, async (ctx) => {
      const conn = await connectionOf(ctx);
      const object = objectOf(ctx.form);
      settled(await setSyncPaused(ctx.platform, conn, object, paused), object);
      return { redirect: `/connections/${conn.id}/syncs?done=${paused ? "paused" : "resumed"}` };
    });
  }
};
