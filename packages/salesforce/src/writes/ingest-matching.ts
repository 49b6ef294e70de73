/**
 * Bulk API 2.0 answers a job's rows in three files (successful, failed, unprocessed), in no
 * promised order, each row echoing the columns as they were uploaded. Matching them back to the
 * inputs: by the record Id for update and delete, by the external id for upsert, by the row's own
 * content for insert (identical rows are interchangeable, so which of them gets which result does
 * not matter). Among inputs sharing an Id or external id, the one whose content the result echoes
 * is preferred. Pure: no I/O, memory of one key and one content digest per input row.
 */
import { createHash } from "node:crypto";
import type { CsvRecord } from "../bulk/csv-records.ts";
import { parseSfError } from "./record-errors.ts";
import type { IngestOutcome, IngestRowResult, RecordError, WriteOperation } from "./write-types.ts";

export interface IngestMatchSpec {
  operation: WriteOperation;
  /** The upsert's key column. */
  externalIdField?: string;
  /** The header as uploaded. */
  columns: readonly string[];
  /** Index of the first input row (bulkIngest counts across jobs); 0 by default. */
  firstIndex?: number;
}

interface Queue {
  rows: number[];
  head: number;
}

/** Reads a cell the way the CSV reader gives it back: an empty cell is null. */
function digest(cells: ReadonlyArray<string | null>): string {
  const text = JSON.stringify(cells.map((c) => (c === "" ? null : c)));
  return createHash("sha1").update(text).digest("base64");
}

/** Collects a job's inputs, then settles each result row on one of them. */
export class IngestMatcher {
  private readonly spec: IngestMatchSpec;
  private readonly keyColumn: number;
  private readonly byKey = new Map<string, Queue>();
  private readonly contents: string[] = [];
  private readonly settled: Array<IngestRowResult | undefined> = [];
  /** Result rows that matched no input (there should be none). */
  unmatched = 0;

  constructor(spec: IngestMatchSpec) {
    this.spec = spec;
    const wanted =
      spec.operation === "upsert"
        ? (spec.externalIdField ?? "").toLowerCase()
        : spec.operation === "insert"
          ? undefined
          : "id";
    this.keyColumn = wanted === undefined ? -1 : spec.columns.findIndex((c) => c.toLowerCase() === wanted);
    if (wanted !== undefined && this.keyColumn < 0)
      throw new TypeError(`a Bulk ${spec.operation} needs a ${wanted === "id" ? "Id" : spec.externalIdField} column`);
  }

  get size(): number {
    return this.contents.length;
  }

  /** One input row, its cells as uploaded under the columns. */
  add(cells: readonly string[]): void {
    const content = digest(cells);
    const key = this.keyColumn < 0 ? content : (cells[this.keyColumn] ?? "");
    const local = this.contents.length;
    this.contents.push(this.keyColumn < 0 ? "" : content);
    this.settled.push(undefined);
    const queue = this.byKey.get(key);
    if (queue) queue.rows.push(local);
    else this.byKey.set(key, { rows: [local], head: 0 });
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
    const id = row.sf__Id || (this.keyColumn >= 0 && this.spec.operation !== "upsert" ? this.keyOf(row) : null);
    this.settled[local] = this.result(local, "failed", {
      id: id === "" ? null : id,
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

  private result(
    local: number,
    outcome: IngestOutcome,
    fields: Omit<IngestRowResult, "index" | "outcome">,
  ): IngestRowResult {
    return { index: (this.spec.firstIndex ?? 0) + local, outcome, ...fields };
  }

  private keyOf(row: CsvRecord): string {
    return row[this.spec.columns[this.keyColumn]] ?? "";
  }

  private take(row: CsvRecord): number | undefined {
    const cells = this.spec.columns.map((c) => row[c] ?? null);
    const content = digest(cells);
    const queue = this.byKey.get(this.keyColumn < 0 ? content : this.keyOf(row));
    if (!queue || queue.head >= queue.rows.length) {
      this.unmatched++;
      return undefined;
    }
    if (this.keyColumn >= 0 && queue.rows.length - queue.head > 1) {
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
  spec: IngestMatchSpec,
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
