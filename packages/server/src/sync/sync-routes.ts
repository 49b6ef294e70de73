import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findConnection } from "../connections/connection-store.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import { findSyncTarget } from "../integrations/integration-store.ts";
import type { Platform } from "../platform/platform.ts";
import { recordChanges } from "./destinations/records-destination.ts";
import { runSyncNow, setSyncPaused } from "./sync-control.ts";
import { listRuns, runView, statesOf, stateView } from "./sync-store.ts";

const params = z.object({ id: z.string().min(1).max(200) });
const objectParams = params.extend({ object: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/) });
const tags = ["syncs"];

/** A sync run of one object, as the API, the webhooks and the SDK show it. */
export const syncRunSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  installationId: z.string(),
  object: z.string(),
  trigger: z.string().describe("schedule, manual or install"),
  status: z.string().describe("queued, running, completed, failed or paused"),
  mode: z.string().nullable().describe("How the run read the org: rest or bulk"),
  window: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  counts: z.object({ read: z.number().int(), upserted: z.number().int(), deleted: z.number().int() }),
  apiCalls: z.number().int(),
  drift: z.record(z.string(), z.unknown()).nullable(),
  error: z.record(z.string(), z.unknown()).nullable().describe("Why the run failed or paused: code, message, check"),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});
const syncStateSchema = z.object({
  object: z.string(),
  installationId: z.string(),
  status: z.string().describe("idle, running, paused or failed"),
  statusReason: z.string().nullable(),
  resumeAt: z.string().nullable(),
  checkpoint: z
    .object({ field: z.string().nullable(), value: z.string(), id: z.string().nullable() })
    .nullable()
    .describe("Where the next run starts reading"),
  backfillDone: z.boolean(),
  lastRunId: z.string().nullable(),
  pausedAt: z
    .string()
    .nullable()
    .describe("When the object's sync was paused (POST …/pause); null while it runs on its schedule"),
});
const runAnswer = z.object({
  queued: z.boolean().describe("false when a run already queued or running answers this request"),
  installationId: z.string(),
  object: z.string(),
  run: syncRunSchema,
});

/**
 * Sync visibility and control: where each object stands, the runs with their counts and costs,
 * a run on demand, and the records API that serves the `records` destination.
 */
export function registerSyncRoutes(app: FastifyInstance, platform: Platform): void {
  registerSyncControlRoutes(app, platform);
  registerPauseRoutes(app, platform);
  registerRecordsRoute(app, platform);
}

async function connectionOr404(platform: Platform, projectId: string, id: string) {
  const conn = await findConnection(platform, projectId, id);
  if (!conn) throw notFound("connection", id);
  return conn;
}

/** The installed integration that syncs `object` on the connection, and the object's spelling there. */
async function syncedObject(platform: Platform, connectionId: string, object: string) {
  const found = await findSyncTarget(platform, connectionId, object);
  if (found) return found;
  throw notSynced(object);
}

function notSynced(object: string) {
  return new HttpError(404, "object_not_synced", `No integration installed on this connection syncs ${object}.`, {
    remedy: "Install an integration whose manifest lists the object: POST /v1/connections/{id}/integrations.",
  });
}

