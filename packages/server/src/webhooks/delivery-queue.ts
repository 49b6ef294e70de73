import type { PgBoss } from "pg-boss";
import { createNotifyingQueue } from "../jobs/job-queue.ts";
import type { Platform } from "../platform/platform.ts";
import { deliverySettings, jobRetryOptions } from "./delivery-policy.ts";
import { jobIdFor } from "./delivery-store.ts";

/** One job per delivery; the job only names the delivery, whose row holds the payload and outcome. */
export const DELIVERY_QUEUE = "webhook-delivery";
/**
 * pg-boss copies a job here when it fails for good, including when a process died during the last
 * attempt and the job expired: the dead-letter worker then settles a delivery left pending.
 */
export const DELIVERY_DEAD_LETTER_QUEUE = "webhook-delivery-dead";

export interface DeliveryJob {
  deliveryId: string;
}

/** The delivery queues; `openPlatform` creates them once when the process starts (createQueue keeps an existing one). */
export async function createDeliveryQueues(boss: PgBoss): Promise<void> {
  await boss.createQueue(DELIVERY_DEAD_LETTER_QUEUE);
  await createNotifyingQueue(boss, DELIVERY_QUEUE);
}

/** Enqueues one job per delivery; a delivery already enqueued is not enqueued twice. */
export async function enqueueDeliveries(platform: Platform, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  const options = jobRetryOptions(deliverySettings(platform));
  await platform.boss.insert(
    DELIVERY_QUEUE,
    deliveryIds.map((deliveryId) => ({
      id: jobIdFor(deliveryId),
      data: { deliveryId } satisfies DeliveryJob,
      deadLetter: DELIVERY_DEAD_LETTER_QUEUE,
      ...options,
    })),
  );
}
