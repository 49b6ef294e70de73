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

/** Records a recovery on the subscription, its activity row and `subscription.recovered`. */
export async function reportRecovery(
  platform: Platform,
  row: SubscriptionRow,
  conn: ConnectionRow,
  recovery: { reason: "gap" | "overflow" | "replay_id_invalid"; records: number },
): Promise<void> {
  const at = platform.clock.now().toISOString();
  await addRecovery(platform, row, { ...recovery, at });
  const data = {
    connectionId: conn.id,
    endUserId: conn.endUserId,
    subscriptionId: row.id,
    object: row.object,
    ...recovery,
  };
  await emitEvent(platform, conn.projectId, "subscription.recovered", data).catch((err: unknown) =>
    platform.logger.error({ err }, "could not queue the subscription webhook"),
  );
  await platform.activity.record({
    projectId: conn.projectId,
    connectionId: conn.id,
    kind: "subscription",
    level: "warn",
    message: `Subscription to ${row.object} recovered (${recovery.reason}): ${recovery.records} records read by query`,
    details: { subscriptionId: row.id, object: row.object, event: "recovered", ...recovery },
  });
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
  const data = {
    connectionId: conn.id,
    endUserId: conn.endUserId,
    subscriptionId: row.id,
    object: row.object,
    reason: pause.reason,
    ...(pause.check ? { check: pause.check } : {}),
  };
  await emitEvent(platform, conn.projectId, "subscription.paused", data).catch((err: unknown) =>
    platform.logger.error({ err }, "could not queue the subscription webhook"),
  );
  await platform.activity.record({
    projectId: conn.projectId,
    connectionId: conn.id,
    kind: "subscription",
    level: "error",
    message: `Subscription to ${row.object} paused: ${pause.message}`,
    details: { subscriptionId: row.id, object: row.object, event: "paused", reason: pause.reason },
  });
}

/** A paused subscription may run again (its checks pass now): `subscription.resumed` goes out. */
export async function resumeSubscription(platform: Platform, row: SubscriptionRow, conn: ConnectionRow): Promise<void> {
  await updateSubscription(platform, row.id, { state: "starting", stateReason: null, pausedCheck: null });
  const data = {
    connectionId: conn.id,
    endUserId: conn.endUserId,
    subscriptionId: row.id,
    object: row.object,
    reason: "checks_pass",
  };
  await emitEvent(platform, conn.projectId, "subscription.resumed", data).catch((err: unknown) =>
    platform.logger.error({ err }, "could not queue the subscription webhook"),
  );
  await platform.activity.record({
    projectId: conn.projectId,
    connectionId: conn.id,
    kind: "subscription",
    level: "info",
    message: `Subscription to ${row.object} resumed: the checks that paused it pass`,
    details: { subscriptionId: row.id, object: row.object, event: "resumed" },
  });
}
