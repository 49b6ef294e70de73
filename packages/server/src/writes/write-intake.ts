import { RecordShapeError, recordCells } from "@forcelink/salesforce";
import type { Platform } from "../platform/platform.ts";
import { Problem } from "../remedies/problem.ts";
import { isKeyTaken, RequestHasher, replayOf } from "./write-idempotency.ts";
import {
  ALL_OR_NONE_MAX,
  checkRecord,
  checkSpec,
  type InputRecord,
  type RecordAt,
  type WriteSpec,
} from "./write-input.ts";
import {
  copyRecordsToRetry,
  createWrite,
  deleteWrite,
  findWriteByKey,
  insertRecords,
  isFinished,
  queueReceivedWrite,
  RECORD_BATCH,
  type WriteRow,
} from "./write-store.ts";

/**
 * Taking a write in: its records streamed into the store in batches, checked one by one, the
 * request hashed on the way, then the write queued and its Idempotency-Key claimed. The route
 * and `forcelink write` both come here.
 */

export interface WriteRequest {
  projectId: string;
  connectionId: string;
  spec: WriteSpec;
  idempotencyKey?: string | null;
  /**
   * A rule the records' field names must meet (the installed integration's write declaration):
   * a Problem refuses the write before it is queued.
   */
  allowed?: (fields: ReadonlySet<string>) => Problem | undefined;
}

export interface Received {
  write: WriteRow;
  /** True when the Idempotency-Key named an earlier write of the same request: nothing new was made. */
  replayed: boolean;
}

type Store = Pick<Platform, "db" | "clock" | "config" | "database">;

/** Stores a write's records as they stream in and queues it; answers the earlier write for a replayed key. */
export async function receiveWrite(
  platform: Store,
  request: WriteRequest,
  records: AsyncIterable<RecordAt> | Iterable<RecordAt>,
): Promise<Received> {
  const { spec, idempotencyKey: key = null } = request;
  checkSpec(spec);
  const hasher = new RequestHasher({ connectionId: request.connectionId, ...spec });
  if (key) {
    const earlier = await findWriteByKey(platform, request.projectId, key);
    // Only the hash is needed to tell a replay: the records are read and checked, not stored.
    if (earlier) {
      for await (const at of records) hasher.add(checkRecord(spec, at));
      return { write: replayOf(earlier, hasher.digest()), replayed: true };
    }
  }
  const write = await createWrite(platform, request);
  try {
    const { total, fields, columns } = await storeRecords(platform, write.id, spec, records, hasher);
    if (total === 0) throw noRecords();
    if (spec.allOrNone && total > ALL_OR_NONE_MAX) throw allOrNoneTooLarge(total);
    const refused = request.allowed?.(fields);
    if (refused) throw refused;
    return await claim(platform, write, {
      total,
      requestHash: hasher.digest(),
      key,
      projectId: request.projectId,
      columns,
    });
  } catch (error) {
    await deleteWrite(platform, write.id);
    throw error;
  }
}

/** A retry of a finished write's failed records as a new write, queued like any other. */
export async function receiveRetry(
  platform: Store,
  original: WriteRow,
  options: { retryableOnly: boolean; idempotencyKey?: string | null },
): Promise<Received> {
  const key = options.idempotencyKey ?? null;
  if (!isFinished(original))
    throw new Problem("conflict", "write_not_finished", `Write ${original.id} is still ${original.status}.`, {
      remedy: "Wait until it is completed or failed (GET …/writes/{writeId}), then retry its failed records.",
      details: { status: original.status },
    });
  const spec: WriteSpec = {
    object: original.object,
    operation: original.operation as WriteSpec["operation"],
    externalIdField: original.externalIdField,
    allOrNone: original.allOrNone,
  };
  const hasher = new RequestHasher({
    connectionId: original.connectionId,
    ...spec,
    retryOf: original.id,
    retryableOnly: options.retryableOnly,
  });
  const requestHash = hasher.digest();
  if (key) {
    const earlier = await findWriteByKey(platform, original.projectId, key);
    if (earlier) return { write: replayOf(earlier, requestHash), replayed: true };
  }
  const write = await createWrite(platform, { ...original, spec, retryOf: original.id });
  try {
    const total = await copyRecordsToRetry(platform, original.id, write.id, options.retryableOnly);
    if (total === 0) throw nothingToRetry(original, options.retryableOnly);
    return await claim(platform, write, { total, requestHash, key, projectId: original.projectId });
  } catch (error) {
    await deleteWrite(platform, write.id);
    throw error;
  }
}

/** Batches of records being inserted at once. */
const STORES_IN_FLIGHT = 2;

