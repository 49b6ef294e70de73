/** A Salesforce field as the destination needs it (from describe). */
export interface FieldSchema {
  /** API name, e.g. "Name", "AnnualRevenue", "Custom__c". */
  name: string;
  /**
   * describe's type: id, string, textarea, picklist, multipicklist, email, phone, url, combobox, reference, boolean,
   * int, long, double, currency, percent, date, datetime, time, base64, encryptedstring, anyType, location, address, ...
   */
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
}

/** An object's fields as the destination stores them; `fields` always includes Id. */
export interface ObjectSchema {
  name: string;
  fields: FieldSchema[];
}

/**
 * One record. Values are JSON: strings, numbers, booleans, null; date/datetime/time as ISO strings as Salesforce
 * gives them; compound address/location never appear (the engine sends their components).
 */
export type SyncRecord = Record<string, string | number | boolean | null>;

export interface DeliveryBatch {
  object: string;
  runId: string;
  /** 0,1,2… within a run; a batch may be delivered again after a crash: delivery must be idempotent. */
  sequence: number;
  /** Each record has Id. */
  upserts: SyncRecord[];
  /** `deletedAt` is the row's SystemModstamp at deletion, ISO. */
  deletes: { id: string; deletedAt: string }[];
}

/**
 * A Bulk page as PostgreSQL COPY text, for a destination that takes rows (deliverCopy): no record object is built.
 * Values are normalised as SyncRecord values are; `Id` is always copied.
 */
export interface CopyBatch {
  object: string;
  runId: string;
  sequence: number;
  /** Every field the batch writes (the schema's); those not in `copied` are set to null, as records carry them. */
  fields: string[];
  /** The fields each row carries, in order: COPY text rows (tab separated, `\N` for null, one line each). */
  copied: string[];
  rows: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** A row whose this (boolean) field is true is a deletion; null when the rows hold none. */
  deletedField: string | null;
  /** How many rows were deletions: known once `rows` is drained. */
  deletions(): number;
  /** A deletion's time is this field's value, else `now` (ISO). */
  deletedAtField: string | null;
  now: string;
}

/** Fields new to the storage (`added`) and stored fields no longer in the schema (`removed`). */
export interface SchemaChange {
  added: string[];
  removed: string[];
}

export interface Destination {
  readonly name: string;
  /**
   * Creates or evolves storage for the object; idempotent. Returns which fields are new to, or gone from, the storage
   * since last time (removed columns are kept, never dropped: no data loss).
   */
  prepare(schema: ObjectSchema): Promise<SchemaChange>;
  /**
   * Durably applies the batch before resolving (upsert by Id; deletions as soft deletes). Must be idempotent and must
   * never let an older version of a row overwrite a newer one (compare SystemModstamp when both have it).
   */
  deliver(batch: DeliveryBatch): Promise<void>;
  /**
   * Optional fast path of Bulk reads: the same as deliver() for rows given as COPY text. The run uses it when every
   * destination of the object has it.
   */
  deliverCopy?(batch: CopyBatch): Promise<void>;
  close(): Promise<void>;
}
