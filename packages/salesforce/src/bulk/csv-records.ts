/**
 * Streaming reader for the CSV that Bulk API 2.0 query results come in: comma separated, a
 * header row of field names, RFC 4180 quoting (doubled quotes, line breaks inside quotes).
 * Input is read chunk by chunk: a quote, a line break or a multi-byte UTF-8 character may be
 * split between two chunks, and memory holds only the row being read and the records the
 * current chunk completed.
 *
 * Salesforce quotes every value and writes null as an empty value, so an empty value (quoted or
 * not) reads as null: Bulk results cannot tell an empty string from null.
 */

import { type ClassifiedFailure, lookupError, type RetryAdvice } from "../error-table.ts";

export type CsvRecord = Record<string, string | null>;

/** A stream of chunks: a Readable, an async generator, or an array of chunks. */
export type CsvSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** The text is not CSV as Bulk writes it; `row` counts from 1, the header being row 1. */
export class CsvFormatError extends Error implements ClassifiedFailure {
  override readonly name = "CsvFormatError";
  readonly row: number;
  readonly reason: string;
  readonly retry: RetryAdvice;
  readonly customerAction = false;
  readonly remedy?: string;
  constructor(message: string, row: number) {
    super(`${message} (CSV row ${row})`);
    this.row = row;
    // Bulk results are the only CSV read here: an unreadable page is one the table knows.
    const outcome = lookupError("bulk", "results_unreadable", 0);
    this.reason = outcome.reason;
    this.retry = outcome.retry;
    this.remedy = outcome.remedy;
  }
}

// Where the reader stands; plain numbers, since the code runs with type stripping (no enums).
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote seen inside a quoted value: a doubled quote, or the end of the value. */
const QUOTE_SEEN = 3;
/** A carriage return outside quotes: the first half of a CRLF row end. */
const CR_SEEN = 4;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * The incremental reader: `push` each chunk, then `end`. Records come out as soon as their row
 * is complete.
 */
export class CsvRecordParser {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private state = FIELD_START;
  private field = "";
  private row: (string | null)[] = [];
  private rowNumber = 1;
  private header: string[] | null = null;
  private ended = false;
  private started = false;
  private build: (row: (string | null)[]) => CsvRecord = () => ({});

  /** The header's field names, once the header row has been read. */
  get columns(): readonly string[] | null {
    return this.header;
  }

  /** Reads one chunk; the records it completes are appended to `into`, which is returned. */
  push(chunk: Uint8Array | string, into: CsvRecord[] = []): CsvRecord[] {
    if (this.ended) throw new Error("CsvRecordParser: push after end");
    let text: string;
    try {
      text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new CsvFormatError("the text is not valid UTF-8", this.rowNumber);
    }
    if (!this.started && text !== "") {
      // The decoder drops a byte order mark; text given as strings may still start with one.
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.scan(text, into);
    return into;
  }

  /** Finishes the input: a last row without a line break is read, an open quote is an error. */
  end(into: CsvRecord[] = []): CsvRecord[] {
    if (this.ended) return into;
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      throw new CsvFormatError("the text ends inside a UTF-8 character", this.rowNumber);
    }
    this.scan(rest, into);
    this.ended = true;
    if (this.state === QUOTED) throw new CsvFormatError("the text ends inside a quoted value", this.rowNumber);
    if ((this.state === FIELD_START || this.state === CR_SEEN) && this.row.length === 0) return into;
    if (this.state !== CR_SEEN) this.commitField();
    this.endRow(into);
    return into;
  }

