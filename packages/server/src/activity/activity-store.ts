import { and, desc, eq, inArray, lt, type SQL } from "drizzle-orm";
import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import { activity } from "../store/schema.ts";
import type { ActivityKind, ActivityLevel } from "./activity-kinds.ts";

export type ActivityRow = typeof activity.$inferSelect;
type Db = Pick<Platform, "db">;

export interface StoredActivity {
  projectId: string;
  connectionId: string | null;
  kind: ActivityKind;
  level: ActivityLevel;
  message: string;
  details: Record<string, unknown>;
  at: Date;
}

export async function insertActivity(platform: Db, entry: StoredActivity): Promise<void> {
  await platform.db.insert(activity).values({ id: newId("act"), ...entry });
}

export interface ActivityFilter {
  connectionId?: string;
  kind?: ActivityKind;
  level?: ActivityLevel;
  /** Rows older than this position (the `seq` of the previous page's last row). */
  beforeSeq?: number;
  limit: number;
}

/** A page of a project's activity, newest first. */
export async function activityPage(platform: Db, projectId: string, filter: ActivityFilter): Promise<ActivityRow[]> {
  const where: (SQL | undefined)[] = [
    eq(activity.projectId, projectId),
    filter.connectionId ? eq(activity.connectionId, filter.connectionId) : undefined,
    filter.kind ? eq(activity.kind, filter.kind) : undefined,
    filter.level ? eq(activity.level, filter.level) : undefined,
    filter.beforeSeq !== undefined ? lt(activity.seq, filter.beforeSeq) : undefined,
  ];
  return platform.db
    .select()
    .from(activity)
    .where(and(...where))
    .orderBy(desc(activity.seq))
    .limit(filter.limit);
}

/** Deletes up to `limit` rows recorded before `before`; answers how many. */
export async function deleteActivityBefore(platform: Db, before: Date, limit: number): Promise<number> {
  const old = await platform.db.select({ id: activity.id }).from(activity).where(lt(activity.at, before)).limit(limit);
  const ids = old.map((r) => r.id);
  if (ids.length > 0) await platform.db.delete(activity).where(inArray(activity.id, ids));
  return ids.length;
}