/** Where each object stands, a run on demand, and the runs with their counts and costs. */
function registerSyncControlRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/connections/:id/syncs",
    {
      schema: {
        tags,
        summary: "Where each synced object stands",
        params,
        response: { 200: z.object({ data: z.array(syncStateSchema) }) },
      },
    },
    async (req) => {
      const conn = await connectionOr404(platform, req.projectId, req.params.id);
      return { data: (await statesOf(platform, conn.id)).map(stateView) };
    },
  );

  r.post(
    "/connections/:id/syncs/:object",
    {
      schema: {
        tags,
        summary: "Run an object's sync now",
        description: "202 with the queued run; 200 with the run already queued or running.",
        params: objectParams,
        response: { 200: runAnswer, 202: runAnswer },
      },
    },
    async (req, reply) => {
      const conn = await connectionOr404(platform, req.projectId, req.params.id);
      const outcome = await runSyncNow(platform, conn, req.params.object);
      if (outcome.status === "not_synced") throw notSynced(req.params.object);
      if (outcome.status === "paused")
        throw new HttpError(409, "sync_paused", `The sync of ${req.params.object} is paused on this connection.`, {
          remedy: "Resume it in the console (the connection's Syncs page), then ask for the run again.",
        });
      if (outcome.status !== "queued" && outcome.status !== "already_queued") throw new Error("unexpected outcome");
      const answer = {
        queued: outcome.status === "queued",
        installationId: outcome.installationId,
        object: outcome.object,
        run: runView(outcome.run),
      };
      // A run already queued or running is the answer to this request too: 200 and its id.
      return reply.status(outcome.status === "queued" ? 202 : 200).send(answer);
    },
  );

  r.get(
    "/connections/:id/sync-runs",
    {
      schema: {
        tags,
        summary: "The connection's sync runs, newest first",
        params,
        querystring: z.object({
          object: z.string().max(80).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ data: z.array(syncRunSchema) }) },
      },
    },
    async (req) => {
      const conn = await connectionOr404(platform, req.projectId, req.params.id);
      const runs = await listRuns(platform, req.projectId, { connectionId: conn.id, ...req.query });
      return { data: runs.map(runView) };
    },
  );
}

/** The records API that serves the `records` destination. */
function registerRecordsRoute(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/connections/:id/records/:object",
    {
      schema: {
        tags,
        summary: "What changed in an object's records (the records destination), after a cursor",
        params: objectParams,
        querystring: z.object({
          cursor: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            object: z.string(),
            records: z.array(
              z.object({
                id: z.string(),
                deleted: z.boolean(),
                deletedAt: z.string().nullable(),
                data: z.record(z.string(), z.unknown()).nullable(),
              }),
            ),
            nextCursor: z.string().describe("Pass it back for what changed after this page"),
            hasMore: z.boolean(),
          }),
        },
      },
    },
    async (req) => {
      const conn = await connectionOr404(platform, req.projectId, req.params.id);
      const { spec, integration } = await syncedObject(platform, conn.id, req.params.object);
      if (!spec.destinations.some((d) => integration.manifest.destinations[d]?.type === "records"))
        throw new HttpError(404, "records_not_kept", `${spec.name} is not synced into the records destination.`, {
          remedy: 'Add a destination of type "records" to the manifest and list it on the object.',
        });
      const after = decodeCursor(req.query.cursor);
      const page = await recordChanges(platform.db, conn.id, spec.name, after, req.query.limit);
      return {
        object: spec.name,
        records: page.records,
        // Pass it back to get what changed after this page; the same cursor again when nothing did.
        nextCursor: encodeCursor(page.last ?? after),
        hasMore: page.records.length === req.query.limit,
      };
    },
  );
}

function encodeCursor(change: number): string {
  return Buffer.from(`c:${change}`).toString("base64url");
}

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^c:(\d{1,18})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m)
    throw new HttpError(400, "invalid_cursor", "The cursor is not one this API gave out.", {
      remedy: "Pass the nextCursor of a previous answer, or no cursor to start from the beginning.",
    });
  return Number(m[1]);
}

/** Pause and resume one object's sync: while paused, its schedule and asked-for runs are skipped. */
function registerPauseRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const [action, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    r.post(
      `/connections/:id/syncs/:object/${action}`,
      {
        schema: {
          tags: ["syncs"],
          summary: paused
            ? "Pause one object's sync: scheduled and asked-for runs are skipped until it is resumed"
            : "Resume a paused object's sync",
          params: objectParams,
          response: { 200: z.object({ object: z.string(), installationId: z.string(), paused: z.boolean() }) },
        },
      },
      async (req) => {
        const conn = await connectionOr404(platform, req.projectId, req.params.id);
        const outcome = await setSyncPaused(platform, conn, req.params.object, paused);
        if (outcome.status !== "paused_now" && outcome.status !== "resumed") throw notSynced(req.params.object);
        return { object: outcome.object, installationId: outcome.installationId, paused };
      },
    );
  }
}
