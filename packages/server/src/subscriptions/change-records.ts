import type { ChangeEventHeader } from "@forcelink/salesforce";
import type { FieldSchema, ObjectSchema, SyncRecord } from "../sync/destinations/destination.ts";
import { normalizeValue } from "../sync/record-values.ts";

/** What one change event means for the destinations, split per record. */
export type ChangeOutcome =
  | { kind: "records"; upserts: SyncRecord[]; deletes: Array<{ id: string; deletedAt: string }> }
  /** The stream lost the detail of these records (GAP_CREATE, GAP_UPDATE…): read them again by query. */
  | { kind: "gap"; recordIds: string[] }
  /** Too many changes in one transaction (GAP_OVERFLOW): read everything changed since the checkpoint. */
  | { kind: "overflow" };

const DAY_MS = 86_400_000;

/**
 * Turns a decoded change event into per-record changes as the destinations take them. A merged
 * event (several `recordIds`, same values) becomes one record per id; the commit timestamp is
 * the records' SystemModstamp, which the destinations compare so an older event never overwrites
 * a newer row. CREATE and UNDELETE carry every non-null field; UPDATE carries its changed fields
 * and its nulled fields as null (and the enriched fields' values): a partial record, the other
 * columns left as they are.
 */
export function changeOutcome(
  header: ChangeEventHeader,
  payload: Record<string, unknown>,
  schema: ObjectSchema,
  enrichedFields: readonly string[] = [],
): ChangeOutcome {
  if (header.changeType === "GAP_OVERFLOW") return { kind: "overflow" };
  if (header.changeType.startsWith("GAP_")) return { kind: "gap", recordIds: [...header.recordIds] };
  const stamp = new Date(Number(header.commitTimestamp)).toISOString();
  if (header.changeType === "DELETE")
    return { kind: "records", upserts: [], deletes: header.recordIds.map((id) => ({ id, deletedAt: stamp })) };
  const values = flatValues(payload);
  const byName = new Map(schema.fields.map((f) => [f.name.toLowerCase(), f]));
  const base: SyncRecord = {};
  const partial = header.changeType === "UPDATE";
  // Enriched fields ride along unchanged (as their current value) and are written like changed ones.
  const enriched = enrichedFields.filter((f) => values.has(f));
  const named = partial ? [...header.changedFields, ...header.nulledFields, ...enriched] : [...values.keys()];
  for (const raw of named) {
    const name = flatName(raw);
    const field = byName.get(name.toLowerCase());
    if (!field || field.name === "Id") continue;
    base[field.name] = eventValue(field, values.get(name) ?? null);
  }
  if (byName.has("systemmodstamp")) base.SystemModstamp = stamp;
  if (!partial && byName.has("isdeleted")) base.IsDeleted = false;
  return { kind: "records", upserts: header.recordIds.map((id) => ({ Id: id, ...base })), deletes: [] };
}

/** Top-level values, compound fields (BillingAddress: {City}) spread into their components (BillingCity). */
function flatValues(payload: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(payload)) {
    if (key === "ChangeEventHeader") continue;
    if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
      for (const [part, v] of Object.entries(value as Record<string, unknown>)) out.set(componentName(key, part), v);
      continue;
    }
    if (value !== null && value !== undefined) out.set(key, value);
  }
  return out;
}

/** `BillingAddress.City` → BillingCity; `Name.FirstName` → FirstName; `Phone` → Phone. */
function flatName(name: string): string {
  const dot = name.indexOf(".");
  return dot < 0 ? name : componentName(name.slice(0, dot), name.slice(dot + 1));
}

function componentName(compound: string, part: string): string {
  return compound.endsWith("Address") ? `${compound.slice(0, -"Address".length)}${part}` : part;
}

/** Avro's datetimes are epoch ms and dates days since 1970; everything else as the sync normalises it. */
function eventValue(field: FieldSchema, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (field.type === "datetime" && typeof value === "number") return new Date(value).toISOString();
  if (field.type === "date" && typeof value === "number") return new Date(value * DAY_MS).toISOString().slice(0, 10);
  return normalizeValue(field.type, value);
}
