import type { ChecklistItemId, RetryAdvice } from "../error-table.ts";

/** What a write does to each record; Bulk's `hardDelete` is not offered. */
export type WriteOperation = "insert" | "update" | "upsert" | "delete";

/** A record as the builder sends it: field names to values; a parent reference by external id is a nested object. */
export type WriteRecord = Record<string, unknown>;

/**
 * Why Salesforce refused one record, classified through the one error table: `code` is Salesforce's
 * status code (REQUIRED_FIELD_MISSING, UNABLE_TO_LOCK_ROW…), `reason` the table's id, and
 * `checklistItem` the pre-install check that explains it when one does (field-editable,
 * object-access…).
 */
export interface RecordError {
  code: string;
  message: string;
  fields: string[];
  reason: string;
  retry: RetryAdvice;
  checklistItem?: ChecklistItemId;
}

/** One record's outcome, in the order the records were sent. */
export interface RecordResult {
  id: string | null;
  success: boolean;
  /** True when the record was created (insert, or an upsert that matched nothing). */
  created: boolean;
  errors: RecordError[];
}

/** One sObject Collections call's worth of records (at most 200) for one object. */
export interface CollectionWrite {
  object: string;
  operation: WriteOperation;
  /** Required for upsert: the external id field records are matched on. */
  externalIdField?: string;
  records: WriteRecord[];
  /** Roll back the whole call when one record fails. */
  allOrNone?: boolean;
}

/**
 * What became of one record sent through Bulk API 2.0, matched back to its input (Salesforce
 * keeps no order): `succeeded` and `failed` rows were processed; `unprocessed` rows were never
 * reached (the job was aborted or failed first) and can be sent again; `missing` rows appear in
 * none of the job's three result files, so their outcome is not known.
 */
export type IngestOutcome = "succeeded" | "failed" | "unprocessed" | "missing";

/** One input record's Bulk result, in input order. */
export interface IngestRowResult extends RecordResult {
  /** The record's position in the input, counting from 0 (across every job of one bulkIngest). */
  index: number;
  outcome: IngestOutcome;
}
