import type { Job, JobResult, JobWithMetadata } from "pg-boss";
import { Agent, request } from "undici";
import type { ActivityEntry, Platform } from "../platform/platform.ts";
import {
  type AttemptResult,
  deliverySettings,
  describeRequestError,
  judgeResponse,
  settleAttempt,
} from "./delivery-policy.ts";
import { DELIVERY_DEAD_LETTER_QUEUE, DELIVERY_QUEUE, type DeliveryJob, enqueueDeliveries } from "./delivery-queue.ts";
import { failWithoutAttempt, loadDelivery, neverAttemptedDeliveries, recordAttempt } from "./delivery-store.ts";
import { endpointForDelivery } from "./endpoints.ts";
import { TEST_EVENT_TYPE } from "./event-types.ts";
import {
  DELIVERY_ID_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
} from "./signing.ts";

/** A delivery never attempted this long after it was recorded is checked by the recovery sweep. */
const RECOVERY_AGE_MS = 10 * 60_000;
const RECOVERY_INTERVAL_MS = 5 * 60_000;
const RECOVERY_BATCH = 500;
/** Receivers' answers are read and dropped; nothing of them is stored but the status code. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = "Forcelink-Webhooks/1";

/**
 * Starts sending webhook deliveries in this process: every process that runs `startServer` (or
 * `forcelink worker`) calls it once; any number of processes share the queue.
 */
export async function startWebhookWorker(platform: Platform): Promise<void> {
  const { boss, logger } = platform;
  const settings = deliverySettings(platform);
  // One keep-alive pool for every endpoint this process sends to.
  const agent = new Agent({ keepAliveTimeout: 10_000, connect: { timeout: settings.timeoutMs } });

  await boss.work(
    DELIVERY_QUEUE,
    {
      batchSize: settings.batchSize,
      burstWhenBatchFull: true,
      pollingIntervalSeconds: settings.pollingIntervalSeconds,
      // New deliveries are notified (woken at once); a retry is not, and may be due at once
      // (retryDelaySeconds 0, which can be set after the worker started): the poll stays as it was.
      notifyPollingIntervalSeconds: settings.pollingIntervalSeconds,
      includeMetadata: true,
      perJobResults: true,
    },
    (jobs: JobWithMetadata<DeliveryJob>[]) => Promise.all(jobs.map((job) => runDeliveryJob(platform, agent, job))),
  );
  await boss.work(
    DELIVERY_DEAD_LETTER_QUEUE,
    { batchSize: settings.batchSize, pollingIntervalSeconds: Math.max(settings.pollingIntervalSeconds, 5) },
    async (jobs: Job<DeliveryJob>[]) => {
      for (const job of jobs) {
        await failWithoutAttempt(
          platform.db,
          job.data.deliveryId,
          "The last attempt did not finish (the process stopped, the attempt outlived its job, or the store failed); no attempts remain.",
          platform.clock.now(),
        );
      }
    },
  );

  const sweep = () =>
    requeueNeverAttempted(platform).catch((err: unknown) => logger.error({ err }, "webhook recovery sweep failed"));
  void sweep();
  const timer = setInterval(sweep, RECOVERY_INTERVAL_MS);
  timer.unref();
  boss.once("stopped", () => {
    clearInterval(timer);
    void agent.close().catch(() => undefined);
  });
}

/** Enqueues deliveries whose job was never queued; returns how many it looked at. */
export async function requeueNeverAttempted(platform: Platform, now = platform.clock.now()): Promise<number> {
  const rows = await neverAttemptedDeliveries(platform.db, new Date(now.getTime() - RECOVERY_AGE_MS), RECOVERY_BATCH);
  await enqueueDeliveries(
    platform,
    rows.map((r) => r.id),
  );
  return rows.length;
}