async function storeRecords(
  platform: Store,
  writeId: string,
  spec: WriteSpec,
  records: AsyncIterable<RecordAt> | Iterable<RecordAt>,
  hasher: RequestHasher,
): Promise<{ total: number; fields: Set<string>; columns: string[] }> {
  const fields = new Set<string>();
  const columns = new BulkColumns();
  let batch: string[] = [];
  let total = 0;
  // Two batches go into the store (on two connections) while the next is read: the body and the
  // database work at once, and the database's inserts on two cores.
  const storing: Promise<void>[] = [];
  const store = async (records: string[], firstIndex: number) => {
    // Hashed a batch at a time, in input order (one digest update instead of one a record).
    hasher.addJsonBatch(records);
    if (storing.length >= STORES_IN_FLIGHT) await storing.shift();
    const stored = insertRecords(platform, writeId, firstIndex, records);
    // Seen by a later store or the end; a failure is not left unhandled meanwhile.
    stored.catch(() => undefined);
    storing.push(stored);
  };
  try {
    for await (const at of records) {
      const record = checkRecord(spec, at);
      const json = JSON.stringify(record);
      for (const field in record) fields.add(field);
      columns.add(record, at.where);
      batch.push(json);
      if (batch.length === RECORD_BATCH) {
        await store(batch, total);
        total += batch.length;
        batch = [];
      }
    }
    await store(batch, total);
  } finally {
    // Nothing stays in flight past the intake (a refused write is deleted next).
    await Promise.allSettled(storing);
  }
  await Promise.all(storing);
  return { total: total + batch.length, fields, columns: columns.sorted() };
}

/**
 * Queues the received write under its key. Two requests with one key may both get here: the
 * store's unique index lets one claim it, and the other answers that one's write (or a 409).
 */
async function claim(
  platform: Store,
  write: WriteRow,
  values: { total: number; requestHash: string; key: string | null; projectId: string; columns?: string[] },
): Promise<Received> {
  try {
    const queued = await queueReceivedWrite(platform, write.id, {
      total: values.total,
      requestHash: values.requestHash,
      idempotencyKey: values.key,
      ...(values.columns ? { options: { columns: values.columns } } : {}),
    });
    return { write: queued, replayed: false };
  } catch (error) {
    if (!values.key || !isKeyTaken(error)) throw error;
    const winner = await findWriteByKey(platform, values.projectId, values.key);
    if (!winner) throw error;
    await deleteWrite(platform, write.id);
    return { write: replayOf(winner, values.requestHash), replayed: true };
  }
}

/**
 * The CSV columns the records fill, as a Bulk upload writes them (a parent reference is one column,
 * `Account.Ext_Id__c`): kept with the write, so its Bulk pass needs no scan of the stored records.
 */
class BulkColumns {
  private readonly columns = new Set<string>();

  add(record: InputRecord, where: string): void {
    let reference = false;
    for (const field in record) {
      const value = record[field];
      if (value !== null && typeof value === "object") reference = true;
      else this.columns.add(field);
    }
    if (!reference) return;
    try {
      for (const [column] of recordCells(record)) this.columns.add(column);
    } catch (error) {
      if (!(error instanceof RecordShapeError)) throw error;
      throw new Problem("bad-input", "invalid_record", `The record at ${where} cannot be written: ${error.message}.`, {
        remedy: 'Give a parent reference as one external id field: {"Account": {"Ext_Id__c": "A-1"}}.',
      });
    }
  }

  sorted(): string[] {
    return [...this.columns].sort();
  }
}

function noRecords(): Problem {
  return new Problem("bad-input", "no_records", "The write has no records.", {
    remedy: 'Send at least one record: "records" in a JSON body, one line of NDJSON, or one CSV row under the header.',
  });
}

function allOrNoneTooLarge(total: number): Problem {
  return new Problem(
    "unprocessable",
    "all_or_none_too_large",
    `allOrNone holds up to ${ALL_OR_NONE_MAX} records (one Salesforce /composite call of five 200-record collections, one transaction); this write has ${total}.`,
    {
      remedy: `Split the write into parts of at most ${ALL_OR_NONE_MAX} records, or send it with allOrNone false: every record then gets its own result, and POST …/retry re-runs the failed ones.`,
      details: { total, max: ALL_OR_NONE_MAX },
    },
  );
}

function nothingToRetry(original: WriteRow, retryableOnly: boolean): Problem {
  return new Problem(
    "unprocessable",
    "nothing_to_retry",
    retryableOnly
      ? `Write ${original.id} has no failed record whose errors are all retryable.`
      : `Write ${original.id} has no failed record.`,
    {
      remedy: retryableOnly
        ? "Fix the records whose errors say what to change and send them as a new write, or retry without retryableOnly."
        : "Records with an unknown outcome are never sent again blindly: check them in Salesforce first.",
    },
  );
}
