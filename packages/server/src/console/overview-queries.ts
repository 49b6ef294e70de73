import { and, count, desc, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Platform } from "../platform/platform.ts";
import { checklistRuns, connections, syncStates, webhookDeliveries } from "../store/schema.ts";

/** What the overview counts and lists for a project: read-only views over the capabilities' tables. */
export async function connectionsByStatus(platform: Platform, projectId: string) {
  return platform.db
    .select({ status: connections.status, n: count() })
    .from(connections)
    .where(eq(connections.projectId, projectId))
    .groupBy(connections.status);
}

/** Connections whose latest checklist run failed. */
export async function failingChecklists(platform: Platform, projectId: string) {
  const latest = platform.db
    .selectDistinctOn([checklistRuns.connectionId], {
      connectionId: checklistRuns.connectionId,
      passed: checklistRuns.passed,
      ranAt: checklistRuns.ranAt,
      results: checklistRuns.results,
    })
    .from(checklistRuns)
    .where(eq(checklistRuns.projectId, projectId))
    .orderBy(checklistRuns.connectionId, desc(checklistRuns.ranAt), desc(checklistRuns.id))
    .as("latest");
  const rows = await platform.db
    .select({
      connectionId: latest.connectionId,
      ranAt: latest.ranAt,
      results: latest.results,
      endUserId: connections.endUserId,
    })
    .from(latest)
    .innerJoin(connections, eq(connections.id, latest.connectionId))
    .where(eq(latest.passed, false));
  return rows.map((r) => ({
    ...r,
    failing: ((r.results as Array<{ title: string; verdict: string }>) ?? []).filter((c) => c.verdict === "fail"),
  }));
}

/** Object syncs paused (by the builder or for the quota) or failing. */
export async function syncsNeedingAttention(platform: Platform, projectId: string) {
  return platform.db
    .select({
      connectionId: syncStates.connectionId,
      object: syncStates.object,
      status: syncStates.status,
      statusReason: syncStates.statusReason,
      pausedAt: syncStates.pausedAt,
    })
    .from(syncStates)
    .where(
      and(
        eq(syncStates.projectId, projectId),
        or(inArray(syncStates.status, ["paused", "failed"]), isNotNull(syncStates.pausedAt)),
      ),
    )
    .orderBy(syncStates.connectionId, syncStates.object)
    .limit(100);
}

/** Deliveries that failed for good in the last day, newest first. */
export async function recentWebhookFailures(platform: Platform, projectId: string) {
  const since = new Date(platform.clock.nowMs() - 24 * 3600_000);
  return platform.db
    .select({
      id: webhookDeliveries.id,
      endpointId: webhookDeliveries.endpointId,
      eventType: webhookDeliveries.eventType,
      lastError: webhookDeliveries.lastError,
      lastStatusCode: webhookDeliveries.lastStatusCode,
      updatedAt: webhookDeliveries.updatedAt,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.projectId, projectId),
        eq(webhookDeliveries.status, "failed"),
        gt(webhookDeliveries.updatedAt, since),
      ),
    )
    .orderBy(desc(webhookDeliveries.updatedAt))
    .limit(20);
}
