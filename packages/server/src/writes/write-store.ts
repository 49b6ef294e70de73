import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, ne, or, type SQL, sql } from "drizzle-orm";
import { newId } from "../ids.ts";
import type { Platform } from "../platform/platform.ts";
import { writeRecords, writes } from "../store/schema.ts";
import { copyIn } from "../sync/destinations/postgres-copy.ts";
import type { WriteSpec } from "./write-input.ts";

export type WriteRow = typeof writes.$inferSelect;
export type WriteRecordRow = typeof writeRecords.$inferSelect;
export type WriteStatus = "receiving" | "queued" | "running" | "paused" | "completed" | "failed";
export type RecordStatus = "pending" | "sending" | "succeeded" | "failed" | "unknown";

type Db = Pick<Platform, "db" | "clock" | "config">;

/**
 * Records go into the store this many to a statement: one INSERT each, its rows read from one JSON
 * array parameter (a multi-row INSERT of bound values costs three parameters a row to build and parse).
 */
export const RECORD_BATCH = 5000;

export const FINISHED: readonly WriteStatus[] = ["completed", "failed"];

export function isFinished(write: Pick<WriteRow, "status">): boolean {
  return (FINISHED as readonly string[]).includes(write.status);
}

/** A write whose records are still arriving (`receiving`): nobody sees it until it is queued. */
export async function createWrite(
  platform: Db,
  values: { projectId: string; connectionId: string; spec: WriteSpec; retryOf?: string | null },
): Promise<WriteRow> {
  const { spec } = values;
  const [row] = await platform.db
    .insert(writes)
    .values({
      id: newId("wr"),
      projectId: values.projectId,
      connectionId: values.connectionId,
      object: spec.object,
      operation: spec.operation,
      externalIdField: spec.externalIdField ?? null,
      allOrNone: spec.allOrNone,
      status: "receiving",
      retryOf: values.retryOf ?? null,
      createdAt: platform.clock.now(),
    })
    .returning();
  return row;
}

/**
 * Stores a batch of a write's records, numbered from `firstIndex` in input order. Each record comes
 * as its JSON text (the intake has it already, from hashing the request). On PostgreSQL the batch
 * goes through `COPY … FROM STDIN` (no statement to parse, no JSON array to take apart); on
 * embedded PGlite through one INSERT reading the rows from one JSON array parameter.
 */
export async function insertRecords(
  platform: Db & Pick<Platform, "database">,
  writeId: string,
  firstIndex: number,
  records: readonly string[],
): Promise<void> {
  if (records.length === 0) return;
  const pool = platform.database.pool;
  if (pool) {
    const client = await pool.connect();
    try {
      await copyIn(client, COPY_RECORDS, [copyRows(writeId, firstIndex, records)]);
    } finally {
      client.release();
    }
    return;
  }
  await platform.db.execute(sql`
    INSERT INTO write_records (write_id, idx, data)
    SELECT ${writeId}, ${firstIndex}::int + r.ord::int - 1, r.value
    FROM jsonb_array_elements(${`[${records.join(",")}]`}::jsonb) WITH ORDINALITY AS r(value, ord)`);
}

const COPY_RECORDS = "COPY write_records (write_id, idx, data) FROM STDIN";

/**
 * The batch as COPY text: a line a record, tab-separated. JSON text holds no raw tab, newline or
 * carriage return (JSON.stringify escapes them), so only its backslashes need doubling.
 */
function copyRows(writeId: string, firstIndex: number, records: readonly string[]): Buffer {
  const prefix = `${writeId.replaceAll("\\", "\\\\")}\t`;
  let text = "";
  for (let i = 0; i < records.length; i++) {
    const json = records[i];
    text += `${prefix}${firstIndex + i}\t${json.includes("\\") ? json.replaceAll("\\", "\\\\") : json}\n`;
  }
  return Buffer.from(text);
}

/**
 * Copies the failed records of a finished write, with their indexes, into a new write: the ones
 * never sent (`pending`, when the write stopped early) too. With `retryableOnly`, only records
 * whose every error may pass on its own (a lock, a limit) are taken. Answers how many.
 */
export async function copyRecordsToRetry(
  platform: Db,
  from: string,
  to: string,
  retryableOnly: boolean,
): Promise<number> {
  const retryable = retryableOnly
    ? sql` and not exists (select 1 from jsonb_array_elements(coalesce(${writeRecords.errors}, '[]'::jsonb)) e where coalesce(e->>'retry', 'never') = 'never')`
    : sql``;
  const copied = await platform.db.execute(
    sql`insert into ${writeRecords} (write_id, idx, data)
        select ${to}, idx, data from ${writeRecords}
        where ${writeRecords.writeId} = ${from}
          and (${writeRecords.status} = 'pending' or (${writeRecords.status} = 'failed'${retryable}))
        order by idx`,
  );
  return rowCount(copied);
}

function rowCount(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return r.rowCount ?? r.affectedRows ?? 0;
}

