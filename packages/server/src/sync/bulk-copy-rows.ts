import { isUtf8 } from "node:buffer";
import { CsvFormatError } from "@forcelink/salesforce";
import type { FieldSchema } from "./destinations/destination.ts";
import { normalizeValue } from "./record-values.ts";

/**
 * Bulk API 2.0 result CSV turned into PostgreSQL COPY text (tab separated, `\N` for null) byte by byte, with no
 * object, array or string per record: the fast path of a Bulk read into a destination that takes rows. Values are
 * normalised exactly as `normalizeValue` does for the records path (booleans, numbers, datetimes; an empty value is
 * null), so both paths store the same thing. Reads CSV as Bulk writes it (RFC 4180, every value quoted or not, LF or
 * CRLF) and throws CsvFormatError where the records path's parser does.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const BACKSLASH = 0x5c;

// What a column becomes; plain numbers, since the code runs with type stripping (no enums).
const SKIP = 0;
const TEXT = 1;
const BOOLEAN = 2;
const NUMBER = 3;
const DATETIME = 4;

const NUMBER_TYPES = new Set(["int", "long", "double", "currency", "percent"]);
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL_CELL = Buffer.from("\\N");
/** `2026-01-02T03:04:05.000Z`: digits everywhere but these offsets. */
const ISO_SEPARATORS: Record<number, number> = { 4: 0x2d, 7: 0x2d, 10: 0x54, 13: 0x3a, 16: 0x3a, 19: 0x2e, 23: 0x5a };
const NEW_LINE = Buffer.from("\n");
const EMPTY = Buffer.alloc(0);
/** The input gathered at a time: decoded chunks are 16 KiB. */
const WORK_BYTES = 256 * 1024;
/** Output written into one allocation after another. */
const ARENA_BYTES = 1024 * 1024;
/** Digits a decimal may have and still come back the same from a double (DBL_DIG). */
const EXACT_DIGITS = 15;

export interface CopyRowsResult {
  /** Data rows read (the header not counted). */
  rows: number;
  /** Rows whose IsDeleted is true. */
  deleted: number;
  /** The last row's Id and cursor value as normalised, for the checkpoint; null before any row. */
  last: { id: string | null; cursor: string | null } | null;
}

/**
 * One page's transcoder: `start` reads up to the header and answers the fields the COPY carries (schema names, in
 * CSV order); the data then streams through `rows`. Schema fields the CSV lacks are left to the table's default
 * (null), as the records path gives them null.
 */
export class BulkCopyRows {
  private readonly fields: readonly FieldSchema[];
  private readonly cursorField: string | null;
  private kinds: number[] = [];
  private idColumn = -1;
  private cursorColumn = -1;
  private deletedColumn = -1;
  private lastOutput: Buffer | null = null;
  /** Where the last complete row's Id and cursor cells sit in `lastOutput`. */
  private readonly lastCells = new Int32Array(4);
  private rowNumber = 1;
  private readonly result: CopyRowsResult = { rows: 0, deleted: 0, last: null };
  private arena: Buffer = EMPTY;
  private arenaUsed = 0;

  constructor(fields: readonly FieldSchema[], cursorField: string | null) {
    this.fields = fields;
    this.cursorField = cursorField;
  }

  /** What was read so far; complete once `rows` has been drained. */
  get summary(): CopyRowsResult {
    const out = this.lastOutput;
    if (out && this.result.rows > 0) {
      this.result.last = {
        id: cellText(out, this.lastCells[0], this.lastCells[1]),
        cursor: this.cursorColumn >= 0 ? cellText(out, this.lastCells[2], this.lastCells[3]) : null,
      };
    }
    return this.result;
  }

