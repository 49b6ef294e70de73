import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import { checklistRuns, subscriptionMembers, subscriptions } from "../store/schema.ts";

export type SubscriptionRow = typeof subscriptions.$inferSelect;

/**
 * A lease runs out this long after its last renewal (FORCELINK_SUBSCRIPTION_LEASE_SECONDS, 30 s by
 * default): another process takes over within it.
 */
export const leaseMsOf = (platform: Pick<Platform, "config">): number => platform.config.subscriptions.leaseMs;
/** Recoveries kept on a subscription (newest first). */
const RECOVERIES_KEPT = 20;

type Store = Pick<Platform, "db" | "clock" | "config">;

/** The change-event channel of an object: /data/AccountChangeEvent, /data/Foo__ChangeEvent. */
export function channelOf(object: string): string {
  return `/data/${object.endsWith("__c") ? `${object.slice(0, -1)}ChangeEvent` : `${object}ChangeEvent`}`;
}

/** The subscription of an installation's object, created `starting` when there is none. */
export async function ensureSubscription(
  platform: Store,
  input: { projectId: string; installationId: string; connectionId: string; object: string },
): Promise<SubscriptionRow> {
  await platform.db
    .insert(subscriptions)
    .values({ id: newId("sub"), ...input, channel: channelOf(input.object) })
    .onConflictDoNothing();
  const [row] = await platform.db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.installationId, input.installationId), eq(subscriptions.object, input.object)));
  return row;
}

export async function subscriptionsOf(platform: Store, connectionId: string): Promise<SubscriptionRow[]> {
  return platform.db
    .select()
    .from(subscriptions)
    .where(eq(subscriptions.connectionId, connectionId))
    .orderBy(subscriptions.object);
}

export async function subscriptionsOfInstallation(platform: Store, installationId: string): Promise<SubscriptionRow[]> {
  return platform.db.select().from(subscriptions).where(eq(subscriptions.installationId, installationId));
}

/** Paused subscriptions, oldest pause first: the supervisor looks whether a newer checklist run clears them. */
/**
 * The paused subscriptions whose connection has a checklist run newer than the pause, each with
 * that connection's latest run: one query, so the periodic resume scan costs one statement.
 */
export async function pausedWithNewerRun(
  platform: Store,
): Promise<Array<{ row: SubscriptionRow; run: typeof checklistRuns.$inferSelect }>> {
  const found = await platform.db
    .selectDistinctOn([subscriptions.id], { row: subscriptions, run: checklistRuns })
    .from(subscriptions)
    .innerJoin(
      checklistRuns,
      and(
        eq(checklistRuns.connectionId, subscriptions.connectionId),
        eq(checklistRuns.projectId, subscriptions.projectId),
        gt(checklistRuns.ranAt, subscriptions.updatedAt),
      ),
    )
    .where(eq(subscriptions.state, "paused"))
    .orderBy(subscriptions.id, desc(checklistRuns.ranAt), desc(checklistRuns.id));
  return found.sort((a, b) => a.row.updatedAt.getTime() - b.row.updatedAt.getTime());
}

export async function deleteSubscription(platform: Store, id: string): Promise<void> {
  await platform.db.delete(subscriptions).where(eq(subscriptions.id, id));
}

export async function getSubscription(platform: Store, id: string): Promise<SubscriptionRow | undefined> {
  const [row] = await platform.db.select().from(subscriptions).where(eq(subscriptions.id, id));
  return row;
}

/** Subscriptions that may run and whose lease is free or ran out. */
export async function claimable(platform: Store): Promise<SubscriptionRow[]> {
  const now = platform.clock.now();
  return platform.db
    .select()
    .from(subscriptions)
    .where(
      and(
        sql`${subscriptions.state} <> 'paused'`,
        or(isNull(subscriptions.leaseExpiresAt), lt(subscriptions.leaseExpiresAt, now)),
      ),
    );
}

