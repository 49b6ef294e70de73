import avro from "avsc";
import { type BitmapIndex, bitmapIndex, bitmapNames } from "./bitmap-fields.ts";

/** One event schema as GetSchema gives it, ready to decode payloads written with it. */
export interface EventSchema {
  id: string;
  json: string;
  /** The schema as parsed JSON: what the header's bitmaps index. */
  definition: unknown;
  type: avro.Type;
  /** What the header's bitmaps index, found once for the schema's events. */
  bitmaps: BitmapIndex;
}

/** A change event's header, with its field lists as field names (`BillingAddress.City`). */
export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

/** One event off a Subscribe stream, decoded. */
export interface ReceivedEvent {
  /** Where this event is on the channel: store it to resume after it (CUSTOM replay). */
  replayId: Buffer;
  /** The event's UUID. */
  id: string;
  schemaId: string;
  /** Every field of the event, Avro-decoded; the change event header's bitmaps stay as sent. */
  payload: Record<string, unknown>;
  /** For a change event: its header, the bitmaps turned into field names with the schema. */
  changeHeader?: ChangeEventHeader;
}

export function eventSchema(id: string, json: string): EventSchema {
  const definition = JSON.parse(json) as unknown;
  // Salesforce's fields are ["null", T] unions: unwrapped, a field reads as its value or null.
  const type = avro.Type.forSchema(definition as avro.Schema, { wrapUnions: false });
  return { id, json, definition, type, bitmaps: bitmapIndex(definition) };
}

/** Decodes one event's Avro payload with its schema. */
export function decodeEvent(
  schema: EventSchema,
  event: { replayId: Buffer; id: string; payload: Buffer },
): ReceivedEvent {
  const payload = schema.type.fromBuffer(event.payload) as Record<string, unknown>;
  const raw = payload.ChangeEventHeader as Record<string, unknown> | undefined | null;
  const received: ReceivedEvent = { replayId: event.replayId, id: event.id, schemaId: schema.id, payload };
  if (raw && typeof raw === "object") received.changeHeader = changeHeader(raw, schema.bitmaps);
  return received;
}

function changeHeader(raw: Record<string, unknown>, bitmaps: BitmapIndex): ChangeEventHeader {
  const list = (key: string) => (Array.isArray(raw[key]) ? (raw[key] as string[]) : []);
  return {
    entityName: String(raw.entityName ?? ""),
    recordIds: list("recordIds"),
    changeType: String(raw.changeType ?? ""),
    changeOrigin: String(raw.changeOrigin ?? ""),
    transactionKey: String(raw.transactionKey ?? ""),
    sequenceNumber: Number(raw.sequenceNumber ?? 0),
    commitTimestamp: Number(raw.commitTimestamp ?? 0),
    commitNumber: Number(raw.commitNumber ?? 0),
    commitUser: String(raw.commitUser ?? ""),
    changedFields: bitmapNames(list("changedFields"), bitmaps),
    nulledFields: bitmapNames(list("nulledFields"), bitmaps),
    diffFields: bitmapNames(list("diffFields"), bitmaps),
  };
}

/**
 * Schemas by schema id, each asked for once: concurrent events of a new schema share one
 * GetSchema call, and a failed call is forgotten so the next event asks again.
 */
export class SchemaCache {
  private readonly schemas = new Map<string, Promise<EventSchema>>();
  private readonly fetchSchema: (schemaId: string) => Promise<{ schemaId: string; schemaJson: string }>;

  constructor(fetchSchema: (schemaId: string) => Promise<{ schemaId: string; schemaJson: string }>) {
    this.fetchSchema = fetchSchema;
  }

  get(schemaId: string): Promise<EventSchema> {
    let schema = this.schemas.get(schemaId);
    if (!schema) {
      schema = this.fetchSchema(schemaId).then((s) => eventSchema(schemaId, s.schemaJson));
      schema.catch(() => this.schemas.delete(schemaId));
      this.schemas.set(schemaId, schema);
    }
    return schema;
  }

  /** How many schemas are known (for tests and metrics). */
  get size(): number {
    return this.schemas.size;
  }
}