  /**
   * Reads the header from `source` (decoded CSV bytes). Answers the schema fields in the order the COPY rows carry
   * them, or null when the page is empty (no header at all), and the COPY text of the rest.
   */
  async start(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<{ fields: string[]; rows: AsyncIterable<Buffer> } | null> {
    const iterator: AsyncIterator<Uint8Array> =
      Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : (async function* () {
            yield* source;
          })();
    let carry: Buffer = Buffer.alloc(0);
    let bomChecked = false;
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        if (carry.length === 0) return null;
        carry = Buffer.concat([carry, Buffer.from([LF])]);
      } else {
        carry = carry.length === 0 ? Buffer.from(next.value) : Buffer.concat([carry, next.value]);
        if (!bomChecked && carry.length >= 3) {
          bomChecked = true;
          if (carry[0] === 0xef && carry[1] === 0xbb && carry[2] === 0xbf) carry = carry.subarray(3);
        }
      }
      const end = headerEnd(carry);
      if (end < 0) {
        if (next.done) throw new CsvFormatError("the text ends inside a quoted value", 1);
        continue;
      }
      const names = this.readHeader(carry.subarray(0, end));
      const rest = carry.subarray(end);
      return { fields: names, rows: this.transcode(rest, iterator, next.done === true) };
    }
  }

  private readHeader(line: Buffer): string[] {
    if (!isUtf8(line)) throw new CsvFormatError("the text is not valid UTF-8", 1);
    const names: string[] = [];
    const text = line.toString("utf8").replace(/\r?\n$/, "");
    // Header names are API names: quoted or not, never holding a quote, comma or line break.
    for (const cell of text.split(",")) {
      const name = cell.startsWith('"') && cell.endsWith('"') && cell.length >= 2 ? cell.slice(1, -1) : cell;
      if (name === "") throw new CsvFormatError(`column ${names.length + 1} of the header has no name`, 1);
      names.push(name);
    }
    if (new Set(names).size !== names.length) throw new CsvFormatError("the header names a column twice", 1);
    this.rowNumber = 2;
    // Each schema field takes the column of its exact name, else the first of the same name in another case.
    const owner = new Array<number>(names.length).fill(-1);
    this.fields.forEach((field, f) => {
      let column = names.indexOf(field.name);
      if (column < 0) column = names.findIndex((n, i) => owner[i] < 0 && n.toLowerCase() === field.name.toLowerCase());
      if (column >= 0 && owner[column] < 0) owner[column] = f;
    });
    const carried: string[] = [];
    this.kinds = owner.map((f, column) => {
      if (f < 0) return SKIP;
      const field = this.fields[f];
      const position = carried.length;
      carried.push(field.name);
      if (field.name === "Id") this.idColumn = position;
      if (field.name === this.cursorField) this.cursorColumn = position;
      if (field.name === "IsDeleted" && field.type === "boolean") this.deletedColumn = column;
      return kindOf(field.type);
    });
    if (this.idColumn < 0) throw new CsvFormatError("the header has no Id column", 1);
    return carried;
  }

  /**
   * The rows of the page as COPY text, a piece per chunk read. The input is gathered in one reused buffer (a row cut
   * by a chunk's end waits there for the rest) and the output written into shared arenas, so the bytes allocated
   * stay close to the bytes sent: a page is tens of MB, and allocating three times that costs collections.
   */
  private async *transcode(head: Buffer, iterator: AsyncIterator<Uint8Array>, done: boolean): AsyncGenerator<Buffer> {
    let work = Buffer.allocUnsafeSlow(Math.max(WORK_BYTES, head.length * 2));
    head.copy(work);
    let length = head.length;
    for (;;) {
      if (!done) {
        const next = await iterator.next();
        let chunk: Uint8Array;
        if (next.done) {
          done = true;
          // A last row without its line break.
          chunk = length > 0 && work[length - 1] !== LF ? NEW_LINE : EMPTY;
        } else chunk = next.value;
        if (length + chunk.length > work.length) {
          const bigger = Buffer.allocUnsafeSlow(Math.max(work.length * 2, length + chunk.length));
          work.copy(bigger, 0, 0, length);
          work = bigger;
        }
        work.set(chunk, length);
        length += chunk.length;
      }
      const { output, used } = this.rows(work.subarray(0, length));
      if (output.length > 0) yield output;
      work.copyWithin(0, used, length);
      length -= used;
      if (done) {
        if (length > 0) throw new CsvFormatError("the text ends inside a quoted value", this.rowNumber);
        return;
      }
    }
  }

  /** Room to write `bytes` of output: the current arena past what it handed out, or a new arena. */
  private room(bytes: number): Buffer {
    if (this.arena.length - this.arenaUsed < bytes) {
      this.arena = Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, bytes));
      this.arenaUsed = 0;
    }
    return this.arena.subarray(this.arenaUsed);
  }

  /** The complete rows at the start of `input` as COPY text, and how many bytes they took. */
  private rows(input: Buffer): { output: Buffer; used: number } {
    const kinds = this.kinds;
    const width = kinds.length;
    // A cell's text takes at most three times its bytes in the CSV (`,` gives `\N` and a tab, escapes double a
    // byte); only a value rewritten through a number or a date can take more, and grows the buffer first.
    let out: Buffer = this.room(input.length * 3 + 256);
    let w = 0;
    let i = 0;
    let rowStart = 0;
    let rowOut = 0;
    const n = input.length;
    const cells = this.lastCells;
    let idStart = 0;
    let idEnd = 0;
    let cursorStart = 0;
    let cursorEnd = 0;
    rows: while (i < n) {
      // A blank line holds no record.
      if (input[i] === LF) {
        i++;
        rowStart = i;
        this.rowNumber++;
        continue;
      }
      if (input[i] === CR && i + 1 < n && input[i + 1] === LF) {
        i += 2;
        rowStart = i;
        this.rowNumber++;
        continue;
      }
      let column = 0;
      let carried = 0;
      let deleted = false;
      for (;;) {
        // One cell: its value runs from `start` to `end` (exclusive), `quoted` telling how to read it.
        const kind = column < width ? kinds[column] : SKIP;
        if (kind !== SKIP && carried > 0) out[w++] = TAB;
        const cellOut = w;
        let c = i < n ? input[i] : -1;
        if (c === QUOTE) {
          i++;
          const start = i;
          if (kind === TEXT) {
            // Copied as it is scanned, escaping as COPY text wants; a doubled quote is one quote of the value.
            for (;;) {
              if (i >= n) break rows;
              c = input[i];
              if (c > QUOTE && c !== BACKSLASH) {
                out[w++] = c;
                i++;
                continue;
              }
              if (c === QUOTE) {
                if (i + 1 >= n) break rows;
                if (input[i + 1] !== QUOTE) break;
                out[w++] = QUOTE;
                i += 2;
                continue;
              }
              if (c === BACKSLASH) {
                out[w++] = BACKSLASH;
                out[w++] = BACKSLASH;
              } else if (c === LF) {
                out[w++] = BACKSLASH;
                out[w++] = 0x6e;
              } else if (c === CR) {
                out[w++] = BACKSLASH;
                out[w++] = 0x72;
              } else if (c === TAB) {
                out[w++] = BACKSLASH;
                out[w++] = 0x74;
              } else out[w++] = c;
              i++;
            }
            if (i === start) {
              out[w++] = BACKSLASH;
              out[w++] = 0x4e;
            }
          } else {
            let q = input.indexOf(QUOTE, i);
            let escaped = false;
            while (q >= 0 && q + 1 < n && input[q + 1] === QUOTE) {
              escaped = true;
              q = input.indexOf(QUOTE, q + 2);
            }
            if (q < 0 || q + 1 >= n) break rows;
            i = q;
            if (kind !== SKIP) {
              if (out.length - w < 2 * (q - start) + 64) out = grow(out, w, 2 * (q - start) + 64);
              w = this.cell(kind, input, start, q, escaped, out, w);
            }
            if (column === this.deletedColumn) deleted = isTrue(input, start, q);
          }
          i++;
          c = i < n ? input[i] : -1;
        } else {
          const start = i;
          while (i < n) {
            c = input[i];
            if (c === COMMA || c === LF || c === CR) break;
            if (c === QUOTE) throw new CsvFormatError("a quote inside an unquoted value", this.rowNumber);
            i++;
          }
          if (i >= n) break rows;
          if (kind !== SKIP) {
            if (out.length - w < 2 * (i - start) + 64) out = grow(out, w, 2 * (i - start) + 64);
            w = this.cell(kind, input, start, i, false, out, w);
          }
          if (column === this.deletedColumn) deleted = isTrue(input, start, i);
        }
        if (kind !== SKIP) {
          if (carried === this.idColumn) {
            idStart = cellOut;
            idEnd = w;
          } else if (carried === this.cursorColumn) {
            cursorStart = cellOut;
            cursorEnd = w;
          }
          carried++;
        }
        column++;
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 >= n) break rows;
          if (input[i + 1] !== LF) throw new CsvFormatError("a carriage return outside quotes", this.rowNumber);
          i++;
        }
        if (c === LF || c === CR) {
          i++;
          break;
        }
        if (c === -1) break rows;
        const shown = JSON.stringify(String.fromCharCode(c));
        throw new CsvFormatError(
          `${shown} after a closing quote, where a comma or a line break belongs`,
          this.rowNumber,
        );
      }
      if (column !== width) {
        throw new CsvFormatError(`${column} values where the header has ${width} columns`, this.rowNumber);
      }
      out[w++] = LF;
      this.result.rows++;
      if (deleted) this.result.deleted++;
      cells[0] = idStart;
      cells[1] = idEnd;
      cells[2] = cursorStart;
      cells[3] = cursorEnd;
      this.rowNumber++;
      rowStart = i;
      rowOut = w;
    }
    if (!isUtf8(input.subarray(0, rowStart))) throw new CsvFormatError("the text is not valid UTF-8", this.rowNumber);
    const output = out.subarray(0, rowOut);
    if (rowOut > 0) this.lastOutput = output;
    // Handed out: the arena's next rows go after these (a grown buffer is the output's alone).
    if (out.buffer === this.arena.buffer) this.arenaUsed += rowOut;
    return { output, used: rowStart };
  }

  /** Writes one cell's value (input[start, end), doubled quotes if `escaped`) as COPY text; answers the new end. */
  private cell(kind: number, input: Buffer, start: number, end: number, escaped: boolean, out: Buffer, w: number) {
    if (start === end) {
      out[w] = BACKSLASH;
      out[w + 1] = 0x4e;
      return w + 2;
    }
    switch (kind) {
      case BOOLEAN: {
        const text = isTrue(input, start, end) ? TRUE : FALSE;
        text.copy(out, w);
        return w + text.length;
      }
      case NUMBER:
        if (!escaped && exactNumber(input, start, end)) return copyPlain(input, start, end, out, w);
        return this.converted("double", input, start, end, escaped, out, w);
      case DATETIME:
        if (!escaped && isoUtc(input, start, end)) return copyPlain(input, start, end, out, w);
        return this.converted("datetime", input, start, end, escaped, out, w);
      default: {
        for (let i = start; i < end; i++) {
          const c = input[i];
          if (c === BACKSLASH) {
            out[w++] = BACKSLASH;
            out[w++] = BACKSLASH;
          } else if (c === LF) {
            out[w++] = BACKSLASH;
            out[w++] = 0x6e;
          } else if (c === CR) {
            out[w++] = BACKSLASH;
            out[w++] = 0x72;
          } else if (c === TAB) {
            out[w++] = BACKSLASH;
            out[w++] = 0x74;
          } else {
            out[w++] = c;
            // A doubled quote is one quote of the value.
            if (c === QUOTE && escaped) i++;
          }
        }
        return w;
      }
    }
  }

  /** The slow path, for values that are not already in normal form: the records path's own conversion. */
  private converted(type: string, input: Buffer, start: number, end: number, escaped: boolean, out: Buffer, w: number) {
    let raw = input.toString("utf8", start, end);
    if (escaped) raw = raw.replaceAll('""', '"');
    const value = normalizeValue(type, raw);
    if (value === null) return NULL_CELL.copy(out, w) + w;
    const text = String(value).replace(/[\\\n\r\t]/g, (ch) => ESCAPES[ch]);
    return w + out.write(text, w, "utf8");
  }
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function kindOf(type: string): number {
  if (type === "boolean") return BOOLEAN;
  if (NUMBER_TYPES.has(type)) return NUMBER;
  if (type === "datetime") return DATETIME;
  return TEXT;
}

