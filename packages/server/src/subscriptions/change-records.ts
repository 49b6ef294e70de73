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

/** An object's fields as change events name them, looked up once per schema rather than per event. */
export interface EventFields {
  /** Event field name (`Name`, `BillingCity` for `BillingAddress.City`) → the schema's field, or null when not selected. */
  byName: Map<string, FieldSchema | null>;
  fields: FieldSchema[];
  stamp: boolean;
  deleted: boolean;
}

export function eventFields(schema: ObjectSchema): EventFields {
  const names = new Set(schema.fields.map((f) => f.name.toLowerCase()));
  return {
    byName: new Map(),
    fields: schema.fields,
    stamp: names.has("systemmodstamp"),
    deleted: names.has("isdeleted"),
  };
}

function fieldOf(fields: EventFields, name: string): FieldSchema | null {
  let field = fields.byName.get(name);
  if (field === undefined) {
    const lower = name.toLowerCase();
    field = fields.fields.find((f) => f.name.toLowerCase() === lower && f.name !== "Id") ?? null;
    fields.byName.set(name, field);
  }
  return field;
}

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
  fields: EventFields = eventFields(schema),
  enrichedFields: readonly string[] = [],
): ChangeOutcome {
  if (header.changeType === "GAP_OVERFLOW") return { kind: "overflow" };
  if (header.changeType.startsWith("GAP_")) return { kind: "gap", recordIds: [...header.recordIds] };
  const stamp = new Date(Number(header.commitTimestamp)).toISOString();
  if (header.changeType === "DELETE")
    return { kind: "records", upserts: [], deletes: header.recordIds.map((id) => ({ id, deletedAt: stamp })) };
  const base: SyncRecord = {};
  const partial = header.changeType === "UPDATE";
  if (partial) {
    for (const raw of header.changedFields) setNamed(base, fields, payload, raw);
    for (const raw of header.nulledFields) setNamed(base, fields, payload, raw);
    // Enriched fields ride along unchanged (their current value) and are written like changed ones.
    for (const name of enrichedFields)
      if (payload[name] !== null && payload[name] !== undefined) setNamed(base, fields, payload, name);
  } else {
    for (const key in payload) {
      if (key === "ChangeEventHeader") continue;
      const value = payload[key];
      if (isCompound(value)) {
        // Every component of a compound field, null ones too (BillingAddress: {City} → BillingCity).
        for (const part in value) setField(base, fieldOf(fields, componentName(key, part)), value[part]);
      } else if (value !== null && value !== undefined) setField(base, fieldOf(fields, key), value);
    }
  }
  if (fields.stamp) base.SystemModstamp = stamp;
  if (!partial && fields.deleted) base.IsDeleted = false;
  return { kind: "records", upserts: header.recordIds.map((id) => ({ Id: id, ...base })), deletes: [] };
}

function isCompound(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Buffer.isBuffer(value);
}

function setField(record: SyncRecord, field: FieldSchema | null, value: unknown): void {
  if (field) record[field.name] = eventValue(field, value ?? null);
}

/** A changed or nulled field by its event name (`Phone`, `BillingAddress.City`), its value from the payload. */
function setNamed(record: SyncRecord, fields: EventFields, payload: Record<string, unknown>, raw: string): void {
  const dot = raw.indexOf(".");
  if (dot < 0) {
    const value = raw in payload ? payload[raw] : componentValue(payload, raw);
    setField(record, fieldOf(fields, raw), isCompound(value) ? null : value);
    return;
  }
  const compound = raw.slice(0, dot);
  const part = raw.slice(dot + 1);
  const value = payload[compound];
  setField(record, fieldOf(fields, componentName(compound, part)), isCompound(value) ? value[part] : null);
}

/** A component named as its own field (`BillingCity`), found in its compound (`BillingAddress: {City}`). */
function componentValue(payload: Record<string, unknown>, name: string): unknown {
  for (const key in payload) {
    const value = payload[key];
    if (key === "ChangeEventHeader" || !isCompound(value)) continue;
    for (const part in value) if (componentName(key, part) === name) return value[part];
  }
  return null;
}

/** `BillingAddress` + `City` → BillingCity; `Name` + `FirstName` → FirstName. */
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

/**
 * Consecutive change events' records gathered into one delivery: a record changed again is merged
 * into what the batch holds for it (later fields win, the later commit its stamp), so the batch
 * leaves each row as the events one by one would. A record deleted after an upsert in the batch,
 * or upserted after a deletion, does not fit (`add` answers false): deliver the batch first.
 */
export class ChangeBatch {
  private upserts = new Map<string, SyncRecord>();
  private deletes = new Map<string, string>();
  /** Records the events named (a record changed twice counts twice), as the subscription counts them. */
  records = 0;

  get empty(): boolean {
    return this.records === 0;
  }

  add(outcome: Extract<ChangeOutcome, { kind: "records" }>): boolean {
    for (const r of outcome.upserts) if (this.deletes.has(String(r.Id))) return false;
    for (const d of outcome.deletes) if (this.upserts.has(d.id)) return false;
    for (const r of outcome.upserts) {
      const id = String(r.Id);
      const held = this.upserts.get(id);
      this.upserts.set(id, held ? { ...held, ...r } : r);
    }
    for (const d of outcome.deletes) this.deletes.set(d.id, d.deletedAt);
    this.records += outcome.upserts.length + outcome.deletes.length;
    return true;
  }

  /** What to deliver, and empties the batch. */
  take(): { upserts: SyncRecord[]; deletes: Array<{ id: string; deletedAt: string }>; records: number } {
    const out = {
      upserts: [...this.upserts.values()],
      deletes: [...this.deletes].map(([id, deletedAt]) => ({ id, deletedAt })),
      records: this.records,
    };
    this.upserts = new Map();
    this.deletes = new Map();
    this.records = 0;
    return out;
  }
}
