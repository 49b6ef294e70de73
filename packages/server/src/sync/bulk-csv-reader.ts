import { isUtf8 } from "node:buffer";
import { CsvFormatError } from "@forcelink/salesforce";
import {
  BACKSLASH,
  CR,
  cellText,
  grow,
  isTrue,
  kindOf,
  LF,
  QUOTE,
  SKIP,
  TAB,
  TEXT,
  writeCell,
  writeNull,
  writeTextByte,
} from "./copy-text-writer.ts";
import type { FieldSchema } from "./destinations/destination.ts";

/**
 * Bulk API 2.0 result CSV read byte by byte into PostgreSQL COPY text (copy-text-writer.ts writes each cell), with no
 * object, array or string per record: the fast path of a Bulk read into a destination that takes rows. Reads CSV as
 * Bulk writes it (RFC 4180, every value quoted or not, LF or CRLF) and throws CsvFormatError where the records path's
 * parser does.
 */

const COMMA = 0x2c;
const NEW_LINE = Buffer.from("\n");
const EMPTY = Buffer.alloc(0);
/** The input gathered at a time: decoded chunks are 16 KiB. */
const WORK_BYTES = 256 * 1024;
/** Output written into one allocation after another. */
const ARENA_BYTES = 1024 * 1024;

/**
 * The memory a run's pages are written into: arenas lent to the page being read, and taken back once it is stored
 * (`recycle`), to serve the next page. A page is tens of MB; allocating that afresh for each page costs full
 * collections, which V8 runs as memory outside its heap grows.
 */
export class CopyArenas {
  private free: Buffer[] = [];
  private lent: Buffer[] = [];

  /** An arena of at least `bytes`. */
  take(bytes: number): Buffer {
    const arena = (bytes <= ARENA_BYTES && this.free.pop()) || Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, bytes));
    this.lent.push(arena);
    return arena;
  }

  /** Everything written so far is no longer read (the page is stored): its arenas serve the next page. */
  recycle(): void {
    for (const arena of this.lent) if (arena.length === ARENA_BYTES) this.free.push(arena);
    this.lent = [];
  }
}

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

  private readonly arenas: CopyArenas;

  constructor(fields: readonly FieldSchema[], cursorField: string | null, arenas = new CopyArenas()) {
    this.fields = fields;
    this.cursorField = cursorField;
    this.arenas = arenas;
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
      this.arena = this.arenas.take(bytes);
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
              w = writeTextByte(out, w, c);
              i++;
            }
            if (i === start) w = writeNull(out, w);
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
              w = writeCell(kind, input, start, q, escaped, out, w);
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
            w = writeCell(kind, input, start, i, false, out, w);
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
