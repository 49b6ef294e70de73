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
 * and its nulled fields as null: a partial record, the other columns left as they are.
 */
export function changeOutcome(
  header: ChangeEventHeader,
  payload: Record<string, unknown>,
  schema: ObjectSchema,
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
  const named = partial ? [...header.changedFields, ...header.nulledFields] : [...values.keys()];
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
