import { DELIMITERS, LINE_ENDINGS } from "./csv-dialect.ts";
import { csvRow, quoted, quotedIfNeeded } from "./csv-text.ts";
import type { IngestJob } from "./job-types.ts";

export type IngestResultKind = "successful" | "failed" | "unprocessed";

/** Cells of an uploaded row, one per header column, as the upload had them. */
function original(row: string[], width: number): string[] {
  if (row.length === width) return row;
  const out = row.slice(0, width);
  while (out.length < width) out.push("");
  return out;
}

/**
 * One of the three result files of an ingest job, in the job's delimiter and line ending. Rows
 * come in upload order (Salesforce promises no order). Unprocessed records are the rows no batch
 * ever reached: all of them when the job was aborted or failed before processing.
 */
export function ingestResultsCsv(job: IngestJob, kind: IngestResultKind): string {
  const d = DELIMITERS[job.columnDelimiter];
  const eol = LINE_ENDINGS[job.lineEnding];
  const result = job.result;
  if (kind === "unprocessed") {
    const neverProcessed = job.state === "Aborted" || job.state === "Failed";
    if (!result) return neverProcessed ? (job.upload ?? "") : "";
    const header = result.header.map((h) => quotedIfNeeded(h, d)).join(d) + eol;
    if (!neverProcessed) return header;
    const width = result.header.length;
    const parts = [header];
    for (let i = result.outcomes.length; i < result.rows.length; i++)
      parts.push(csvRow(original(result.rows[i], width), d, eol));
    return parts.join("");
  }
  const lead = kind === "successful" ? ["sf__Id", "sf__Created"] : ["sf__Id", "sf__Error"];
  const columns = result?.header ?? [];
  const parts = [[...lead.map(quoted), ...columns.map((h) => quotedIfNeeded(h, d))].join(d) + eol];
  if (!result) return parts[0];
  const width = columns.length;
  result.outcomes.forEach((o, i) => {
    if (kind === "successful" && o.ok)
      parts.push(csvRow([o.id, String(o.created), ...original(result.rows[i], width)], d, eol));
    if (kind === "failed" && !o.ok) parts.push(csvRow([o.id, o.error, ...original(result.rows[i], width)], d, eol));
  });
  return parts.join("");
}
