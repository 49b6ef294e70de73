/**
 * Up to five sObject Collections writes in one `/composite` call: 1,000 records for one API call.
 * Salesforce takes 25 subrequests a call, of which at most 5 may be collections or queries. With
 * `allOrNone` the whole call is one transaction: one failed record rolls back every subrequest.
 */

import { sendComposite } from "../composite.ts";
import {
  CollectionAnswerError,
  collectionRequest,
  collectionResults,
  recordIdOf,
  type WriteClient,
  type WriteOptions,
} from "./collections.ts";
import { recordErrorFrom, type SalesforceRecordError } from "./record-errors.ts";
import type { CollectionWrite, RecordResult } from "./write-types.ts";

/** Salesforce's ceiling of collection (or query) subrequests in one composite call. */
export const COMPOSITE_COLLECTION_LIMIT = 5;

export interface CompositeWriteOptions extends WriteOptions {
  /** One transaction for the whole call: any failed record rolls back every subrequest. */
  allOrNone?: boolean;
}

/** A subrequest answered with an error (or halted): each of its records carries that error. */
function refusedResults(write: CollectionWrite, body: unknown, status: number): RecordResult[] {
  const errors = (Array.isArray(body) ? body : [body])
    .filter((e): e is SalesforceRecordError => e !== null && typeof e === "object")
    .map(recordErrorFrom);
  if (errors.length === 0) errors.push(recordErrorFrom({ errorCode: `HTTP_${status}`, message: String(body ?? "") }));
  return write.records.map((record) => ({
    id: write.operation === "update" || write.operation === "delete" ? (recordIdOf(record) ?? null) : null,
    success: false,
    created: false,
    errors,
  }));
}

/**
 * Sends up to five collection writes in one `/composite` call and answers their results, one list
 * per write in the order given, one result per record in the order sent. The call is idempotent
 * (the client may resend it) only when none of the writes is an insert.
 */
export async function writeComposite(
  client: WriteClient,
  writes: CollectionWrite[],
  options: CompositeWriteOptions = {},
): Promise<RecordResult[][]> {
  if (writes.length === 0) throw new RangeError("a composite write needs at least one collection write");
  if (writes.length > COMPOSITE_COLLECTION_LIMIT)
    throw new RangeError(
      `a composite call takes at most ${COMPOSITE_COLLECTION_LIMIT} collection subrequests, not ${writes.length}`,
    );
  const allOrNone = options.allOrNone === true;
  const sent = writes.map((w) => (allOrNone ? { ...w, allOrNone: true } : w));
  const requests = sent.map(collectionRequest);
  const { answers } = await sendComposite(
    client,
    requests.map((r, i) => ({
      method: r.method,
      url: `${client.dataPath}${r.path}`,
      referenceId: `write${i}`,
      ...(r.body ? { body: r.body } : {}),
    })),
    { allOrNone, idempotent: requests.every((r) => r.idempotent), signal: options.signal },
  );
  return sent.map((write, i) => {
    const answer = answers.get(`write${i}`);
    if (!answer) throw new CollectionAnswerError(`the composite answer has no result for subrequest write${i}`);
    if (answer.httpStatusCode >= 400) return refusedResults(write, answer.body, answer.httpStatusCode);
    return collectionResults(write, answer.body);
  });
}
