/**
 * Records as the builder writes them (JSON objects, a parent given by its external id as a nested
 * object) and as Bulk API 2.0 reads them (CSV cells, the parent as a `Relationship.Field` column),
 * both ways:
 *
 * - `{"Account": {"Ext_Id__c": "A-1"}}` ⇄ column `Account.Ext_Id__c` = `A-1`; with
 *   `"attributes": {"type": "Lead"}` inside (a polymorphic lookup) ⇄ `Lead:Who.Ext_Id__c`.
 * - null (and "", which Salesforce stores as null) ⇄ `#N/A`; a field left out ⇄ an empty cell
 *   (Bulk leaves the value as it is).
 * - booleans `true`/`false`; numbers in plain decimal notation; a Date as an ISO datetime in UTC.
 */
import type { CsvRecord } from "../bulk/csv-records.ts";
import type { WriteRecord } from "./write-types.ts";

/** Bulk's text for null. */
export const NULL_CELL = "#N/A";

/** A record that cannot be written as Salesforce reads records; `field` names the culprit. */
export class RecordShapeError extends TypeError {
  override readonly name = "RecordShapeError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Date) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A scalar as Bulk reads it. */
export function cellText(field: string, value: unknown): string {
  if (value === null || value === "") return NULL_CELL;
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RecordShapeError(field, `${value} is not a number Salesforce can store`);
    return plainNumber(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RecordShapeError(field, "an invalid Date");
    return value.toISOString();
  }
  throw new RecordShapeError(field, `a ${Array.isArray(value) ? "list" : typeof value} is not a field value`);
}

/** 1e21 and 1e-7 in plain digits, which is what Salesforce's number fields read. */
function plainNumber(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * The columns and cells of one record, in its key order. A nested object is a parent reference:
 * exactly one external id field (and optionally `attributes.type`).
 */
export function recordCells(record: WriteRecord): Array<[column: string, cell: string]> {
  if (!isPlainObject(record)) throw new RecordShapeError("(record)", "a record must be a JSON object");
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === "attributes") continue;
    if (!NAME.test(key)) throw new RecordShapeError(key, "not a Salesforce field or relationship name");
    if (isPlainObject(value)) {
      out.push([referenceColumn(key, value), cellText(key, referenceValue(key, value))]);
      continue;
    }
    out.push([key, cellText(key, value)]);
  }
  return out;
}

function referenceKey(relationship: string, reference: Record<string, unknown>): string {
  const keys = Object.keys(reference).filter((k) => k !== "attributes");
  if (keys.length !== 1 || !NAME.test(keys[0]))
    throw new RecordShapeError(relationship, "a parent reference names the parent by exactly one external id field");
  return keys[0];
}

function referenceType(relationship: string, reference: Record<string, unknown>): string | undefined {
  const attributes = reference.attributes;
  if (attributes === undefined) return undefined;
  const type = isPlainObject(attributes) ? attributes.type : undefined;
  if (type === undefined) return undefined;
  if (typeof type !== "string" || !NAME.test(type))
    throw new RecordShapeError(relationship, "attributes.type of a parent reference must be an object name");
  return type;
}

function referenceColumn(relationship: string, reference: Record<string, unknown>): string {
  const type = referenceType(relationship, reference);
  const key = referenceKey(relationship, reference);
  return `${type ? `${type}:` : ""}${relationship}.${key}`;
}

function referenceValue(relationship: string, reference: Record<string, unknown>): unknown {
  const value = reference[referenceKey(relationship, reference)];
  if (value === null || value === "") return null;
  if (isPlainObject(value) || Array.isArray(value))
    throw new RecordShapeError(relationship, "a parent's external id must be a single value");
  return value;
}

/** Quotes a cell when Salesforce's CSV needs it (a comma, a quote, a line break, edge spaces). */
export function quoteCell(cell: string): string {
  if (cell === "") return "";
  if (/[",\r\n]|^\s|\s$/.test(cell)) return `"${cell.replaceAll('"', '""')}"`;
  return cell;
}

/** One CSV line (LF ended) of cells. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(quoteCell).join(",")}\n`;
}

/** The header columns of records (every column any of them has, first seen first). */
export function csvColumns(records: Iterable<WriteRecord>): string[] {
  const seen = new Set<string>();
  for (const record of records) for (const [column] of recordCells(record)) seen.add(column);
  return [...seen];
}

/** A record's cells under a header; a column the record lacks is empty (left as it is). */
export function rowCells(record: WriteRecord, columns: readonly string[]): string[] {
  const cells = new Map(recordCells(record));
  for (const column of cells.keys())
    if (!columns.includes(column)) throw new RecordShapeError(column, "a column the header does not have");
  return columns.map((c) => cells.get(c) ?? "");
}

/** Records as a whole CSV text, header first: for small sets and tests; bulkIngest streams instead. */
export function recordsToCsv(records: readonly WriteRecord[], columns = csvColumns(records)): string {
  return csvLine(columns) + records.map((r) => csvLine(rowCells(r, columns))).join("");
}

/** `Account.Ext_Id__c` or `Lead:Who.Ext_Id__c`. */
const RELATIONSHIP_COLUMN = /^(?:([A-Za-z][A-Za-z0-9_]*):)?([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)$/;

/**
 * A CSV row (as csvRecords reads it: an empty cell is null) as a record for sObject Collections:
 * `Account.Ext_Id__c` becomes `{"Account": {"Ext_Id__c": …}}`, `#N/A` becomes null, and an empty
 * cell leaves the field out, so an update leaves it as it is, as Bulk would.
 */
export function csvRowToRecord(row: CsvRecord): WriteRecord {
  const record: WriteRecord = {};
  for (const [column, cell] of Object.entries(row)) {
    if (cell === null || cell === "") continue;
    const value = cell === NULL_CELL ? null : cell;
    const m = RELATIONSHIP_COLUMN.exec(column);
    if (!m) {
      if (!NAME.test(column)) throw new RecordShapeError(column, "not a Salesforce field name or Relationship.Field");
      record[column] = value;
      continue;
    }
    const [, type, relationship, key] = m;
    const reference: Record<string, unknown> = type ? { attributes: { type } } : {};
    reference[key] = value;
    if (relationship in record)
      throw new RecordShapeError(relationship, "the parent is given twice (a field and a Relationship.Field column)");
    record[relationship] = reference;
  }
  return record;
}
