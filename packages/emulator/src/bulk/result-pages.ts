import type { SoqlResult } from "../soql/types.ts";
import { csvRow, quoted } from "./csv-text.ts";

/** Rows per results page when the client sets no maxRecords. */
export const DEFAULT_PAGE_ROWS = 50_000;

/** Salesforce's locators are the base64 of the row offset, unpadded ("MTAwMDA" is row 10000). */
export function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString("base64").replace(/=+$/, "");
}

export function decodeLocator(locator: string): number | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(locator)) return undefined;
  const text = Buffer.from(locator, "base64").toString("utf8");
  return /^(0|[1-9]\d{0,15})$/.test(text) ? Number(text) : undefined;
}

/** maxRecords as given: absent, a positive whole number, or unusable. */
export function parseMaxRecords(text: string | undefined): number | undefined | "invalid" {
  if (text === undefined || text === "") return undefined;
  return /^[1-9]\d{0,9}$/.test(text) ? Number(text) : "invalid";
}

export interface PageBounds {
  start: number;
  end: number;
  /** Offset of the next page, or null on the last one. */
  next: number | null;
}

export function pageBounds(total: number, start: number, maxRecords: number | undefined): PageBounds {
  const from = Math.min(start, total);
  const end = Math.min(total, from + (maxRecords ?? DEFAULT_PAGE_ROWS));
  return { start: from, end, next: end < total ? end : null };
}

/** Rows of a results page turned into one piece of text at a time. */
const ROWS_PER_PIECE = 1_000;

/**
 * One results page as it is sent, a piece of a thousand rows at a time: the header row, then the rows of
 * [start, end), every value quoted. Each piece is made when the answer's reader wants more, so a page of 50,000 rows
 * starts going out at once and is never all in memory.
 */
export function* resultPageCsv(
  result: SoqlResult,
  bounds: PageBounds,
  delimiter: string,
  lineEnding: string,
): Generator<Buffer> {
  let parts: string[] = [result.columns.map(quoted).join(delimiter) + lineEnding];
  const { records, toCsvRow } = result;
  for (let i = bounds.start; i < bounds.end; i++) {
    parts.push(csvRow(toCsvRow(records[i]), delimiter, lineEnding));
    if (parts.length >= ROWS_PER_PIECE) {
      yield Buffer.from(parts.join(""));
      parts = [];
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(""));
}
