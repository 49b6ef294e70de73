import { normalizeValue } from "./record-values.ts";

/**
 * PostgreSQL COPY text (tab separated, `\N` for null, `\\`, `\n`, `\r`, `\t` escaped) written byte by byte into a
 * Buffer from CSV cells in another, with values normalised exactly as `normalizeValue` does for the records path
 * (booleans, numbers, datetimes; an empty value is null), so both paths store the same thing. Each writer answers
 * the new end of the output.
 */

export const QUOTE = 0x22;
export const LF = 0x0a;
export const CR = 0x0d;
export const TAB = 0x09;
export const BACKSLASH = 0x5c;

// What a column becomes; plain numbers, since the code runs with type stripping (no enums).
export const SKIP = 0;
export const TEXT = 1;
export const BOOLEAN = 2;
export const NUMBER = 3;
export const DATETIME = 4;

const NUMBER_TYPES = new Set(["int", "long", "double", "currency", "percent"]);
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL_CELL = Buffer.from("\\N");
/** `2026-01-02T03:04:05.000Z`: digits everywhere but these offsets. */
const ISO_SEPARATORS: Record<number, number> = { 4: 0x2d, 7: 0x2d, 10: 0x54, 13: 0x3a, 16: 0x3a, 19: 0x2e, 23: 0x5a };
/** Digits a decimal may have and still come back the same from a double (DBL_DIG). */
const EXACT_DIGITS = 15;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** The kind of column a field of `type` is written as. */
export function kindOf(type: string): number {
  if (type === "boolean") return BOOLEAN;
  if (NUMBER_TYPES.has(type)) return NUMBER;
  if (type === "datetime") return DATETIME;
  return TEXT;
}

/** One byte of a text value: as it is, or escaped as COPY text wants. */
export function writeTextByte(out: Buffer, w: number, c: number): number {
  if (c === BACKSLASH) {
    out[w] = BACKSLASH;
    out[w + 1] = BACKSLASH;
    return w + 2;
  }
  if (c === LF || c === CR || c === TAB) {
    out[w] = BACKSLASH;
    out[w + 1] = c === LF ? 0x6e : c === CR ? 0x72 : 0x74;
    return w + 2;
  }
  out[w] = c;
  return w + 1;
}

/** `\N`: a null cell. */
export function writeNull(out: Buffer, w: number): number {
  out[w] = BACKSLASH;
  out[w + 1] = 0x4e;
  return w + 2;
}

/**
 * One cell's value (input[start, end), doubled quotes if `escaped`) as COPY text. Takes at most twice the cell's
 * bytes plus 64, but for a value rewritten through a number or a date.
 */
export function writeCell(
  kind: number,
  input: Buffer,
  start: number,
  end: number,
  escaped: boolean,
  out: Buffer,
  w: number,
): number {
  if (start === end) return writeNull(out, w);
  switch (kind) {
    case BOOLEAN: {
      const text = isTrue(input, start, end) ? TRUE : FALSE;
      text.copy(out, w);
      return w + text.length;
    }
    case NUMBER:
      if (!escaped && exactNumber(input, start, end)) return copyPlain(input, start, end, out, w);
      return converted("double", input, start, end, escaped, out, w);
    case DATETIME:
      if (!escaped && isoUtc(input, start, end)) return copyPlain(input, start, end, out, w);
      return converted("datetime", input, start, end, escaped, out, w);
    default: {
      for (let i = start; i < end; i++) {
        const c = input[i];
        w = writeTextByte(out, w, c);
        // A doubled quote is one quote of the value.
        if (c === QUOTE && escaped) i++;
      }
      return w;
    }
  }
}

/** The slow path, for values that are not already in normal form: the records path's own conversion. */
function converted(type: string, input: Buffer, start: number, end: number, escaped: boolean, out: Buffer, w: number) {
  let raw = input.toString("utf8", start, end);
  if (escaped) raw = raw.replaceAll('""', '"');
  const value = normalizeValue(type, raw);
  if (value === null) return NULL_CELL.copy(out, w) + w;
  const text = String(value).replace(/[\\\n\r\t]/g, (ch) => ESCAPES[ch]);
  return w + out.write(text, w, "utf8");
}

/** The cell is `true`, as Bulk writes a boolean. */
export function isTrue(input: Buffer, start: number, end: number): boolean {
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

/** `out` with room for `more` bytes past `used`: a larger copy. */
export function grow(out: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(out.length * 2 + more);
  out.copy(bigger, 0, 0, used);
  return bigger;
}

/** A cell written as COPY text, read back: its value, or null for `\N`. */
export function cellText(out: Buffer, start: number, end: number): string | null {
  const raw = out.toString("utf8", start, end);
  return raw === "\\N"
    ? null
    : raw.replace(/\\(.)/g, (_, ch: string) => (ch === "n" ? "\n" : ch === "r" ? "\r" : ch === "t" ? "\t" : ch));
}
