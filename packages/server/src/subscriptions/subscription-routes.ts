import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findConnection } from "../connections/connection-store.ts";
import { notFound } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { resumeNow } from "./resume-subscriptions.ts";
import { type SubscriptionRow, subscriptionsOf } from "./subscription-store.ts";
import { startSubscriptions } from "./subscription-supervisor.ts";

const params = z.object({ id: z.string().min(1).max(200) });
const tags = ["subscriptions"];

export const subscriptionSchema = z.object({
  id: z.string(),
  installationId: z.string(),
  object: z.string(),
  channel: z.string().describe("The Pub/Sub topic, e.g. /data/AccountChangeEvent"),
  state: z.enum(["starting", "running", "paused"]),
  stateReason: z.string().nullable(),
  check: z
    .object({
      id: z.string(),
      title: z.string(),
      remedy: z.array(z.string()),
      checklist: z.boolean(),
      reason: z.string().optional(),
    })
    .nullable()
    .describe("The checklist check that explains a pause, with its remedy"),
  replayId: z.string().nullable().describe("Base64 of the replay id of the last event every destination confirmed"),
  lastCommitAt: z.string().nullable().describe("Commit timestamp of the last confirmed event"),
  lagMs: z.number().int().nullable().describe("Now minus the last confirmed event's commit timestamp"),
  eventsDelivered: z.number().int(),
  lastKeepaliveAt: z.string().nullable(),
  recoveries: z
    .array(z.object({ reason: z.string(), at: z.string(), records: z.number().int() }))
    .describe("The latest recoveries, newest first: gap, overflow or replay_id_invalid"),
  leaseHeld: z.boolean().describe("Whether a process holds the subscription now"),
});

export function subscriptionView(row: SubscriptionRow, now: number): z.infer<typeof subscriptionSchema> {
  const leaseHeld = row.leaseExpiresAt !== null && row.leaseExpiresAt.getTime() > now;
  return {
    id: row.id,
    installationId: row.installationId,
    object: row.object,
    channel: row.channel,
    state: row.state === "paused" ? "paused" : row.state === "running" && leaseHeld ? "running" : "starting",
    stateReason: row.stateReason,
    check: (row.pausedCheck as z.infer<typeof subscriptionSchema>["check"]) ?? null,
    replayId: row.replayId,
    lastCommitAt: row.lastCommitAt?.toISOString() ?? null,
    lagMs: row.lastCommitAt ? Math.max(0, now - row.lastCommitAt.getTime()) : null,
    eventsDelivered: row.eventsDelivered,
    lastKeepaliveAt: row.lastKeepaliveAt?.toISOString() ?? null,
    recoveries: row.recoveries as z.infer<typeof subscriptionSchema>["recoveries"],
    leaseHeld,
  };
}

/** `GET /v1/connections/{id}/subscriptions`, and the subscribers of this process. */
export function registerSubscriptionRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/connections/:id/subscriptions",
    {
      schema: {
        tags,
        summary: "The connection's Change Data Capture subscriptions: state, checkpoint, lag, recoveries",
        params,
        response: { 200: z.object({ data: z.array(subscriptionSchema) }) },
      },
    },
    async (req) => {
      const conn = await findConnection(platform, req.projectId, req.params.id);
      if (!conn) throw notFound("connection", req.params.id);
      const now = platform.clock.nowMs();
      return { data: (await subscriptionsOf(platform, conn.id)).map((row) => subscriptionView(row, now)) };
    },
  );
  r.post(
    "/connections/:id/subscriptions/:subscriptionId/resume",
    {
      schema: {
        tags,
        summary:
          "Resume a paused subscription: the checklist runs now and, when its subscription checks pass, the object is selected again and the subscription runs from its checkpoint",
        params: params.extend({ subscriptionId: z.string().min(1).max(200) }),
        response: { 200: subscriptionSchema },
      },
    },
    async (req) => {
      const conn = await findConnection(platform, req.projectId, req.params.id);
      if (!conn) throw notFound("connection", req.params.id);
      return subscriptionView(await resumeNow(platform, conn, req.params.subscriptionId), platform.clock.nowMs());
    },
  );
  if (platform.config.sync.workers > 0) {
    const stop = startSubscriptions(platform);
    app.addHook("onClose", stop);
  }
}
