import type { FieldSchema } from "./destination.ts";

/** Columns the destination adds to every table; Salesforce names never start with "_", so they cannot collide. */
export const DELETED_AT_COLUMN = "_forcelink_deleted_at";
export const SYNCED_AT_COLUMN = "_forcelink_synced_at";

/** PostgreSQL silently truncates longer identifiers, which could make two fields share a column. */
const MAX_IDENTIFIER_BYTES = 63;
/** numeric(p, s) accepts 1 ≤ p ≤ 1000. */
const MAX_NUMERIC_PRECISION = 1000;

const FIXED_TYPES: Record<string, string> = {
  id: "varchar(18)",
  reference: "varchar(18)",
  boolean: "boolean",
  int: "integer",
  long: "bigint",
  date: "date",
  datetime: "timestamptz",
  time: "time",
};
const NUMERIC_TYPES = new Set(["double", "currency", "percent"]);

/**
 * The PostgreSQL column type for a Salesforce field. Text-like types (string, textarea, picklist, email, base64, …)
 * and any type this mapping does not know become `text`, which holds whatever Salesforce sends.
 */
export function postgresColumnType(field: FieldSchema): string {
  const type = field.type.toLowerCase();
  const fixed = FIXED_TYPES[type];
  if (fixed) return fixed;
  if (NUMERIC_TYPES.has(type)) return numericType(field.precision, field.scale);
  return "text";
}

/** numeric(p, s) when describe gives a usable precision and scale, else an unconstrained numeric. */
function numericType(precision: number | undefined, scale: number | undefined): string {
  if (precision === undefined || scale === undefined) return "numeric";
  if (!Number.isInteger(precision) || !Number.isInteger(scale)) return "numeric";
  if (precision < 1 || precision > MAX_NUMERIC_PRECISION || scale < 0 || scale > precision) return "numeric";
  return `numeric(${precision},${scale})`;
}

/** The column for a field: API names are case-insensitive, so columns are their lower-case form. */
export function columnName(fieldName: string): string {
  return checkIdentifier(fieldName.toLowerCase(), "field", fieldName);
}

/** The table for an object: the prefix followed by the object's lower-case API name. */
export function tableName(object: string, tablePrefix = ""): string {
  return checkIdentifier(`${tablePrefix}${object.toLowerCase()}`, "object", object);
}

/** An identifier as it must appear in SQL: always double-quoted, inner quotes doubled. */
export function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** `identifier` unchanged if PostgreSQL can use it as is; throws, naming `what` it came from, if not. */
export function checkIdentifier(identifier: string, what: string, source = identifier): string {
  if (identifier.length === 0) throw new Error(`The ${what} name is empty`);
  if (identifier.includes("\0")) throw new Error(`The ${what} name ${JSON.stringify(source)} contains a NUL character`);
  if (Buffer.byteLength(identifier) > MAX_IDENTIFIER_BYTES) {
    throw new Error(
      `The ${what} name ${JSON.stringify(source)} gives the PostgreSQL identifier "${identifier}", longer than ${MAX_IDENTIFIER_BYTES} bytes`,
    );
  }
  return identifier;
}