async function runDeliveryJob(platform: Platform, agent: Agent, job: JobWithMetadata<DeliveryJob>): Promise<JobResult> {
  const { db, sealer, logger } = platform;
  try {
    const delivery = await loadDelivery(db, job.data.deliveryId);
    // Deleted with its endpoint, or settled by an earlier run of this job: nothing to send.
    if (delivery?.status !== "pending") return { id: job.id, status: "completed" };
    const endpoint = await endpointForDelivery(db, sealer, delivery.endpointId, platform.clock.now());
    if (!endpoint) return { id: job.id, status: "completed" };
    if (!endpoint.enabled && delivery.eventType !== TEST_EVENT_TYPE) {
      await failWithoutAttempt(
        db,
        delivery.id,
        "The endpoint was disabled before this delivery was sent.",
        platform.clock.now(),
      );
      return { id: job.id, status: "completed" };
    }
    const event = delivery.payload;
    // The row's JSON comes back with its keys reordered; send the envelope in its documented order.
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      createdAt: event.createdAt,
      projectId: event.projectId,
      data: event.data,
    });
    const timestamp = Math.floor(platform.clock.nowMs() / 1000);
    const headers = {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      [SIGNATURE_HEADER]: signatureHeader(endpoint.secrets, timestamp, body),
      [EVENT_ID_HEADER]: event.id,
      [EVENT_TYPE_HEADER]: event.type,
      [DELIVERY_ID_HEADER]: delivery.id,
      "Forcelink-Delivery-Attempt": String(job.retryCount + 1),
    };
    const timeoutMs = deliverySettings(platform).timeoutMs;
    const result = await post(agent, endpoint.url, headers, body, timeoutMs, job.signal);
    const decision = settleAttempt(result, job);
    await recordAttempt(db, delivery.id, result, decision.status, platform.clock.now());
    const fields = {
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      eventType: event.type,
      attempt: job.retryCount + 1,
      statusCode: result.statusCode,
      ...(result.ok ? {} : { error: result.error }),
    };
    await platform.activity.record(deliveryActivity(event.projectId, event, fields, decision));
    if (decision.status === "delivered") {
      logger.info(fields, "webhook delivered");
      return { id: job.id, status: "completed" };
    }
    logger.warn(
      fields,
      decision.retry ? "webhook attempt failed; will retry" : "webhook delivery failed; no attempts remain",
    );
    return { id: job.id, status: "failed", output: { error: result.ok ? null : result.error } };
  } catch (err) {
    // Our side failed (the store, most likely): pg-boss retries the job as it would a failed attempt.
    logger.error({ err, deliveryId: job.data.deliveryId }, "webhook delivery job failed");
    return { id: job.id, status: "failed", output: { error: "internal error; see the server log" } };
  }
}

async function post(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  jobSignal: AbortSignal,
): Promise<AttemptResult> {
  try {
    const res = await request(url, {
      method: "POST",
      headers,
      body,
      dispatcher: agent,
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), jobSignal]),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    // undici's request never follows redirects; judgeResponse refuses them.
    await res.body.dump({ limit: MAX_RESPONSE_BYTES }).catch(() => undefined);
    const location = res.headers.location;
    return judgeResponse(res.statusCode, Array.isArray(location) ? location[0] : location);
  } catch (err) {
    return { ok: false, statusCode: null, error: describeRequestError(err, timeoutMs) };
  }
}

/** The activity row of one delivery attempt, on the connection the event is about when it names one. */
function deliveryActivity(
  projectId: string,
  event: { type: string; data?: unknown },
  fields: { deliveryId: string; endpointId: string; attempt: number; statusCode: number | null; error?: string },
  decision: { status: string; retry?: boolean },
): ActivityEntry {
  const data = (event.data ?? {}) as { connectionId?: unknown };
  const connectionId = typeof data.connectionId === "string" ? data.connectionId : null;
  const answer = fields.statusCode ? `HTTP ${fields.statusCode}` : (fields.error ?? "no answer");
  const delivered = decision.status === "delivered";
  return {
    projectId,
    connectionId,
    kind: "webhook_delivery",
    level: delivered ? "info" : decision.retry ? "warn" : "error",
    message: delivered
      ? `Delivered ${event.type} (attempt ${fields.attempt})`
      : `Delivering ${event.type} failed (attempt ${fields.attempt}, ${answer}); ${decision.retry ? "will retry" : "no attempts remain"}`,
    details: {
      eventType: event.type,
      ...fields,
      outcome: delivered ? "delivered" : decision.retry ? "retrying" : "failed",
    },
  };
}
