/**
 * Bulk API 2.0 answers a job's rows in three files (successful, failed, unprocessed), in no
 * promised order, each row echoing the columns as they were uploaded. Matching them back to the
 * inputs: by the record Id for update and delete, by the external id for upsert, by the row's own
 * content for insert (identical rows are interchangeable, so which of them gets which result does
 * not matter). Among inputs sharing an Id or external id, the one whose content the result echoes
 * is preferred. A row's content is its non-empty cells by column name, so the column order of
 * the upload does not matter. Pure: no I/O, memory of one key and one digest per input row.
 */
import { createHash } from "node:crypto";
import type { CsvRecord } from "../bulk/csv-records.ts";
import { parseSfError } from "./record-errors.ts";
import { recordCells } from "./record-shapes.ts";
import type { IngestOutcome, IngestRowResult, RecordError, WriteOperation, WriteRecord } from "./write-types.ts";

export interface IngestMatchSpec {
  operation: WriteOperation;
  /** The upsert's key column. */
  externalIdField?: string;
  /** The header as uploaded, for inputs given as cell arrays (`add`). */
  columns?: readonly string[];
  /** Index of the first input row (bulkIngest counts across jobs); 0 by default. */
  firstIndex?: number;
}

interface Queue {
  rows: number[];
  head: number;
}

type Cells = Array<[column: string, cell: string]>;

/** The non-empty cells by column name, in one canonical order: what a result row echoes. */
function digest(cells: Cells): string {
  const filled = cells.filter(([, cell]) => cell !== "").sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha1").update(JSON.stringify(filled)).digest("base64");
}

/** Collects a job's inputs, then settles each result row on one of them. */
export class IngestMatcher {
  private readonly spec: IngestMatchSpec;
  /** Lower-cased name of the key column; undefined for insert (the content is the key). */
  private readonly keyName: string | undefined;
  private readonly byKey = new Map<string, Queue>();
  private readonly contents: string[] = [];
  private readonly settled: Array<IngestRowResult | undefined> = [];
  /** Result rows that matched no input (there should be none). */
  unmatched = 0;

  constructor(spec: IngestMatchSpec) {
    this.spec = spec;
    this.keyName =
      spec.operation === "upsert"
        ? (spec.externalIdField ?? "").toLowerCase()
        : spec.operation === "insert"
          ? undefined
          : "id";
    if (spec.operation === "upsert" && !spec.externalIdField) throw new TypeError("an upsert needs externalIdField");
    if (this.keyName !== undefined && spec.columns && !spec.columns.some((c) => c.toLowerCase() === this.keyName))
      throw new TypeError(
        `a Bulk ${spec.operation} needs a ${this.keyName === "id" ? "Id" : spec.externalIdField} column`,
      );
  }

  get size(): number {
    return this.contents.length;
  }

  /** One input row as its cells under `spec.columns`, as uploaded. */
  add(cells: readonly string[]): void {
    const columns = this.spec.columns;
    if (!columns) throw new TypeError("IngestMatcher.add needs spec.columns; use addRecord for records");
    this.addCells(columns.map((c, i): [string, string] => [c, cells[i] ?? ""]));
  }

  /** One input record, as bulkIngest writes it to CSV. */
  addRecord(record: WriteRecord): void {
    this.addCells(recordCells(record));
  }

  /** One row of the successful results. */
  succeeded(row: CsvRecord): void {
    const local = this.take(row);
    if (local === undefined) return;
    this.settled[local] = this.result(local, "succeeded", {
      id: row.sf__Id ?? null,
      success: true,
      created: (row.sf__Created ?? "").toLowerCase() === "true",
      errors: [],
    });
  }

  /** One row of the failed results. */
  failed(row: CsvRecord): void {
    const local = this.take(row);
    if (local === undefined) return;
    const id = row.sf__Id || (this.keyName === "id" ? this.keyOf(echoed(row)) : null);
    this.settled[local] = this.result(local, "failed", {
      id: id || null,
      success: false,
      created: false,
      errors: [parseSfError(row.sf__Error)],
    });
  }

  /** One row of the unprocessed records; `errors` says why when the job failed. */
  unprocessed(row: CsvRecord, errors: RecordError[] = []): void {
    const local = this.take(row);
    if (local === undefined) return;
    this.settled[local] = this.result(local, "unprocessed", { id: null, success: false, created: false, errors });
  }

  /** Every input's result in input order; inputs no file named are `missing`. */
  results(): IngestRowResult[] {
    return this.settled.map(
      (r, local) => r ?? this.result(local, "missing", { id: null, success: false, created: false, errors: [] }),
    );
  }

  private addCells(cells: Cells): void {
    const content = digest(cells);
    const key = this.keyName === undefined ? content : this.keyOf(cells);
    const local = this.contents.length;
    this.contents.push(this.keyName === undefined ? "" : content);
    this.settled.push(undefined);
    const queue = this.byKey.get(key);
    if (queue) queue.rows.push(local);
    else this.byKey.set(key, { rows: [local], head: 0 });
  }

  private result(
    local: number,
    outcome: IngestOutcome,
    fields: Omit<IngestRowResult, "index" | "outcome">,
  ): IngestRowResult {
    return { index: (this.spec.firstIndex ?? 0) + local, outcome, ...fields };
  }

  private keyOf(cells: Cells): string {
    return cells.find(([c]) => c.toLowerCase() === this.keyName)?.[1] ?? "";
  }

  private take(row: CsvRecord): number | undefined {
    const cells = echoed(row);
    const content = digest(cells);
    const queue = this.byKey.get(this.keyName === undefined ? content : this.keyOf(cells));
    if (!queue || queue.head >= queue.rows.length) {
      this.unmatched++;
      return undefined;
    }
    if (this.keyName !== undefined && queue.rows.length - queue.head > 1) {
      // Several inputs share the key: prefer the one whose content this row echoes.
      for (let i = queue.head; i < queue.rows.length; i++) {
        const local = queue.rows[i];
        if (this.contents[local] !== content) continue;
        queue.rows.splice(i, 1);
        queue.rows.splice(queue.head, 0, local);
        break;
      }
    }
    return queue.rows[queue.head++];
  }
}

/** The uploaded columns a result row echoes (its `sf__` columns left out); empty cells read as null. */
function echoed(row: CsvRecord): Cells {
  const cells: Cells = [];
  for (const [column, cell] of Object.entries(row)) if (!column.startsWith("sf__")) cells.push([column, cell ?? ""]);
  return cells;
}

export interface IngestResultFiles {
  successful: Iterable<CsvRecord>;
  failed: Iterable<CsvRecord>;
  unprocessed: Iterable<CsvRecord>;
}

/**
 * The results of one Bulk job matched back to its inputs: one result per input row, in input
 * order. `rows` are the inputs' cells as uploaded under `spec.columns`.
 */
export function matchIngestResults(
  spec: IngestMatchSpec & { columns: readonly string[] },
  rows: Iterable<readonly string[]>,
  files: IngestResultFiles,
): IngestRowResult[] {
  const matcher = new IngestMatcher(spec);
  for (const cells of rows) matcher.add(cells);
  for (const row of files.successful) matcher.succeeded(row);
  for (const row of files.failed) matcher.failed(row);
  for (const row of files.unprocessed) matcher.unprocessed(row);
  return matcher.results();
}
