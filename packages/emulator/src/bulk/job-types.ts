import type { SoqlResult } from "../soql/types.ts";

export type JobState = "Open" | "UploadComplete" | "InProgress" | "JobComplete" | "Failed" | "Aborted";
export type IngestOperation = "insert" | "update" | "upsert" | "delete" | "hardDelete";
export type QueryOperation = "query" | "queryAll";
export type ColumnDelimiter = "COMMA" | "TAB" | "PIPE" | "SEMICOLON" | "CARET" | "BACKQUOTE";
export type LineEnding = "LF" | "CRLF";

export const INGEST_OPERATIONS: readonly IngestOperation[] = ["insert", "update", "upsert", "delete", "hardDelete"];
export const QUERY_OPERATIONS: readonly QueryOperation[] = ["query", "queryAll"];

interface JobBase {
  id: string;
  object: string;
  createdById: string;
  createdDate: number;
  systemModstamp: number;
  state: JobState;
  /** The version the job was created with, without the "v" ("67.0"). */
  apiVersion: string;
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
  /** When the job left the client's hands (UploadComplete); processing is measured from here. */
  queuedAt: number | null;
  numberRecordsProcessed: number;
  totalProcessingTime: number;
  errorMessage: string | null;
}

/** What became of one uploaded row. */
export type RowOutcome = { ok: true; id: string; created: boolean } | { ok: false; id: string; error: string };

export interface IngestOutcome {
  header: string[];
  rows: string[][];
  /** Parallel to `rows`. */
  outcomes: RowOutcome[];
}

export interface IngestJob extends JobBase {
  kind: "ingest";
  operation: IngestOperation;
  externalIdFieldName: string | null;
  assignmentRuleId: string | null;
  upload: string | null;
  numberRecordsFailed: number;
  result: IngestOutcome | null;
}

export interface QueryJob extends JobBase {
  kind: "query";
  operation: QueryOperation;
  query: string;
  /** The query as run at creation (validation); reused at completion when nothing changed since. */
  validated: { result: SoqlResult; storeVersion: number; at: number } | null;
  /** The rows captured when the job completed. */
  snapshot: SoqlResult | null;
}

export type BulkJob = IngestJob | QueryJob;

export const TERMINAL_STATES: readonly JobState[] = ["JobComplete", "Failed", "Aborted"];
