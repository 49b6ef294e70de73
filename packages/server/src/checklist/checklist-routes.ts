import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findConnection } from "../connections/connection-store.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { latestChecklistRun, runConnectionChecklist } from "./connection-checklist.ts";

const params = z.object({ id: z.string().min(1).max(200) });

const checkResultView = z.object({
  id: z.string(),
  title: z.string(),
  verdict: z.enum(["pass", "fail", "warn", "unknown"]),
  evidence: z.record(z.string(), z.unknown()).describe("What the verdict rests on, as read from the org"),
  reason: z.string().optional().describe("Why the verdict is unknown or fail, what a warn is about"),
  remedy: z.array(z.string()).optional().describe("Steps for the customer's admin, for every verdict but pass"),
});
/** A checklist run as the API, the CLI and the SDK show it. */
export const checklistRunView = z.object({
  id: z.string(),
  connectionId: z.string(),
  ranAt: z.string().describe("ISO 8601"),
  passed: z.boolean().describe("No check failed: warnings and unknowns do not fail a run"),
  summary: z.object({
    pass: z.number().int(),
    fail: z.number().int(),
    warn: z.number().int(),
    unknown: z.number().int(),
  }),
  checks: z.array(checkResultView),
  apiCalls: z.object({
    api: z.number().int().describe("REST and Tooling calls, counted against the daily quota"),
    oauth: z.number().int(),
  }),
});
const response = { 200: checklistRunView };

/** `/v1/connections/{id}/checklist`: runs the pre-install checklist against the connection's org. */
export function registerChecklistRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/connections/:id/checklist",
    { schema: { tags: ["connections"], summary: "Run the pre-install checklist against the org", params, response } },
    async (req) => {
      const row = await findConnection(platform, req.projectId, req.params.id);
      if (!row) throw notFound("connection", req.params.id);
      // A connection that needs the customer again throws ConnectionNeedsReauth: the one HTTP
      // mapping answers 409 with its check and remedy.
      return await runConnectionChecklist(platform, row);
    },
  );

  r.get(
    "/connections/:id/checklist",
    { schema: { tags: ["connections"], summary: "The latest checklist run", params, response } },
    async (req) => {
      const row = await findConnection(platform, req.projectId, req.params.id);
      if (!row) throw notFound("connection", req.params.id);
      const run = await latestChecklistRun(platform, req.projectId, row.id);
      if (!run)
        throw new HttpError(404, "not_found", `The checklist has not been run for connection '${row.id}' yet.`, {
          remedy: `Run it with POST /v1/connections/${row.id}/checklist.`,
        });
      return run;
    },
  );
}
