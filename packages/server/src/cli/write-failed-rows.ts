import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { createInterface } from "node:readline";
import { CsvRecordParser, csvLine, recordCells, rowCells } from "@forcelink/salesforce";
import type { Platform } from "../platform/platform.ts";
import { recordsPage, type WriteRecordRow } from "../writes/write-store.ts";

/**
 * The rows of a write that did not make it (failed, or whose outcome is unknown), as a CSV beside
 * the input: the record's own columns as the write took them (a parent reference as
 * `Account.Ext_Id__c`, null as `#N/A`), then why: `error_code`, `error_message`, `error_fields`.
 * Fix the cells, drop the three error columns, and the file is a write's input again.
 */

export const ERROR_COLUMNS = ["error_code", "error_message", "error_fields"] as const;

const PAGE = 1000;

type Store = Pick<Platform, "db" | "clock" | "config">;

/** `contacts.csv` → `contacts.failed.csv`, `leads.ndjson` → `leads.failed.csv`, in the input's folder. */
export function failedRowsPath(input: string): string {
  const ext = extname(input);
  return join(dirname(input), `${basename(input, ext)}.failed.csv`);
}

/**
 * Writes the failed and unknown records to `path` (through a temporary file); answers how many.
 * Columns come in the input's order (`inputColumns`), then any the input's first record lacked.
 */
export async function writeFailedRows(
  platform: Store,
  writeId: string,
  path: string,
  inputOrder: readonly string[] = [],
): Promise<number> {
  const columns = new Set<string>();
  for await (const record of unsettledRecords(platform, writeId))
    for (const [column] of recordCells(record.data)) columns.add(column);
  const header = [...inputOrder.filter((c) => columns.has(c)), ...[...columns].filter((c) => !inputOrder.includes(c))];
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  let rows = 0;
  try {
    await put(out, csvLine([...header, ...ERROR_COLUMNS]));
    for await (const record of unsettledRecords(platform, writeId)) {
      await put(out, csvLine([...rowCells(record.data, header), ...errorCells(record)]));
      rows++;
    }
    out.end();
    await once(out, "finish");
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, path);
  return rows;
}

/**
 * The columns of the input as it was written (a CSV header, or the first NDJSON record's fields):
 * the store keeps each record as JSON, which does not keep the order of its fields. Best effort:
 * nothing when the input cannot be read that far.
 */
export async function inputColumns(file: string, format: "csv" | "ndjson"): Promise<string[]> {
  const stream = createReadStream(file, { encoding: "utf8" });
  try {
    if (format === "csv") {
      const parser = new CsvRecordParser();
      for await (const chunk of stream) {
        parser.push(chunk as string);
        if (parser.columns) return parser.columns.map((c) => c.trim());
      }
      return [];
    }
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }))
      if (line.trim() !== "") return recordCells(JSON.parse(line)).map(([column]) => column);
    return [];
  } catch {
    return [];
  } finally {
    stream.destroy();
  }
}

async function put(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

interface StoredError {
  code?: unknown;
  message?: unknown;
  fields?: unknown;
}

/** Codes and fields joined by `;`, messages by ` | `, in the order Salesforce gave them. */
function errorCells(record: WriteRecordRow): string[] {
  const errors = (record.errors ?? []) as StoredError[];
  if (errors.length === 0 && record.status === "unknown")
    return [
      "UNKNOWN_OUTCOME",
      "The outcome of this record could not be known; check in Salesforce whether it was written before sending it again.",
      "",
    ];
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return [
    errors.map((e) => text(e.code)).join(";"),
    errors.map((e) => text(e.message)).join(" | "),
    [...new Set(errors.flatMap((e) => (Array.isArray(e.fields) ? e.fields.map(text) : [])))].join(";"),
  ];
}

/** The failed and the unknown records of a write, merged in input order, a page at a time. */
async function* unsettledRecords(platform: Store, writeId: string): AsyncGenerator<WriteRecordRow> {
  const failed = byStatus(platform, writeId, "failed");
  const unknown = byStatus(platform, writeId, "unknown");
  let a = await failed.next();
  let b = await unknown.next();
  while (!a.done || !b.done) {
    if (b.done || (!a.done && a.value.idx < b.value.idx)) {
      yield a.value as WriteRecordRow;
      a = await failed.next();
    } else {
      yield b.value;
      b = await unknown.next();
    }
  }
}

async function* byStatus(
  platform: Store,
  writeId: string,
  status: "failed" | "unknown",
): AsyncGenerator<WriteRecordRow> {
  let afterIndex: number | undefined;
  for (;;) {
    const page = await recordsPage(platform, writeId, { status, afterIndex, limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    afterIndex = page[page.length - 1].idx;
  }
}
