import { type ConnectionChecklistRun, viewRun } from "../checklist/connection-checklist.ts";
import { type ConnectionRow, findConnection } from "../connections/connection-store.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import { openInstallation } from "../integrations/integration-store.ts";
import type { Platform } from "../platform/platform.ts";
import { failingCheck, provisionSubscriptions } from "./provision-subscriptions.ts";
import type { PauseCheck } from "./subscription-reports.ts";
import { getSubscription, pausedWithNewerRun, type SubscriptionRow } from "./subscription-store.ts";

/**
 * Resumes the paused subscriptions whose checks pass in a checklist run made after the pause (the
 * daily run, or one the builder or the customer ran after fixing the org): their objects are
 * selected again and they run from their checkpoint. One provisioning per installation.
 */
export async function resumeCleared(platform: Platform): Promise<void> {
  const done = new Set<string>();
  for (const { row, run: stored } of await pausedWithNewerRun(platform)) {
    if (done.has(row.installationId)) continue;
    const run = viewRun(stored);
    if (failingCheck(run)) continue;
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

/**
 * A builder's "resume" (the API, the console): the checklist runs now and, when the subscription's
 * checks pass, it runs again from its checkpoint; one that is not paused is left as it is. Throws
 * 404 for a subscription that is not the connection's, 409 `subscription_still_paused` with the
 * failing check and its remedy otherwise.
 */
export async function resumeNow(
  platform: Platform,
  conn: ConnectionRow,
  subscriptionId: string,
): Promise<SubscriptionRow> {
  const row = await getSubscription(platform, subscriptionId);
  if (!row || row.connectionId !== conn.id) throw notFound("subscription", subscriptionId);
  if (row.state !== "paused") return row;
  const after = await reprovision(platform, row);
  if (!after) throw notFound("subscription", subscriptionId);
  if (after.state !== "paused") return after;
  const check = (after.pausedCheck as PauseCheck | null) ?? undefined;
  throw new HttpError(
    409,
    "subscription_still_paused",
    `The subscription to ${after.object} cannot run yet: ${(after.stateReason ?? "a check fails").replace(/\.?$/, ".")}`,
    {
      remedy: check
        ? `Have the customer's admin follow the check's remedy (${check.id}), then resume again.`
        : "Fix what the reason names in the org, then resume again.",
      ...(check ? { check } : {}),
    },
  );
}
