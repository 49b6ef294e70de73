import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { HttpError } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { ACTIVITY_KIND_NAMES, ACTIVITY_LEVELS } from "./activity-kinds.ts";
import { type ActivityRow, activityPage } from "./activity-store.ts";

const activityView = z.object({
  id: z.string(),
  connectionId: z.string().nullable(),
  kind: z.enum(ACTIVITY_KIND_NAMES),
  level: z.enum(ACTIVITY_LEVELS),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  at: z.string().describe("When it happened (ISO 8601)"),
});

const activityQuery = z
  .object({
    connectionId: z.string().min(1).max(100).optional().describe("Only this connection's rows"),
    kind: z.enum(ACTIVITY_KIND_NAMES).optional(),
    level: z.enum(ACTIVITY_LEVELS).optional().describe("Only rows of exactly this level"),
    cursor: z.string().max(40).optional().describe("The nextCursor of the previous page"),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** `GET /v1/activity`: the project's activity log, newest first, a page at a time. */
export function registerActivityRoutes(app: FastifyInstance, platform: Platform): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/activity",
    {
      schema: {
        tags: ["activity"],
        summary: "The activity log, newest first: refreshes, connects, checklist and sync runs, writes, deliveries",
        querystring: activityQuery,
        response: { 200: z.object({ data: z.array(activityView), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { connectionId, kind, level, limit } = req.query;
      const rows = await activityPage(platform, req.projectId, {
        connectionId,
        kind,
        level,
        beforeSeq: position(req.query.cursor),
        limit,
      });
      const last = rows.at(-1);
      return {
        data: rows.map(viewOf),
        nextCursor: rows.length === limit && last ? Buffer.from(`a:${last.seq}`).toString("base64url") : null,
      };
    },
  );
}

function viewOf(row: ActivityRow): z.infer<typeof activityView> {
  return {
    id: row.id,
    connectionId: row.connectionId,
    kind: row.kind as z.infer<typeof activityView>["kind"],
    level: row.level as z.infer<typeof activityView>["level"],
    message: row.message,
    details: row.details,
    at: row.at.toISOString(),
  };
}

function position(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  const m = /^a:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m)
    throw new HttpError(400, "invalid_cursor", "The cursor is not one this API gave out.", {
      remedy: "Pass the nextCursor of a previous answer, or no cursor to start from the newest row.",
    });
  return Number(m[1]);
}
