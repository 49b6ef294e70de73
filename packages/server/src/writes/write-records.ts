import type { RecordError, WriteRecord } from "@forcelink/salesforce";
import { and, asc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { Platform } from "../platform/platform.ts";
import { writeRecords, writes } from "../store/schema.ts";

/**
 * The record-level statements of a write's execution: a chunk of pending records taken for a call
 * (`sending`, attempts + 1) in one UPDATE, the call's answer settled in one statement with the
 * write's counts and API calls in the same transaction, and the reads recovery needs. A record is
 * `pending` (not sent, or sent and refused in a way worth another pass), `sending` (in a call or a
 * Bulk job whose answer is not settled yet), `succeeded`, `failed` or `unknown`.
 */

type Db = Pick<Platform, "db">;

export interface SendingRecord {
  idx: number;
  data: WriteRecord;
  /** Times the record was sent, this time included. */
  attempts: number;
}

export type SettledStatus = "succeeded" | "failed" | "unknown" | "pending";

export interface Settlement {
  idx: number;
  status: SettledStatus;
  sfId?: string | null;
  created?: boolean | null;
  /** The record's errors; for `pending` its last refusal, kept so that a last pass can fail it with it. */
  errors?: RecordError[] | null;
  /** The call never reached Salesforce's decision (a refusal of the whole request): it does not count as a pass. */
  undoAttempt?: boolean;
}

/** Takes the first `limit` pending records (by index) for a call: `sending`, attempts + 1, one UPDATE. */
export async function takePending(
  platform: Db,
  writeId: string,
  options: { limit: number; neverSent?: boolean },
): Promise<SendingRecord[]> {
  const fresh = options.neverSent ? sql`AND attempts = 0` : sql``;
  const result = await platform.db.execute(sql`
    UPDATE write_records SET status = 'sending', attempts = attempts + 1, bulk_job_id = NULL
    WHERE write_id = ${writeId} AND idx IN (
      SELECT idx FROM write_records WHERE write_id = ${writeId} AND status = 'pending' ${fresh}
      ORDER BY idx LIMIT ${options.limit}
    ) AND status = 'pending'
    RETURNING idx, data, attempts`);
  return rowsOf<SendingRecord>(result).sort((a, b) => a.idx - b.idx);
}

/** Takes the given pending records (a retry pass chooses them in its own order). */
export async function takeRecords(platform: Db, writeId: string, idxs: readonly number[]): Promise<SendingRecord[]> {
  if (idxs.length === 0) return [];
  const result = await platform.db.execute(sql`
    UPDATE write_records SET status = 'sending', attempts = attempts + 1, bulk_job_id = NULL
    WHERE write_id = ${writeId} AND status = 'pending'
      AND idx IN (SELECT value::int FROM jsonb_array_elements_text(${JSON.stringify(idxs)}::jsonb))
    RETURNING idx, data, attempts`);
  const byIdx = new Map(rowsOf<SendingRecord>(result).map((r) => [r.idx, r]));
  return idxs.map((i) => byIdx.get(i)).filter((r): r is SendingRecord => r !== undefined);
}

/** How many records were never sent. */
export async function neverSentCount(platform: Db, writeId: string): Promise<number> {
  const [row] = await platform.db
    .select({ count: sql<number>`count(*)::int` })
    .from(writeRecords)
    .where(and(eq(writeRecords.writeId, writeId), eq(writeRecords.status, "pending"), eq(writeRecords.attempts, 0)));
  return Number(row?.count ?? 0);
}

/** Pending records after `afterIdx`, by index, with how many times each was sent (retry passes read them). */
export async function pendingRecords(
  platform: Db,
  writeId: string,
  options: { afterIdx: number; limit: number },
): Promise<Array<SendingRecord>> {
  return platform.db
    .select({ idx: writeRecords.idx, data: writeRecords.data, attempts: writeRecords.attempts })
    .from(writeRecords)
    .where(
      and(
        eq(writeRecords.writeId, writeId),
        eq(writeRecords.status, "pending"),
        gt(writeRecords.idx, options.afterIdx),
      ),
    )
    .orderBy(asc(writeRecords.idx))
    .limit(options.limit);
}

/** How many records wait, and the fewest times one of them was sent (0: some were never sent). */
export async function pendingSummary(platform: Db, writeId: string): Promise<{ count: number; minAttempts: number }> {
  const [row] = await platform.db
    .select({ count: sql<number>`count(*)::int`, minAttempts: sql<number | null>`min(${writeRecords.attempts})` })
    .from(writeRecords)
    .where(and(eq(writeRecords.writeId, writeId), eq(writeRecords.status, "pending")));
  return { count: Number(row?.count ?? 0), minAttempts: Number(row?.minAttempts ?? 0) };
}

/**
 * Settles the records of one answer in one statement (only records still `sending`: a record is
 * settled once), and adds what they changed to the write's counts, with the calls the answer
 * cost, in the same transaction. Answers how many records took each status.
 */
export async function settleRecords(
  platform: Db,
  writeId: string,
  settlements: readonly Settlement[],
  apiCalls: number,
): Promise<Record<SettledStatus, number>> {
  const rows = settlements.map((s) => ({
    idx: s.idx,
    status: s.status,
    sf_id: s.sfId ?? null,
    created: s.created ?? null,
    errors: s.errors && s.errors.length > 0 ? s.errors : null,
    undo: s.undoAttempt === true,
  }));
  return platform.db.transaction(async (tx) => {
    const counts: Record<SettledStatus, number> = { succeeded: 0, failed: 0, unknown: 0, pending: 0 };
    if (rows.length > 0) {
      // The records read by their primary key's range (the answer's indexes, in order, mostly
      // consecutive) and joined to the answer by hash: a table just filled has no statistics yet,
      // and left to itself the planner may take the write's records for one row and match every
      // answer row against every record (seconds for 5,000 records).
      await tx.execute(sql`SELECT set_config('enable_nestloop', 'off', true)`);
      let low = rows[0].idx;
      let high = low;
      for (const r of rows) {
        if (r.idx < low) low = r.idx;
        if (r.idx > high) high = r.idx;
      }
      const result = await tx.execute(sql`
        UPDATE write_records AS r
        SET status = v.status, sf_id = COALESCE(v.sf_id, r.sf_id), created = v.created, errors = v.errors,
            bulk_job_id = NULL, attempts = CASE WHEN v.undo THEN greatest(r.attempts - 1, 0) ELSE r.attempts END
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS v(idx int, status text, sf_id text, created boolean, errors jsonb, undo boolean)
        WHERE r.write_id = ${writeId} AND r.idx BETWEEN ${low} AND ${high} AND r.idx = v.idx AND r.status = 'sending'
        RETURNING r.status`);
      for (const row of rowsOf<{ status: SettledStatus }>(result)) counts[row.status]++;
    }
    await tx
      .update(writes)
      .set({
        succeeded: sql`${writes.succeeded} + ${counts.succeeded}`,
        failed: sql`${writes.failed} + ${counts.failed}`,
        unknown: sql`${writes.unknown} + ${counts.unknown}`,
        apiCalls: sql`${writes.apiCalls} + ${apiCalls}`,
      })
      .where(eq(writes.id, writeId));
    return counts;
  });
}

/** Adds calls that settled no record (a Bulk job's create, polls) to the write's count. */
export async function addApiCalls(platform: Db, writeId: string, apiCalls: number): Promise<void> {
  if (apiCalls <= 0) return;
  await platform.db
    .update(writes)
    .set({ apiCalls: sql`${writes.apiCalls} + ${apiCalls}` })
    .where(eq(writes.id, writeId));
}

/** The Bulk jobs holding records of the write (`sending` with a job id), and how many each holds. */
export async function sendingBulkJobs(platform: Db, writeId: string): Promise<Array<{ jobId: string; count: number }>> {
  const rows = await platform.db
    .select({ jobId: writeRecords.bulkJobId, count: sql<number>`count(*)::int` })
    .from(writeRecords)
    .where(
      and(eq(writeRecords.writeId, writeId), eq(writeRecords.status, "sending"), isNotNull(writeRecords.bulkJobId)),
    )
    .groupBy(writeRecords.bulkJobId);
  return rows.map((r) => ({ jobId: r.jobId!, count: Number(r.count) }));
}

/** Records held by one Bulk job, by index, a page at a time. */
export async function recordsOfJob(
  platform: Db,
  writeId: string,
  jobId: string,
  options: { afterIdx: number; limit: number },
): Promise<SendingRecord[]> {
  return platform.db
    .select({ idx: writeRecords.idx, data: writeRecords.data, attempts: writeRecords.attempts })
    .from(writeRecords)
    .where(
      and(
        eq(writeRecords.writeId, writeId),
        eq(writeRecords.status, "sending"),
        eq(writeRecords.bulkJobId, jobId),
        gt(writeRecords.idx, options.afterIdx),
      ),
    )
    .orderBy(asc(writeRecords.idx))
    .limit(options.limit);
}

/** Records `sending` in no Bulk job: a call was in flight when the runner stopped. */
export async function sendingWithoutJob(platform: Db, writeId: string): Promise<SendingRecord[]> {
  return platform.db
    .select({ idx: writeRecords.idx, data: writeRecords.data, attempts: writeRecords.attempts })
    .from(writeRecords)
    .where(and(eq(writeRecords.writeId, writeId), eq(writeRecords.status, "sending"), isNull(writeRecords.bulkJobId)))
    .orderBy(asc(writeRecords.idx));
}

/** Writes a runner should pick up again: running (its runner may have died) or queued. */
export async function unfinishedWrites(platform: Db): Promise<Array<typeof writes.$inferSelect>> {
  return platform.db.select().from(writes).where(sql`${writes.status} in ('running', 'queued')`);
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
