/**
 * Bulk API 2.0 answers a job's rows in three files (successful, failed, unprocessed), in no
 * promised order, each row echoing the columns as they were uploaded. Matching them back to the
 * inputs: by the record Id for update and delete, by the external id for upsert, by the row's own
 * content for insert (identical rows are interchangeable, so which of them gets which result does
 * not matter). Among inputs sharing an Id or external id, the one whose content the result echoes
 * is preferred. A row's content is its non-empty cells by column name, so the column order of
 * the upload does not matter. Pure: no I/O; memory of one key and 4 bytes per input row.
 */
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

/** Inputs sharing one key, in input order; `head` is the first not yet settled. */
interface Queue {
  rows: number[];
  head: number;
}

type Cells = Array<[column: string, cell: string]>;

/** Two independent 32-bit hashes of a row's content: 64 bits to key an insert's rows. */
interface Hash {
  high: number;
  low: number;
}

/**
 * The non-empty cells by column name, in one canonical order (what a result row echoes), hashed
 * with two 32-bit FNV-1a variants in one pass: among a million rows the chance of two distinct
 * ones colliding is below one in ten million, at a fraction of a cryptographic hash's cost.
 */
function digest(cells: Cells): Hash {
  const filled = cells.filter(([, cell]) => cell !== "");
  if (filled.length > 1) filled.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let high = 0x811c9dc5;
  let low = 0x01000193 ^ 0x5bd1e995;
  const mix = (code: number) => {
    high = Math.imul(high ^ code, 0x01000193);
    low = Math.imul(low ^ code, 0x5bd1e995) ^ (low >>> 15);
  };
  for (const [column, cell] of filled) {
    for (let i = 0; i < column.length; i++) mix(column.charCodeAt(i));
    mix(0x1f);
    for (let i = 0; i < cell.length; i++) mix(cell.charCodeAt(i));
    mix(0x1e);
  }
  return { high: high >>> 0, low: low >>> 0 };
}

const contentKey = (hash: Hash) => `${hash.high.toString(36)}.${hash.low.toString(36)}`;
const contentTag = (hash: Hash) => hash.low;

/** Collects a job's inputs, then settles each result row on one of them. */
export class IngestMatcher {
  private readonly spec: IngestMatchSpec;
  /** Lower-cased name of the key column; undefined for insert (the content is the key). */
  private readonly keyName: string | undefined;
  /** An input's local index when it alone has its key, a queue when several share it. */
  private readonly byKey = new Map<string, number | Queue>();
  /** Per input, a 32-bit tag of its content (4 bytes a row, kept in a growing typed array). */
  private tags = new Uint32Array(1024);
  private count = 0;
  private readonly settled: Array<IngestRowResult | undefined> = [];
  /** The result files' name of the key column, once a row showed it. */
  private keyColumn: string | undefined;
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
    return this.count;
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
    const id = row.sf__Id || (this.keyName === "id" ? this.keyOfRow(row) : null);
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
    const hash = digest(cells);
    const key = this.keyName === undefined ? contentKey(hash) : this.keyOf(cells);
    const local = this.count++;
    if (local === this.tags.length) {
      const grown = new Uint32Array(this.tags.length * 2);
      grown.set(this.tags);
      this.tags = grown;
    }
    this.tags[local] = contentTag(hash);
    this.settled.push(undefined);
    const known = this.byKey.get(key);
    if (known === undefined) this.byKey.set(key, local);
    else if (typeof known === "number") this.byKey.set(key, { rows: [known, local], head: 0 });
    else known.rows.push(local);
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

  /**
   * The key cell of a result row, read from the row itself (no cells built: a million result rows
   * make no garbage for it); the column that held it is remembered, since every row of a file has it.
   */
  private keyOfRow(row: CsvRecord): string {
    const remembered = this.keyColumn;
    if (remembered !== undefined && Object.hasOwn(row, remembered)) return row[remembered] ?? "";
    for (const column in row)
      if (!column.startsWith("sf__") && column.toLowerCase() === this.keyName) {
        this.keyColumn = column;
        return row[column] ?? "";
      }
    return "";
  }

  private take(row: CsvRecord): number | undefined {
    // Keyed rows are hashed only when several inputs share their key.
    const cells = this.keyName === undefined ? echoed(row) : undefined;
    const key = cells ? contentKey(digest(cells)) : this.keyOfRow(row);
    const known = this.byKey.get(key);
    if (typeof known === "number") {
      this.byKey.delete(key);
      return known;
    }
    if (known === undefined || known.head >= known.rows.length) {
      this.unmatched++;
      return undefined;
    }
    if (this.keyName !== undefined && known.rows.length - known.head > 1) {
      // Several inputs share the key: prefer the one whose content this row echoes.
      const tag = contentTag(digest(cells ?? echoed(row)));
      for (let i = known.head; i < known.rows.length; i++) {
        const local = known.rows[i];
        if (this.tags[local] !== tag) continue;
        known.rows.splice(i, 1);
        known.rows.splice(known.head, 0, local);
        break;
      }
    }
    return known.rows[known.head++];
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