/** Where the header row ends (just past its line break), or -1 if `input` does not hold all of it. */
function headerEnd(input: Buffer): number {
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === QUOTE) quoted = !quoted;
    else if (c === LF && !quoted) return i + 1;
  }
  return -1;
}

function isTrue(input: Buffer, start: number, end: number): boolean {
  return (
    end - start === 4 &&
    input[start] === 0x74 &&
    input[start + 1] === 0x72 &&
    input[start + 2] === 0x75 &&
    input[start + 3] === 0x65
  );
}

function copyPlain(input: Buffer, start: number, end: number, out: Buffer, w: number): number {
  for (let i = start; i < end; i++) out[w++] = input[i];
  return w;
}

/**
 * A decimal that `String(Number(value))` gives back unchanged: optional minus (not "-0"), no leading zero, no
 * trailing zero after a point, at most 15 significant digits, and not so small that it would print with an exponent.
 */
function exactNumber(input: Buffer, start: number, end: number): boolean {
  let i = start;
  if (input[i] === 0x2d) i++;
  if (i >= end) return false;
  let digits = 0;
  let zeroInteger = false;
  if (input[i] === 0x30) {
    zeroInteger = true;
    i++;
  } else {
    while (i < end && input[i] >= 0x30 && input[i] <= 0x39) {
      i++;
      digits++;
    }
    if (digits === 0) return false;
  }
  if (i === end) return !(zeroInteger && input[start] === 0x2d) && digits <= EXACT_DIGITS;
  if (input[i] !== 0x2e) return false;
  i++;
  const fraction = i;
  let leadingZeros = 0;
  while (i < end && input[i] === 0x30) {
    i++;
    leadingZeros++;
  }
  if (zeroInteger && leadingZeros >= 6) return false;
  if (!zeroInteger) digits += leadingZeros;
  while (i < end) {
    const c = input[i];
    if (c < 0x30 || c > 0x39) return false;
    i++;
    digits++;
  }
  return i > fraction && input[end - 1] !== 0x30 && digits <= EXACT_DIGITS;
}

/** `2026-01-02T03:04:05.000Z`, the form Bulk writes and the records path keeps as it is. */
function isoUtc(input: Buffer, start: number, end: number): boolean {
  if (end - start !== 24) return false;
  for (let k = 0; k < 24; k++) {
    const c = input[start + k];
    const separator = ISO_SEPARATORS[k];
    if (separator === undefined ? c < 0x30 || c > 0x39 : c !== separator) return false;
  }
  return true;
}

function grow(out: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(out.length * 2 + more);
  out.copy(bigger, 0, 0, used);
  return bigger;
}

function cellText(out: Buffer, start: number, end: number): string | null {
  const raw = out.toString("utf8", start, end);
  return raw === "\\N"
    ? null
    : raw.replace(/\\(.)/g, (_, ch: string) => (ch === "n" ? "\n" : ch === "r" ? "\r" : ch === "t" ? "\t" : ch));
}
