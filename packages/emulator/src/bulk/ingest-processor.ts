import { DmlError } from "../dml/dml-error.ts";
import { RecordWriter } from "../dml/record-writer.ts";
import type { Org } from "../org/org.ts";
import type { FieldDef } from "../schema/types.ts";
import { CsvFormatError, lineEndingsMatch, parseCsv } from "./csv-dialect.ts";
import { HeaderError, planColumns } from "./ingest-columns.ts";
import { IngestRowWriter } from "./ingest-rows.ts";
import type { IngestJob, RowOutcome } from "./job-types.ts";

/**
 * Runs an ingest job to its end: the upload is checked as a whole first (line endings, CSV
 * syntax, header), and a failure there fails the job with nothing processed; after that every
 * row succeeds or fails on its own. Salesforce's internal batches of 10,000 rows change nothing
 * visible here, since no row's fate depends on its neighbours.
 */
export function processIngestJob(org: Org, job: IngestJob): void {
  const started = performance.now();
  const failure = runRows(org, job);
  const now = org.clock.now();
  job.state = failure === null ? "JobComplete" : "Failed";
  job.errorMessage = failure;
  job.systemModstamp = now;
  job.totalProcessingTime = Math.round(performance.now() - started);
  const outcomes = job.result?.outcomes ?? [];
  job.numberRecordsProcessed = outcomes.length;
  job.numberRecordsFailed = outcomes.filter((o) => !o.ok).length;
}

/** Processes the rows, or says why the job fails as a whole. */
const BULK_CHUNK_ROWS = 200;

function runRows(org: Org, job: IngestJob): string | null {
  const text = job.upload ?? "";
  if (text === "") {
    job.result = { header: [], rows: [], outcomes: [] };
    return null;
  }
  if (!lineEndingsMatch(text, job.lineEnding)) {
    return `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${job.lineEnding}`;
  }
  let parsed: { header: string[]; rows: string[][] };
  try {
    parsed = parseCsv(text, job.columnDelimiter, job.lineEnding);
  } catch (e) {
    if (e instanceof CsvFormatError) return `ClientInputError : ${e.message}`;
    throw e;
  }
  const writer = new RecordWriter(org, job.createdById, "csv");
  const def = writer.view.object(job.object);
  if (!def) return `InvalidJob : Unable to find object: ${job.object}`;
  const outcomes: RowOutcome[] = [];
  job.result = { header: parsed.header, rows: parsed.rows, outcomes };
  let keyField: FieldDef | null = null;
  try {
    if (job.operation === "upsert") keyField = writer.externalIdField(def, job.externalIdFieldName ?? "");
    const plan = planColumns(writer.view, def, parsed.header, job.operation, job.externalIdFieldName);
    const rowWriter = new IngestRowWriter(writer, def, plan, job.operation, keyField);
    // Salesforce saves a Bulk job's rows in chunks of 200, each one transaction with partial
    // success: rows that fail are skipped, and the chunk's change events go out together.
    for (let start = 0; start < parsed.rows.length; start += BULK_CHUNK_ROWS) {
      const chunk = parsed.rows.slice(start, start + BULK_CHUNK_ROWS);
      org.store.transaction(() => {
        for (const row of chunk) outcomes.push(rowWriter.write(row));
      });
    }
    return null;
  } catch (e) {
    if (e instanceof HeaderError) return e.message;
    if (e instanceof DmlError) return `InvalidJob : ${e.message}`;
    throw e;
  }
}
