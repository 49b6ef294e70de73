import { formatDateTime } from "../clock.ts";
import type { FieldDef, ObjectDef } from "../schema/types.ts";
import type { StoredRecord } from "./record-store.ts";

/** The value of one field as the REST API shows it (datetimes formatted, compounds assembled). */
export function wireValue(field: FieldDef, record: StoredRecord): unknown {
  if (field.formula) return field.formula(record) ?? null;
  if (field.components) {
    let any = false;
    const out: Record<string, unknown> = {};
    for (const [key, name] of Object.entries(field.components)) {
      const v = record[name] ?? null;
      if (v !== null) any = true;
      out[key] = v;
    }
    return any ? out : null;
  }
  const v = record[field.name];
  if (v === undefined || v === null) return null;
  if (field.type === "datetime" && typeof v === "number") return formatDateTime(v);
  return v;
}

let lastMs = Number.NaN;
let lastIso = "";

/** A flat value for CSV (Bulk results): compounds are never selected in Bulk, datetimes with Z. */
export function csvValue(field: FieldDef, record: StoredRecord): string {
  const v = field.formula ? field.formula(record) : record[field.name];
  if (v === undefined || v === null) return "";
  if (field.type === "datetime" && typeof v === "number") {
    // Rows written together share a second: formatting the same instant again is wasted work.
    if (v !== lastMs) {
      lastMs = v;
      lastIso = new Date(v).toISOString();
    }
    return lastIso;
  }
  return String(v);
}

export function recordUrl(version: string, objectName: string, id: string): string {
  return `/services/data/v${version}/sobjects/${objectName}/${id}`;
}

export function attributes(version: string, def: ObjectDef, id: string | undefined) {
  return id ? { type: def.name, url: recordUrl(version, def.name, id) } : { type: def.name };
}

/** A whole record as GET /sobjects/{T}/{id} returns it, limited to the fields given. */
export function wireRecord(
  version: string,
  def: ObjectDef,
  record: StoredRecord,
  fields: FieldDef[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(version, def, record.Id) };
  for (const f of fields) out[f.name] = wireValue(f, record);
  return out;
}