/** Marks a received write `queued` with its total and request hash; the Idempotency-Key, if any, is claimed here. */
export async function queueReceivedWrite(
  platform: Db,
  writeId: string,
  values: {
    total: number;
    requestHash: string;
    idempotencyKey: string | null;
    /** `columns`: the CSV columns the records fill (write-intake.ts), for the Bulk pass. */
    options?: { columns: string[] };
  },
): Promise<WriteRow> {
  const [row] = await platform.db
    .update(writes)
    .set({ status: "queued", ...values })
    .where(eq(writes.id, writeId))
    .returning();
  return row;
}

/** Removes a write and its records: one whose body could not be taken, or a duplicate that lost a race. */
export async function deleteWrite(platform: Db, writeId: string): Promise<void> {
  await platform.db.delete(writes).where(eq(writes.id, writeId));
}

/** A write by id alone, for the executor, the job worker and recovery. */
export async function loadWrite(platform: Db, writeId: string): Promise<WriteRow | undefined> {
  const [row] = await platform.db.select().from(writes).where(eq(writes.id, writeId));
  return row;
}

/**
 * Changes a write. A write that finishes (completed, failed) gets its finish time and the time its
 * results expire (FORCELINK_WRITE_RETENTION_DAYS), unless they are given.
 */
export async function updateWrite(platform: Db, writeId: string, values: Partial<WriteRow>): Promise<WriteRow> {
  const finishing = values.status !== undefined && (FINISHED as readonly string[]).includes(values.status);
  const now = platform.clock.now();
  const set: Partial<WriteRow> = finishing
    ? {
        finishedAt: now,
        expiresAt: new Date(now.getTime() + platform.config.writes.retentionMs),
        ...values,
      }
    : values;
  const [row] = await platform.db.update(writes).set(set).where(eq(writes.id, writeId)).returning();
  return row;
}

/** A project's write by its Idempotency-Key. */
export async function findWriteByKey(platform: Db, projectId: string, key: string): Promise<WriteRow | undefined> {
  const [row] = await platform.db
    .select()
    .from(writes)
    .where(and(eq(writes.projectId, projectId), eq(writes.idempotencyKey, key)));
  return row;
}

/** A write of a connection of the project; one still receiving its body is nobody's yet. */
export async function findWrite(
  platform: Db,
  scope: { projectId: string; connectionId: string },
  writeId: string,
): Promise<WriteRow | undefined> {
  const [row] = await platform.db
    .select()
    .from(writes)
    .where(
      and(
        eq(writes.id, writeId),
        eq(writes.projectId, scope.projectId),
        eq(writes.connectionId, scope.connectionId),
        ne(writes.status, "receiving"),
      ),
    );
  return row;
}

/** Where a page of the list ends: the last write's creation time and id. */
export interface WriteListPosition {
  createdAt: Date;
  id: string;
}

/** A connection's writes, newest first, after `before` (the last of the previous page). */
export async function listWrites(
  platform: Db,
  scope: { projectId: string; connectionId: string },
  options: { status?: WriteStatus; before?: WriteListPosition; limit: number },
): Promise<WriteRow[]> {
  const where: (SQL | undefined)[] = [
    eq(writes.projectId, scope.projectId),
    eq(writes.connectionId, scope.connectionId),
    ne(writes.status, "receiving"),
    options.status ? eq(writes.status, options.status) : undefined,
  ];
  const b = options.before;
  if (b) where.push(or(lt(writes.createdAt, b.createdAt), and(eq(writes.createdAt, b.createdAt), lt(writes.id, b.id))));
  return platform.db
    .select()
    .from(writes)
    .where(and(...where))
    .orderBy(desc(writes.createdAt), desc(writes.id))
    .limit(options.limit);
}

/** A page of a write's records by index, after `afterIndex`, optionally of one status. */
export async function recordsPage(
  platform: Db,
  writeId: string,
  options: { status?: RecordStatus; afterIndex?: number; limit: number },
): Promise<WriteRecordRow[]> {
  return platform.db
    .select()
    .from(writeRecords)
    .where(
      and(
        eq(writeRecords.writeId, writeId),
        options.status ? eq(writeRecords.status, options.status) : undefined,
        options.afterIndex !== undefined ? gt(writeRecords.idx, options.afterIndex) : undefined,
      ),
    )
    .orderBy(asc(writeRecords.idx))
    .limit(options.limit);
}

/**
 * Deletes up to `limit` writes whose results expired (at `expiresAt`, or, for a write finished
 * without one, when it finished before `finishedBefore`), and writes whose body never finished
 * arriving (the request died) created before `abandonedBefore`; their records go with them.
 */
export async function deleteExpiredWrites(
  platform: Db,
  options: { now: Date; finishedBefore: Date; abandonedBefore: Date; limit: number },
): Promise<string[]> {
  const expired = await platform.db
    .select({ id: writes.id })
    .from(writes)
    .where(
      or(
        lte(writes.expiresAt, options.now),
        and(isNull(writes.expiresAt), lte(writes.finishedAt, options.finishedBefore)),
        and(eq(writes.status, "receiving"), lt(writes.createdAt, options.abandonedBefore)),
      ),
    )
    .limit(options.limit);
  const ids = expired.map((w) => w.id);
  if (ids.length > 0) await platform.db.delete(writes).where(inArray(writes.id, ids));
  return ids;
}