/**
 * Takes the lease when it is free or ran out, or renews it when `owner` holds it: one conditional
 * update, so two processes racing for it cannot both win. Answers whether `owner` holds it now.
 */
export async function takeLease(platform: Store, id: string, owner: string): Promise<boolean> {
  const now = platform.clock.now();
  const rows = await platform.db
    .update(subscriptions)
    .set({ leaseOwner: owner, leaseExpiresAt: new Date(now.getTime() + leaseMsOf(platform)) })
    .where(
      and(
        eq(subscriptions.id, id),
        or(
          eq(subscriptions.leaseOwner, owner),
          isNull(subscriptions.leaseExpiresAt),
          lt(subscriptions.leaseExpiresAt, now),
        ),
      ),
    )
    .returning({ id: subscriptions.id });
  return rows.length === 1;
}

/** Gives the lease back (only when `owner` holds it). */
export async function releaseLease(platform: Store, id: string, owner: string): Promise<void> {
  await platform.db
    .update(subscriptions)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(subscriptions.id, id), eq(subscriptions.leaseOwner, owner)));
}

/**
 * Moves the checkpoint after the destinations confirmed: only while `owner` holds the lease, so
 * a process that lost it (stalled past the lease) never writes over its successor. Answers whether it did.
 */
export async function confirmDelivered(
  platform: Store,
  id: string,
  owner: string,
  at: { replayId: string; commitAt: Date | null; events: number },
): Promise<boolean> {
  const rows = await platform.db
    .update(subscriptions)
    .set({
      replayId: at.replayId,
      ...(at.commitAt ? { lastCommitAt: at.commitAt } : {}),
      eventsDelivered: sql`${subscriptions.eventsDelivered} + ${at.events}`,
      updatedAt: platform.clock.now(),
    })
    .where(and(eq(subscriptions.id, id), eq(subscriptions.leaseOwner, owner)))
    .returning({ id: subscriptions.id });
  return rows.length === 1;
}

/** Marks a subscription running, unless it was paused meanwhile; answers whether it did. */
export async function markRunning(platform: Store, id: string): Promise<boolean> {
  const rows = await platform.db
    .update(subscriptions)
    .set({ state: "running", stateReason: null, updatedAt: platform.clock.now() })
    .where(and(eq(subscriptions.id, id), sql`${subscriptions.state} <> 'paused'`))
    .returning({ id: subscriptions.id });
  return rows.length === 1;
}

export async function updateSubscription(
  platform: Store,
  id: string,
  values: Partial<Omit<SubscriptionRow, "id" | "projectId" | "installationId" | "connectionId" | "object">>,
): Promise<void> {
  await platform.db
    .update(subscriptions)
    .set({ ...values, updatedAt: platform.clock.now() })
    .where(eq(subscriptions.id, id));
}

/** Adds a recovery to the subscription's list (newest first, the last 20 kept). */
export async function addRecovery(platform: Store, row: SubscriptionRow, recovery: Record<string, unknown>) {
  const [fresh] = await platform.db.select().from(subscriptions).where(eq(subscriptions.id, row.id));
  const recoveries = [recovery, ...(fresh?.recoveries ?? [])].slice(0, RECOVERIES_KEPT);
  await updateSubscription(platform, row.id, { recoveries });
}

/** Records a channel member Forcelink created for an installation (adopted ones are never recorded). */
export async function recordCreatedMember(
  platform: Store,
  input: { installationId: string; connectionId: string; selectedEntity: string; memberId: string },
): Promise<void> {
  await platform.db.insert(subscriptionMembers).values({ id: newId("scm"), ...input });
}

export async function createdMembers(platform: Store, installationId: string) {
  return platform.db
    .select()
    .from(subscriptionMembers)
    .where(eq(subscriptionMembers.installationId, installationId))
    .orderBy(desc(subscriptionMembers.createdAt));
}

export async function forgetMember(platform: Store, id: string): Promise<void> {
  await platform.db.delete(subscriptionMembers).where(eq(subscriptionMembers.id, id));
}
