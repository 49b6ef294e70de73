import { type ConnectionChecklistRun, latestChecklistRun } from "../checklist/connection-checklist.ts";
import { findConnection } from "../connections/connection-store.ts";
import { openInstallation } from "../integrations/integration-store.ts";
import type { Platform } from "../platform/platform.ts";
import { failingCheck, provisionSubscriptions } from "./provision-subscriptions.ts";
import { getSubscription, pausedSubscriptions, type SubscriptionRow } from "./subscription-store.ts";

/**
 * Resumes the paused subscriptions whose checks pass in a checklist run made after the pause (the
 * daily run, or one the builder or the customer ran after fixing the org): their objects are
 * selected again and they run from their checkpoint. One provisioning per installation.
 */
export async function resumeCleared(platform: Platform): Promise<void> {
  const done = new Set<string>();
  for (const row of await pausedSubscriptions(platform)) {
    if (done.has(row.installationId)) continue;
    const run = await latestChecklistRun(platform, row.projectId, row.connectionId);
    if (!run || Date.parse(run.ranAt) <= row.updatedAt.getTime() || failingCheck(run)) continue;
    done.add(row.installationId);
    await reprovision(platform, row, run);
  }
}

/**
 * Runs the subscription's installation through provisioning again, with `run` or a checklist
 * run made now: a paused subscription whose checks pass resumes. Answers the subscription after it.
 */
export async function reprovision(
  platform: Platform,
  row: SubscriptionRow,
  run?: ConnectionChecklistRun,
): Promise<SubscriptionRow | undefined> {
  const opened = await openInstallation(platform, row.installationId);
  const conn = await findConnection(platform, row.projectId, row.connectionId);
  if (!opened || !conn) return undefined;
  await provisionSubscriptions(platform, { ...opened, conn }, run ? { run } : {});
  return getSubscription(platform, row.id);
}
