/**
 * sObject Collections: up to 200 records of one object in one call, created, updated, upserted by
 * an external id, or deleted, with one result per record in the order sent.
 */
import type { SalesforceClient } from "../api-client.ts";
import { apiName, recordId } from "../sobject-paths.ts";
import { recordErrorFrom, type SalesforceRecordError } from "./record-errors.ts";
import type { CollectionWrite, RecordResult, WriteRecord } from "./write-types.ts";

/** Salesforce's ceiling for one sObject Collections call. */
export const COLLECTION_LIMIT = 200;

/** What the write functions need of a client: its request pipeline and its data path. */
export type WriteClient = Pick<SalesforceClient, "request" | "dataPath">;

export interface WriteOptions {
  signal?: AbortSignal;
}

/** One collection call as a request: method, path (below the data path's root), body. */
export interface CollectionRequest {
  method: "POST" | "PATCH" | "DELETE";
  /** The path from `/services/data/vNN.N` on, e.g. `/composite/sobjects`. */
  path: string;
  body?: { allOrNone: boolean; records: WriteRecord[] };
  /** Whether sending it twice does no more than once: every operation but insert. */
  idempotent: boolean;
}

/** The Id of a record, as `Id` or `id`. */
export function recordIdOf(record: WriteRecord): string | undefined {
  const id = record.Id ?? record.id;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** Checks a collection write before anything is sent; throws a RangeError or TypeError saying what is wrong. */
export function checkCollectionWrite(write: CollectionWrite): void {
  apiName(write.object, "object name");
  if (write.records.length === 0) throw new RangeError("a collection write needs at least one record");
  if (write.records.length > COLLECTION_LIMIT)
    throw new RangeError(
      `sObject Collections take at most ${COLLECTION_LIMIT} records a call, not ${write.records.length}`,
    );
  if (write.operation === "upsert") {
    if (!write.externalIdField) throw new TypeError("an upsert needs externalIdField");
    apiName(write.externalIdField, "field name");
  }
  if (write.operation === "update" || write.operation === "delete") {
    write.records.forEach((record, i) => {
      const id = recordIdOf(record);
      if (!id) throw new TypeError(`record ${i} of a ${write.operation} has no Id`);
      recordId(id);
    });
  }
}

/** The request for one collection write; the path has no data-path prefix, so composite can use it too. */
export function collectionRequest(write: CollectionWrite): CollectionRequest {
  checkCollectionWrite(write);
  const allOrNone = write.allOrNone === true;
  const typed = () => write.records.map((r) => ({ ...r, attributes: { type: write.object } }));
  switch (write.operation) {
    case "insert":
      return { method: "POST", path: "/composite/sobjects", body: { allOrNone, records: typed() }, idempotent: false };
    case "update":
      return { method: "PATCH", path: "/composite/sobjects", body: { allOrNone, records: typed() }, idempotent: true };
    case "upsert":
      return {
        method: "PATCH",
        path: `/composite/sobjects/${write.object}/${write.externalIdField}`,
        body: { allOrNone, records: typed() },
        idempotent: true,
      };
    case "delete": {
      const ids = write.records.map((r) => recordIdOf(r) as string).join(",");
      return {
        method: "DELETE",
        path: `/composite/sobjects?ids=${ids}&allOrNone=${allOrNone}`,
        idempotent: true,
      };
    }
  }
}

/** A collection result as Salesforce sends it. */
interface SaveResult {
  id?: string | null;
  success?: boolean;
  created?: boolean;
  errors?: SalesforceRecordError[];
}

/**
 * Salesforce's answer to a collection call as one RecordResult per record sent, in order. An
 * answer that does not hold exactly one result per record is refused rather than guessed at.
 */
export function collectionResults(write: CollectionWrite, body: unknown): RecordResult[] {
  if (!Array.isArray(body) || body.length !== write.records.length) {
    const got = Array.isArray(body) ? `${body.length} results` : "no result list";
    throw new CollectionAnswerError(`Salesforce answered ${got} for ${write.records.length} records`);
  }
  return body.map((raw: SaveResult | null, i): RecordResult => {
    const result = raw ?? {};
    const success = result.success === true;
    const id = typeof result.id === "string" && result.id !== "" ? result.id : null;
    return {
      id:
        id ??
        (write.operation === "delete" || write.operation === "update" ? (recordIdOf(write.records[i]) ?? null) : null),
      success,
      created: success && (write.operation === "insert" || (write.operation === "upsert" && result.created === true)),
      errors: success ? [] : (result.errors ?? []).map(recordErrorFrom),
    };
  });
}

/** Salesforce answered a collection call with something that is not one result per record. */
export class CollectionAnswerError extends Error {
  override readonly name = "CollectionAnswerError";
}

/**
 * Writes up to 200 records of one object in one sObject Collections call and answers one result
 * per record, in the order given. Inserts are sent with `idempotent: false`, so the client never
 * sends one again unless the failure proves nothing was written; the other operations may be
 * retried by the client's one retry rule.
 */
export async function writeCollection(
  client: WriteClient,
  write: CollectionWrite,
  options: WriteOptions = {},
): Promise<RecordResult[]> {
  const request = collectionRequest(write);
  const res = await client.request({
    method: request.method,
    path: `${client.dataPath}${request.path}`,
    json: request.body,
    idempotent: request.idempotent,
    signal: options.signal,
  });
  return collectionResults(write, res.body);
}
