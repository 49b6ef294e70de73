import { bulkQuery, bulkQueryStreams, type SalesforceClient } from "@forcelink/salesforce";
import type { ReadMode } from "./sync-plan.ts";

/** Rows per Bulk result page: 1,000,000 rows cost 20 result calls, and a page stays a few tens of MB. */
export const BULK_PAGE_RECORDS = 50_000;
/** Rows handed to the destinations at a time from a Bulk page, parsed as it streams: bounds memory. */
export const BULK_PIECE_RECORDS = 2_000;
/** Rows per REST page: Salesforce's largest. */
export const REST_PAGE_RECORDS = 2_000;

/**
 * The rows of a query, a page at a time, in the query's order, through REST (query or queryAll,
 * 2,000 rows a page) or a Bulk 2.0 query job (50,000 rows a page, CSV parsed as it streams).
 * Memory holds one REST page, or one 5,000-row piece of a Bulk page.
 */
export async function* readPages(
  client: SalesforceClient,
  mode: ReadMode,
  soql: string,
  includeDeleted: boolean,
  signal?: AbortSignal,
  /** Told of a Bulk job as soon as it exists: a run records it, so whoever finds the run orphaned can delete it. */
  onBulkJob?: (jobId: string) => Promise<unknown>,
): AsyncGenerator<Array<Record<string, unknown>>> {
  if (mode === "bulk") {
    for await (const page of bulkQuery(client, soql, {
      includeDeleted,
      maxRecords: BULK_PAGE_RECORDS,
      chunkRecords: BULK_PIECE_RECORDS,
      pollIntervalMs: 500,
      maxPollIntervalMs: 5_000,
      signal,
      onJob: onBulkJob && ((job) => onBulkJob(job.id)),
    }))
      yield page.records;
    return;
  }
  for await (const page of client.queryPages(soql, { includeDeleted, batchSize: REST_PAGE_RECORDS }))
    yield page.records as Array<Record<string, unknown>>;
}

/**
 * The pages of a Bulk query as byte streams, each handed to `read` (which consumes it) in the query's order; yields
 * what `read` answers. The next page is fetched while one is read; memory holds what `read` keeps.
 */
export function readCopyPages<T extends { rows: number }>(
  client: SalesforceClient,
  soql: string,
  includeDeleted: boolean,
  signal: AbortSignal | undefined,
  onBulkJob: ((jobId: string) => Promise<unknown>) | undefined,
  read: (body: AsyncIterable<Uint8Array>) => Promise<T>,
): AsyncGenerator<T> {
  return bulkQueryStreams(
    client,
    soql,
    {
      includeDeleted,
      maxRecords: BULK_PAGE_RECORDS,
      pollIntervalMs: 500,
      maxPollIntervalMs: 5_000,
      signal,
      onJob: onBulkJob && ((job) => onBulkJob(job.id)),
    },
    (page) => read(page.body),
  );
}
