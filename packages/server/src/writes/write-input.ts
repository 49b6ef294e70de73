import {
  CsvFormatError,
  type CsvRecord,
  CsvRecordParser,
  csvRowToRecord,
  RecordShapeError,
} from "@forcelink/salesforce";
import { Problem } from "../remedies/problem.ts";

/**
 * What a write's input must be before anything is stored: the write's own settings, and each
 * record, whether it came in a JSON array, as an NDJSON line or as a CSV row. Every refusal is a
 * `bad-input` Problem naming the record (by its index, line or row) and the fix.
 */

export const WRITE_OPERATIONS = ["insert", "update", "upsert", "delete"] as const;
export type WriteOperationName = (typeof WRITE_OPERATIONS)[number];

/** One call of `/composite` holds five 200-record collections: all-or-none cannot span more. */
export const ALL_OR_NONE_MAX = 1000;

/** What a write does, apart from its records. */
export interface WriteSpec {
  object: string;
  operation: WriteOperationName;
  externalIdField?: string | null;
  allOrNone: boolean;
}

/** A record ready to store: field API names to values; a parent reference by external id is a nested object. */
export type InputRecord = Record<string, unknown>;

/** A record as read, with where it was in the body (`records[3]`, `line 4`, `row 5`) for error messages. */
export interface RecordAt {
  value: unknown;
  where: string;
}

/**
 * Salesforce API names: a letter, then letters, digits and single underscores (custom names end
 * in `__c`, `__r`, `__x`…, namespaced ones start with `ns__`), at most 80 characters.
 */
const API_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_)|__(?=[A-Za-z0-9]))*$/;

export function isApiName(name: string): boolean {
  return name.length <= 80 && API_NAME.test(name) && !name.endsWith("_");
}

function badInput(code: string, message: string, remedy: string): Problem {
  return new Problem("bad-input", code, message, { remedy });
}

/** Refuses settings no record can fix: an unknown operation, an upsert without its external id field, names that are not API names. */
export function checkSpec(spec: { object: string; operation: string; externalIdField?: string | null }): void {
  if (!(WRITE_OPERATIONS as readonly string[]).includes(spec.operation))
    throw badInput(
      "unknown_operation",
      `'${spec.operation}' is not a write operation.`,
      `Use one of ${WRITE_OPERATIONS.join(", ")}.`,
    );
  if (!isApiName(spec.object))
    throw badInput(
      "invalid_object_name",
      `'${spec.object}' is not a Salesforce object API name.`,
      "Use the object's API name as Setup shows it (Contact, Invoice__c), not its label.",
    );
  if (spec.operation === "upsert" && !spec.externalIdField)
    throw badInput(
      "external_id_required",
      "An upsert needs externalIdField: the field records are matched on.",
      "Add externalIdField (an External ID field of the object, or Id).",
    );
  if (spec.externalIdField && !isApiName(spec.externalIdField))
    throw badInput(
      "invalid_field_name",
      `externalIdField '${spec.externalIdField}' is not a Salesforce field API name.`,
      "Use the field's API name as Setup shows it (Ext_Id__c).",
    );
  if (spec.externalIdField && spec.operation !== "upsert")
    throw badInput(
      "external_id_not_used",
      `externalIdField is only used by upsert, not by ${spec.operation}.`,
      "Leave externalIdField out, or use operation upsert.",
    );
}

/**
 * Checks one record against the write's settings and answers it as stored: `attributes` (what a
 * query answer carries) dropped, a delete reduced to its Id.
 */
export function checkRecord(spec: WriteSpec, at: RecordAt): InputRecord {
  const { value, where } = at;
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw badInput(
      "invalid_record",
      `The record at ${where} is not a JSON object.`,
      'Send each record as an object of field API names to values: {"LastName": "Smith"}.',
    );
  const record: InputRecord = {};
  for (const [field, v] of Object.entries(value)) {
    if (field === "attributes") continue;
    if (!isApiName(field))
      throw badInput(
        "invalid_field_name",
        `The record at ${where} has a field '${field}', which is not a Salesforce field API name.`,
        "Use field API names as Setup shows them (Email, Ext_Id__c); a parent reference is a nested object.",
      );
    checkValue(field, v, where);
    record[field] = v;
  }
  return requiredFields(spec, record, where);
}

function checkValue(field: string, v: unknown, where: string): void {
  if (v === null || typeof v === "number" || typeof v === "boolean") return;
  if (typeof v === "string") {
    if (v.includes("\u0000"))
      throw badInput(
        "control_character",
        `The value of ${field} at ${where} contains a NUL character (U+0000).`,
        "Remove the NUL character; it cannot be stored.",
      );
    return;
  }
  const reference = typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const type = (reference?.attributes as { type?: unknown } | undefined)?.type;
  const entries = reference ? Object.entries(reference).filter(([k]) => k !== "attributes") : [];
  const [key, ref] = entries[0] ?? [];
  const scalar = ref === null || typeof ref === "string" || typeof ref === "number";
  if (entries.length !== 1 || !isApiName(key!) || !scalar || (type !== undefined && !isApiName(String(type))))
    throw badInput(
      "invalid_field_value",
      `The value of ${field} at ${where} is neither a text, number, boolean or null, nor a parent reference.`,
      `A parent reference by external id names one field: {"${field}": {"Ext_Id__c": "A-1"}} (and, for a polymorphic lookup, "attributes": {"type": "Lead"}).`,
    );
  if (typeof ref === "string" && ref.includes("\u0000"))
    throw badInput(
      "control_character",
      `The ${field}.${key} at ${where} contains a NUL character (U+0000).`,
      "Remove it.",
    );
}