  private scan(text: string, into: CsvRecord[]): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case QUOTED: {
          const close = text.indexOf('"', i);
          if (close === -1) {
            this.field += text.slice(i);
            return;
          }
          this.field += text.slice(i, close);
          this.state = QUOTE_SEEN;
          i = close + 1;
          break;
        }
        case QUOTE_SEEN: {
          const c = text.charCodeAt(i++);
          if (c === QUOTE) {
            this.field += '"';
            this.state = QUOTED;
          } else this.afterValue(c, into, "a closing quote");
          break;
        }
        case CR_SEEN: {
          if (text.charCodeAt(i++) !== LF) throw new CsvFormatError("a carriage return outside quotes", this.rowNumber);
          if (this.row.length > 0) this.endRow(into);
          this.state = FIELD_START;
          break;
        }
        case FIELD_START: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.state = QUOTED;
            i++;
          } else if ((c === LF || c === CR) && this.row.length === 0) {
            // A blank line holds no record.
            if (c === CR) this.state = CR_SEEN;
            i++;
          } else this.state = UNQUOTED;
          break;
        }
        default: {
          // UNQUOTED: the value runs to the next comma or line break.
          let j = i;
          let c = 0;
          while (j < n) {
            c = text.charCodeAt(j);
            if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
            j++;
          }
          this.field += text.slice(i, j);
          if (j === n) return;
          if (c === QUOTE) throw new CsvFormatError("a quote inside an unquoted value", this.rowNumber);
          i = j + 1;
          this.afterValue(c, into, "a value");
        }
      }
    }
  }

  /** The character after a value: a comma, a line break, or the start of a CRLF. */
  private afterValue(c: number, into: CsvRecord[], what: string): void {
    if (c === COMMA) {
      this.commitField();
      this.state = FIELD_START;
    } else if (c === LF) {
      this.commitField();
      this.endRow(into);
      this.state = FIELD_START;
    } else if (c === CR) {
      this.commitField();
      this.state = CR_SEEN;
    } else {
      const shown = JSON.stringify(String.fromCharCode(c));
      throw new CsvFormatError(`${shown} after ${what}, where a comma or a line break belongs`, this.rowNumber);
    }
  }

  private commitField(): void {
    this.row.push(this.field === "" ? null : this.field);
    this.field = "";
  }

  private endRow(into: CsvRecord[]): void {
    const row = this.row;
    this.row = [];
    if (this.header === null) {
      this.header = headerOf(row, this.rowNumber);
      this.build = recordBuilder(this.header);
    } else {
      if (row.length !== this.header.length) {
        throw new CsvFormatError(
          `${row.length} values where the header has ${this.header.length} columns`,
          this.rowNumber,
        );
      }
      into.push(this.build(row));
    }
    this.rowNumber++;
  }
}

function headerOf(row: (string | null)[], rowNumber: number): string[] {
  const names = row.map((name, i) => {
    if (name === null) throw new CsvFormatError(`column ${i + 1} of the header has no name`, rowNumber);
    return name;
  });
  if (new Set(names).size !== names.length) throw new CsvFormatError("the header names a column twice", rowNumber);
  return names;
}

/**
 * Records of one header are built by one object literal, so they share a shape with their values
 * in the object itself: wide rows (20 columns and more) built key by key turn into slower,
 * twice-as-large dictionaries. A column named __proto__ takes the careful path, so it stays an
 * ordinary key instead of replacing the prototype.
 */
function recordBuilder(header: string[]): (row: (string | null)[]) => CsvRecord {
  if (header.includes("__proto__")) {
    return (row) => {
      const record: CsvRecord = {};
      for (let i = 0; i < header.length; i++)
        Object.defineProperty(record, header[i], {
          value: row[i],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return record;
    };
  }
  const fields = header.map((key, i) => `${JSON.stringify(key)}: r[${i}]`).join(", ");
  return new Function("r", `return { ${fields} };`) as (row: (string | null)[]) => CsvRecord;
}

/** The records of a CSV stream, one at a time, parsed as the chunks arrive. */
export async function* csvRecords(source: CsvSource): AsyncGenerator<CsvRecord> {
  const parser = new CsvRecordParser();
  for await (const chunk of source) yield* parser.push(chunk);
  yield* parser.end();
}

/** Every record of a CSV stream in one array, parsed chunk by chunk (the text is never held whole). */
export async function readCsvRecords(source: CsvSource, into: CsvRecord[] = []): Promise<CsvRecord[]> {
  const parser = new CsvRecordParser();
  for await (const chunk of source) parser.push(chunk, into);
  return parser.end(into);
}
