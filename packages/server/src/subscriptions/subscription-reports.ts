import type { ConnectionRow } from "../connections/connection-store.ts";
import type { Platform } from "../platform/platform.ts";
import { emitEvent } from "../webhooks/emit.ts";
import { addRecovery, type SubscriptionRow, updateSubscription } from "./subscription-store.ts";

/** The checklist check that explains a pause, as events and the API show it. */
export interface PauseCheck {
  id: string;
  title: string;
  remedy: string[];
  checklist: boolean;
  reason?: string;
}

/** The webhook event and the activity row of one thing that happened to a subscription. */
async function announce(
  platform: Platform,
  row: SubscriptionRow,
  conn: ConnectionRow,
  event: { type: "recovered" | "paused" | "resumed"; data: Record<string, unknown> },
  activity: { level: "info" | "warn" | "error"; message: string },
): Promise<void> {
  const data = { connectionId: conn.id, endUserId: conn.endUserId, subscriptionId: row.id, object: row.object };
  await emitEvent(platform, conn.projectId, `subscription.${event.type}`, { ...data, ...event.data }).catch(
    (err: unknown) => platform.logger.error({ err }, "could not queue the subscription webhook"),
  );
  const { check: _check, ...details } = event.data;
  await platform.activity.record({
    projectId: conn.projectId,
    connectionId: conn.id,
    kind: "subscription",
    ...activity,
    details: { subscriptionId: row.id, object: row.object, event: event.type, ...details },
  });
}

/** Records a recovery on the subscription, its activity row and `subscription.recovered`. */
export async function reportRecovery(
  platform: Platform,
  row: SubscriptionRow,
  conn: ConnectionRow,
  recovery: { reason: "gap" | "overflow" | "replay_id_invalid"; records: number },
): Promise<void> {
  await addRecovery(platform, row, { ...recovery, at: platform.clock.now().toISOString() });
  await announce(
    platform,
    row,
    conn,
    { type: "recovered", data: recovery },
    {
      level: "warn",
      message: `Subscription to ${row.object} recovered (${recovery.reason}): ${recovery.records} records read by query`,
    },
  );
}

/** Pauses the subscription with the check that explains it; `subscription.paused` goes out. */
export async function pauseSubscription(
  platform: Platform,
  row: SubscriptionRow,
  conn: ConnectionRow,
  pause: { reason: string; message: string; check?: PauseCheck },
): Promise<void> {
  await updateSubscription(platform, row.id, {
    state: "paused",
    stateReason: pause.message,
    pausedCheck: (pause.check ?? null) as Record<string, unknown> | null,
  });
  await announce(
    platform,
    row,
    conn,
    { type: "paused", data: { reason: pause.reason, ...(pause.check ? { check: pause.check } : {}) } },
    { level: "error", message: `Subscription to ${row.object} paused: ${pause.message}` },
  );
}

/** A paused subscription may run again (its checks pass now): `subscription.resumed` goes out. */
export async function resumeSubscription(platform: Platform, row: SubscriptionRow, conn: ConnectionRow): Promise<void> {
  await updateSubscription(platform, row.id, { state: "starting", stateReason: null, pausedCheck: null });
  await announce(
    platform,
    row,
    conn,
    { type: "resumed", data: { reason: "checks_pass" } },
    { level: "info", message: `Subscription to ${row.object} resumed: the checks that paused it pass` },
  );
}