function requiredFields(spec: WriteSpec, record: InputRecord, where: string): InputRecord {
  if (spec.operation === "update" || spec.operation === "delete") {
    if (typeof record.Id !== "string" || record.Id === "")
      throw badInput(
        "record_id_required",
        `The record at ${where} has no Id: ${spec.operation} needs the Salesforce Id of each record.`,
        spec.operation === "update"
          ? "Add the Id field, or use upsert with externalIdField to match records by your own id."
          : "Add the Id field of each record to delete.",
      );
    if (spec.operation === "delete") return { Id: record.Id };
  }
  const ext = spec.externalIdField;
  if (spec.operation === "upsert" && ext && ext !== "Id" && (record[ext] === undefined || record[ext] === null))
    throw badInput(
      "external_id_missing",
      `The record at ${where} has no value for ${ext}, the field the upsert matches on.`,
      `Give every record a value for ${ext}.`,
    );
  return record;
}

/** The records of a JSON body's `records` array. */
export function* jsonRecords(records: readonly unknown[]): Generator<RecordAt> {
  for (let i = 0; i < records.length; i++) yield { value: records[i], where: `records[${i}]` };
}

/** A single NDJSON line is a record: far below this, or a body that is not NDJSON. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * The records of an NDJSON body, one JSON object a line, read as the chunks arrive: memory holds
 * one line and the current chunk. Blank lines are skipped; a line that is not a JSON object is
 * refused by its number.
 */
export async function* ndjsonRecords(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<RecordAt> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let partial = "";
  let line = 0;
  const decode = (chunk?: Uint8Array | string) => {
    try {
      return typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: chunk !== undefined });
    } catch {
      throw badInput("invalid_ndjson", `Line ${line + 1} of the NDJSON body is not valid UTF-8.`, "Send UTF-8 text.");
    }
  };
  const parse = (text: string): RecordAt | null => {
    line++;
    const trimmed = text.endsWith("\r") ? text.slice(0, -1) : text;
    return trimmed.trim() === "" ? null : { value: ndjsonValue(trimmed, line), where: `line ${line}` };
  };
  for await (const chunk of source) {
    const lines = (partial + decode(chunk)).split("\n");
    partial = lines.pop()!;
    if (partial.length > MAX_LINE_CHARS)
      throw badInput(
        "invalid_ndjson",
        `Line ${line + lines.length + 1} of the NDJSON body is longer than ${MAX_LINE_CHARS / 1024 / 1024} MiB.`,
        "Put one record on each line, separated by line feeds.",
      );
    for (const text of lines) {
      const record = parse(text);
      if (record) yield record;
    }
  }
  const last = parse(partial + decode());
  if (last) yield last;
}

function ndjsonValue(text: string, line: number): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badInput(
      "invalid_ndjson",
      `Line ${line} of the NDJSON body is not valid JSON.`,
      "Put one JSON object on each line; check that line's quoting, commas and brackets.",
    );
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw badInput(
      "invalid_ndjson",
      `Line ${line} of the NDJSON body is not a JSON object.`,
      'Put one record on each line as an object: {"LastName": "Smith"}.',
    );
  return value;
}

/**
 * The records of a CSV body as Bulk API 2.0 takes it: a header of field API names (a parent
 * reference by external id is a column `Account.Ext_Id__c`, `Lead:Who.Ext_Id__c` for a
 * polymorphic lookup), an empty value leaves the field out, `#N/A` sets it to null (the library's
 * `csvRowToRecord`). Read as the chunks arrive; a bad header or a ragged row is refused by its row
 * number (the header is row 1).
 */
export async function* csvWriteRecords(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<RecordAt> {
  const parser = new CsvRecordParser();
  let row = 1;
  let checked = false;
  const take = function* (records: CsvRecord[]): Generator<RecordAt> {
    if (!checked && parser.columns) checkCsvHeader(parser.columns);
    checked ||= parser.columns !== null;
    for (const r of records) {
      row++;
      yield { value: csvRecord(r, row), where: `row ${row}` };
    }
  };
  try {
    for await (const chunk of source) yield* take(parser.push(chunk));
    yield* take(parser.end());
  } catch (error) {
    if (!(error instanceof CsvFormatError)) throw error;
    const what = error.message.replace(/ \(CSV row \d+\)$/, "");
    throw badInput(
      "invalid_csv",
      `Row ${error.row} of the CSV body cannot be read: ${what}.`,
      "Send RFC 4180 CSV: a header of field API names, the same number of values in every row, quotes doubled inside quoted values.",
    );
  }
}

/** `Email`, `Account.Ext_Id__c` or `Lead:Who.Ext_Id__c`. */
function isColumnName(column: string): boolean {
  const typed = /^([^:]+):(.+)$/.exec(column);
  if (typed && !isApiName(typed[1])) return false;
  const parts = (typed ? typed[2] : column).split(".");
  return parts.length <= 2 && (parts.length === 2 || !typed) && parts.every(isApiName);
}

function checkCsvHeader(columns: readonly string[]): void {
  columns.forEach((column, i) => {
    if (!isColumnName(column))
      throw badInput(
        "invalid_csv",
        `Row 1 of the CSV body (the header) names column ${i + 1} '${column}', which is not a field API name.`,
        "Name each column by a field's API name (Email), or a parent reference by external id as Account.Ext_Id__c.",
      );
  });
}

function csvRecord(r: CsvRecord, row: number): InputRecord {
  try {
    return csvRowToRecord(r);
  } catch (error) {
    if (!(error instanceof RecordShapeError)) throw error;
    throw badInput(
      "invalid_csv",
      `Row ${row} of the CSV body cannot be a record: ${error.message}.`,
      "Give a parent either as its Id column (AccountId) or as Account.Ext_Id__c, not both.",
    );
  }
}
