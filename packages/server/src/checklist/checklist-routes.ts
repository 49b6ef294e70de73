import { OAuthFailure } from "@forcelink/salesforce";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findConnection } from "../connections/connection-store.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { ConnectionNeedsReauth, latestChecklistRun, runConnectionChecklist } from "./connection-checklist.ts";
import { explainRefusedGrant } from "./grant-refusal.ts";

const params = z.object({ id: z.string().min(1).max(200) });

/** `/v1/connections/{id}/checklist`: runs the pre-install checklist against the connection's org. */
export function registerChecklistRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post("/connections/:id/checklist", { schema: { tags: ["connections"], params } }, async (req) => {
    const row = await findConnection(platform, req.projectId, req.params.id);
    if (!row) throw notFound("connection", req.params.id);
    try {
      return await runConnectionChecklist(platform, row);
    } catch (e) {
      if (e instanceof ConnectionNeedsReauth) {
        const lastRun = await latestChecklistRun(platform, req.projectId, row.id);
        const check = e.reauth
          ? explainRefusedGrant(e.reauth, lastRun, { user: row.username ? `the user ${row.username}` : undefined })
          : undefined;
        throw new HttpError(409, "connection_needs_reauth", e.message, {
          remedy:
            "Have the customer connect again (POST /v1/connect-sessions with {connectionId}), then run the checklist.",
          check,
          details: { reauth: e.reauth },
        });
      }
      if (e instanceof OAuthFailure)
        throw new HttpError(
          502,
          "salesforce_unavailable",
          `Salesforce could not renew the connection's session (${e.error}).`,
          {
            remedy: "Retry later; Forcelink backs off and retries on its own.",
          },
        );
      throw e;
    }
  });

  r.get("/connections/:id/checklist", { schema: { tags: ["connections"], params } }, async (req) => {
    const row = await findConnection(platform, req.projectId, req.params.id);
    if (!row) throw notFound("connection", req.params.id);
    const run = await latestChecklistRun(platform, req.projectId, row.id);
    if (!run)
      throw new HttpError(404, "not_found", `The checklist has not been run for connection '${row.id}' yet.`, {
        remedy: `Run it with POST /v1/connections/${row.id}/checklist.`,
      });
    return run;
  });
}
