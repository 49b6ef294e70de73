import type { FieldSchema, SyncRecord } from "./destinations/destination.ts";

/**
 * One shape for records whichever API read them. REST gives JSON with types and datetimes like
 * `2026-01-02T03:04:05.000+0000`; Bulk gives CSV strings with `…Z` and empty for null. Both become
 * JSON values with datetimes in ISO UTC (`2026-01-02T03:04:05.000Z`).
 */

const NUMBER_TYPES = new Set(["int", "long", "double", "currency", "percent"]);

export function normalizeValue(type: string, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") {
    if (value === "" && type !== "string" && type !== "textarea") return null;
    if (type === "boolean") return value === "true";
    if (NUMBER_TYPES.has(type)) {
      const n = Number(value);
      return Number.isFinite(n) ? n : null;
    }
    if (type === "datetime") return isoDateTime(value);
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isoDateTime(value: string): string {
  // Bulk's CSV already says 2026-01-02T03:04:05.000Z: nothing to convert.
  if (ISO_UTC.test(value)) return value;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : value;
}

/** Turns a record as read into one as the destinations get it: the selected fields only, normalised. */
export type RecordConverter = (raw: Record<string, unknown>) => SyncRecord;

/**
 * A converter for one field list. Its records are built by one object literal, so they share a
 * shape with their values inside the object: wide records built key by key turn into
 * dictionaries twice the size. Field names are Salesforce API names (letters, digits, `_`).
 */
export function recordConverter(fields: readonly FieldSchema[]): RecordConverter {
  const types = fields.map((f) => f.type);
  const names = fields.map((f) => f.name);
  const literal = names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(", ");
  const build = new Function("v", `return { ${literal} };`) as (values: unknown[]) => SyncRecord;
  const values: unknown[] = new Array(names.length);
  return (raw) => {
    for (let i = 0; i < names.length; i++) {
      let value = raw[names[i]];
      if (value === undefined) value = valueIgnoringCase(raw, names[i]);
      values[i] = normalizeValue(types[i], value);
    }
    return build(values);
  };
}

/** Bulk and REST name columns as the query did; a difference of case is still the same field. */
function valueIgnoringCase(raw: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  for (const key of Object.keys(raw)) if (key.toLowerCase() === lower) return raw[key];
  return null;
}
