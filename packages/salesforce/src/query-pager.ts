/** One page of a SOQL answer. */
export interface QueryPage<T = Record<string, unknown>> {
  totalSize: number;
  done: boolean;
  records: T[];
  nextRecordsUrl?: string;
}

export interface QueryOptions {
  /** queryAll: deleted (IsDeleted = true) and archived rows too. */
  includeDeleted?: boolean;
  /** Rows per page, 200–2000; a hint Salesforce may shrink for wide rows. */
  batchSize?: number;
  /** The Tooling API's query endpoint instead of the data API's. */
  tooling?: boolean;
}

export type PageFetcher = (
  path: string,
  query: Record<string, string> | undefined,
  headers: Record<string, string>,
) => Promise<QueryPage<unknown>>;

/**
 * Pages of a query, fetched one at a time as the consumer asks: memory holds one page however
 * many rows match (jsforce keeps them all, and stops at 10,000 by default).
 */
export async function* queryPages<T>(
  fetchPage: PageFetcher,
  dataPath: string,
  soql: string,
  options: QueryOptions = {},
): AsyncGenerator<QueryPage<T>> {
  const headers: Record<string, string> = {};
  if (options.batchSize !== undefined)
    headers["sforce-query-options"] = `batchSize=${clampBatchSize(options.batchSize)}`;
  const resource = options.tooling ? "tooling/query" : options.includeDeleted ? "queryAll" : "query";
  let page = (await fetchPage(`${dataPath}/${resource}`, { q: soql }, headers)) as QueryPage<T>;
  for (;;) {
    yield page;
    if (page.done || !page.nextRecordsUrl) return;
    page = (await fetchPage(page.nextRecordsUrl, undefined, headers)) as QueryPage<T>;
  }
}

/** The records of every page, in order. */
export async function* queryRecords<T>(pages: AsyncIterable<QueryPage<T>>): AsyncGenerator<T> {
  for await (const page of pages) yield* page.records;
}

export function clampBatchSize(n: number): number {
  return Math.min(2000, Math.max(200, Math.round(n)));
}
