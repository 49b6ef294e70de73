import type { Org } from "../org/org.ts";
import { invalidLocator, type Locator, queryLocators } from "./locators.ts";
import type { SoqlResult } from "./types.ts";

export const DEFAULT_BATCH_SIZE = 2000;
const MIN_BATCH_SIZE = 200;

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

/** `Sforce-Query-Options: batchSize=N`: a hint Salesforce keeps within 200..2000. */
export function batchSizeOf(header: string | undefined): number | undefined {
  const m = header ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!m) return undefined;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(m[1])));
}

/** Where the next page lives: `/services/data/v67.0/<path>/<locator>-<offset>`. */
function nextUrl(version: string, path: string, locatorId: string, offset: number): string {
  return `/services/data/v${version}/${path}/${locatorId}-${offset}`;
}

/**
 * The first page of a result. When more rows remain, a locator keeps the matched rows (references,
 * not copies) and the projection, so later pages cost only their own projection.
 */
export function firstPage(
  org: Org,
  userId: string,
  result: SoqlResult,
  batchSize: number,
  path: string,
  version: string,
): QueryPage {
  const { records } = result;
  if (result.isCount) return { totalSize: result.totalSize, done: true, records: [] };
  if (records.length <= batchSize) {
    return { totalSize: result.totalSize, done: true, records: records.map(result.toJson) };
  }
  const locator = queryLocators(org).create({ userId, records, toJson: result.toJson, path, batchSize });
  prepareAhead(org, locator, batchSize, batchSize, version);
  return {
    totalSize: result.totalSize,
    done: false,
    nextRecordsUrl: nextUrl(version, path, locator.id, batchSize),
    records: projectRange(records, 0, batchSize, result.toJson),
  };
}

/**
 * GET …/query/<01g…>-<offset>: the page starting at offset, as JSON text; the last page frees the
 * locator. While the client reads a page, the next one is serialised ahead (after this answer is
 * written), so asking for it costs only the lookup, as long as nothing was written meanwhile.
 */
export function nextPageBody(
  org: Org,
  userId: string,
  locatorText: string,
  batchHint: number | undefined,
  version: string,
): string {
  const m = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(locatorText);
  if (!m) throw invalidLocator();
  const store = queryLocators(org);
  const locator = store.use(userId, m[1]);
  const offset = Number(m[2]);
  if (offset > locator.records.length) throw invalidLocator();
  const batch = batchHint ?? locator.batchSize;
  const prepared = locator.prepared;
  locator.prepared = undefined;
  const revision = org.store.revision;
  const body =
    prepared && prepared.offset === offset && prepared.batch === batch && prepared.revision === revision
      ? prepared.body
      : JSON.stringify(pageAt(locator, offset, batch, version));
  const end = Math.min(locator.records.length, offset + batch);
  if (end >= locator.records.length) {
    store.release(locator.id);
    return body;
  }
  prepareAhead(org, locator, end, batch, version);
  return body;
}

/** Serialises the page at `offset` once the answer in hand is written, for the request that follows it. */
function prepareAhead(org: Org, locator: Locator, offset: number, batch: number, version: string): void {
  setImmediate(() => {
    if (!queryLocators(org).isOpen(locator.id) || locator.prepared) return;
    const page = JSON.stringify(pageAt(locator, offset, batch, version));
    locator.prepared = { offset, batch, revision: org.store.revision, body: page };
  });
}

/** The same page as an object (for callers inside the emulator and its tests). */
export function nextPage(
  org: Org,
  userId: string,
  locatorText: string,
  batchHint: number | undefined,
  version: string,
): QueryPage {
  return JSON.parse(nextPageBody(org, userId, locatorText, batchHint, version)) as QueryPage;
}

function pageAt(locator: Locator, offset: number, batch: number, version: string): QueryPage {
  const total = locator.records.length;
  const end = Math.min(total, offset + batch);
  const page: QueryPage = {
    totalSize: total,
    done: end >= total,
    records: projectRange(locator.records, offset, end, locator.toJson),
  };
  if (!page.done) page.nextRecordsUrl = nextUrl(version, locator.path, locator.id, end);
  return page;
}

function projectRange<T, U>(rows: T[], from: number, to: number, project: (row: T) => U): U[] {
  const end = Math.min(to, rows.length);
  const out = new Array<U>(Math.max(0, end - from));
  for (let i = from; i < end; i++) out[i - from] = project(rows[i]);
  return out;
}
