import { createHash } from "node:crypto";
import { and, desc, eq, inArray, lt, ne, sql } from "drizzle-orm";
import type { Db } from "../store/database.ts";
import { webhookDeliveries } from "../store/schema.ts";
import type { AttemptResult, DeliveryStatus } from "./delivery-policy.ts";

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const satisfies readonly DeliveryStatus[];

/** The event as sent, byte for byte the same on every attempt of a delivery. */
export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  projectId: string;
  data: Record<string, unknown>;
}

export interface NewDelivery {
  id: string;
  projectId: string;
  endpointId: string;
  event: WebhookEvent;
}

/**
 * The pg-boss job id of a delivery, derived from it: enqueueing the same delivery twice inserts one
 * job (pg-boss skips a conflicting id), which makes the recovery sweep safe to run from every process.
 */
export function jobIdFor(deliveryId: string): string {
  const h = createHash("sha256").update(`webhook-delivery:${deliveryId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x80; // version 8: a custom, name-derived UUID
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function insertDeliveries(db: Db, deliveries: NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await db.insert(webhookDeliveries).values(
    deliveries.map((d) => ({
      id: d.id,
      projectId: d.projectId,
      endpointId: d.endpointId,
      eventId: d.event.id,
      eventType: d.event.type,
      payload: d.event,
      status: "pending",
    })),
  );
}

const deliveryView = {
  id: webhookDeliveries.id,
  endpointId: webhookDeliveries.endpointId,
  eventId: webhookDeliveries.eventId,
  eventType: webhookDeliveries.eventType,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  createdAt: webhookDeliveries.createdAt,
  lastAttemptAt: webhookDeliveries.lastAttemptAt,
  deliveredAt: webhookDeliveries.deliveredAt,
  updatedAt: webhookDeliveries.updatedAt,
};

/** Newest first. */
export function listDeliveries(
  db: Db,
  projectId: string,
  endpointId: string,
  options: { status?: DeliveryStatus; limit: number },
) {
  return db
    .select(deliveryView)
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.projectId, projectId),
        eq(webhookDeliveries.endpointId, endpointId),
        options.status ? eq(webhookDeliveries.status, options.status) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(options.limit);
}

export async function loadDelivery(db: Db, id: string) {
  const [row] = await db
    .select({
      id: webhookDeliveries.id,
      projectId: webhookDeliveries.projectId,
      endpointId: webhookDeliveries.endpointId,
      eventId: webhookDeliveries.eventId,
      eventType: webhookDeliveries.eventType,
      payload: webhookDeliveries.payload,
      status: webhookDeliveries.status,
    })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.id, id));
  return row ? { ...row, payload: row.payload as WebhookEvent } : null;
}

/** Counts the attempt and records its outcome; a delivery already settled is left alone. */
export async function recordAttempt(
  db: Db,
  id: string,
  result: AttemptResult,
  status: DeliveryStatus,
  at: Date,
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      status,
      lastStatusCode: result.statusCode,
      lastError: result.ok ? null : result.error,
      lastAttemptAt: at,
      deliveredAt: status === "delivered" ? at : null,
      updatedAt: at,
    })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, "pending")));
}

/** Settles a delivery as failed without an attempt (endpoint disabled, job lost). */
export async function failWithoutAttempt(db: Db, id: string, error: string, at: Date): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: "failed", lastError: error, updatedAt: at })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, "pending")));
}

/**
 * Deliveries recorded but never attempted since `before`: their job may never have been enqueued
 * (the process stopped between the two writes). Enqueueing them again is harmless (see jobIdFor).
 */
export function neverAttemptedDeliveries(db: Db, before: Date, limit: number) {
  return db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        eq(webhookDeliveries.attempts, 0),
        lt(webhookDeliveries.createdAt, before),
      ),
    )
    .orderBy(webhookDeliveries.createdAt)
    .limit(limit);
}

/** Deletes up to `limit` settled deliveries made before `before` (retention); answers how many. */
export async function deleteSettledDeliveriesBefore(db: Db, before: Date, limit: number): Promise<number> {
  const old = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(ne(webhookDeliveries.status, "pending"), lt(webhookDeliveries.createdAt, before)))
    .limit(limit);
  const ids = old.map((r) => r.id);
  if (ids.length > 0) await db.delete(webhookDeliveries).where(inArray(webhookDeliveries.id, ids));
  return ids.length;
}
