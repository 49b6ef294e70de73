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
