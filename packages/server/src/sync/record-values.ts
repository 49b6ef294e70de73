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

function isoDateTime(value: string): string {
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : value;
}

/** A record as the destinations get it: the selected fields only, normalised. */
export function toSyncRecord(raw: Record<string, unknown>, fields: readonly FieldSchema[]): SyncRecord {
  const out: SyncRecord = {};
  for (const f of fields) {
    if (!(f.name in raw)) {
      // Bulk and REST name columns as the query did; a case difference is still the same field.
      const key = Object.keys(raw).find((k) => k.toLowerCase() === f.name.toLowerCase());
      out[f.name] = key === undefined ? null : normalizeValue(f.type, raw[key]);
    } else out[f.name] = normalizeValue(f.type, raw[f.name]);
  }
  return out;
}
