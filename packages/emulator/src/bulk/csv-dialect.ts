import { parse } from "csv-parse/sync";
import type { ColumnDelimiter, LineEnding } from "./job-types.ts";

export const DELIMITERS: Record<ColumnDelimiter, string> = {
  COMMA: ",",
  TAB: "\t",
  PIPE: "|",
  SEMICOLON: ";",
  CARET: "^",
  BACKQUOTE: "`",
};

export const LINE_ENDINGS: Record<LineEnding, string> = { LF: "\n", CRLF: "\r\n" };

export function isColumnDelimiter(value: unknown): value is ColumnDelimiter {
  return typeof value === "string" && Object.hasOwn(DELIMITERS, value);
}

export function isLineEnding(value: unknown): value is LineEnding {
  return value === "LF" || value === "CRLF";
}

/**
 * Whether every row break (a line break outside quotes) is the job's line ending. Breaks inside
 * quoted values are data and may be anything; Salesforce rejects a file whose rows end otherwise.
 */
export function lineEndingsMatch(text: string, lineEnding: LineEnding): boolean {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34)
      quoted = !quoted; // a doubled quote toggles twice, so it stays inside
    else if (c === 10 && !quoted) {
      const crlf = i > 0 && text.charCodeAt(i - 1) === 13;
      if (crlf !== (lineEnding === "CRLF")) return false;
    }
  }
  return true;
}

export class CsvFormatError extends Error {}

/** Parses an upload into its header and rows; cells stay text ('' and '#N/A' mean something). */
export function parseCsv(
  text: string,
  delimiter: ColumnDelimiter,
  lineEnding: LineEnding,
): { header: string[]; rows: string[][] } {
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: DELIMITERS[delimiter],
      record_delimiter: LINE_ENDINGS[lineEnding],
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (e) {
    throw new CsvFormatError((e as Error).message);
  }
  const [header = [], ...rows] = records;
  return { header: header.map((h) => h.trim()), rows };
}
