import { randomUUID } from "node:crypto";
import type { Org } from "../org/org.ts";
import { StreamFaults } from "../pubsub/stream-faults.ts";
import type { ObjectDef } from "../schema/types.ts";
import type { ObjectTable, RecordWrite, StoredRecord, WriteObserver } from "../store/record-store.ts";
import { currentChangeOrigin } from "./change-origin.ts";
import { type ChangeEvent, ChangeEventSchema, type ChangeType, inChangeEvent } from "./change-schema.ts";
import { EventBus } from "./event-bus.ts";
import { CdcSelection, changeEventName, STANDARD_CHANNEL } from "./selection.ts";

/** Salesforce's threshold: past this many changes in one transaction, an overflow event per entity. */
export const OVERFLOW_THRESHOLD = 100_000;

/** One record's change, as captured at the write, before the transaction's events are made. */
interface CapturedChange {
  def: ObjectDef;
  changeType: ChangeType;
  recordId: string;
  values: Record<string, unknown>;
  changed: string[];
  nulled: string[];
  userId: string;
  origin: string;
  now: number;
  /** The record as it stands after an update, or as it stood before a delete: where enriched values come from. */
  record?: StoredRecord;
}

/**
 * Change Data Capture: hears every write of the org's store (whatever path made it), keeps the
 * changes of the open transaction, and on commit publishes its change events on the bus (changes
 * that are the same on several records merged into one event, past 100,000 changes an overflow
 * event per entity); a rolled-back transaction publishes nothing.
 */
export class ChangeCapture implements WriteObserver {
  readonly bus: EventBus;
  readonly selection: CdcSelection;
  private readonly org: Org;
  private pending: CapturedChange[] = [];
  /** Changes in the open transaction, counted as Salesforce counts them toward the threshold. */
  private counted = 0;
  private overflowed = new Map<string, { def: ObjectDef; userId: string; origin: string; now: number }>();
  private commitNumber = 1_000_000;
  private readonly schemas = new Map<string, ChangeEventSchema>();
  /** Every schema an event was published with, by id, for GetSchema. */
  readonly schemasById = new Map<string, ChangeEventSchema>();
  /** Changes in one transaction past which overflow events stand for the rest (Salesforce's 100,000). */
  overflowThreshold = OVERFLOW_THRESHOLD;
  /** Faults for the stream and its events (gap events on demand), set through the control surface. */
  readonly faults = new StreamFaults();

  constructor(org: Org) {
    this.org = org;
    this.bus = new EventBus(() => org.clock.now());
    this.selection = new CdcSelection(org);
  }

  watches(table: ObjectTable): boolean {
    return this.selection.watches(table);
  }

  written(w: RecordWrite): void {
    // Commit time is the org clock's now, whatever the write path stamped (a generated row's
    // CreatedDate may lie in the past).
    const change = captured(w, this.org.clock.now());
    const weight = change.changeType === "UPDATE" ? Math.max(1, change.changed.length) : 1;
    if (this.counted + weight > this.overflowThreshold) {
      this.overflowed.set(w.table.def.name, {
        def: w.table.def,
        userId: w.userId,
        origin: change.origin,
        now: change.now,
      });
    } else {
      this.pending.push(change);
    }
    this.counted += weight;
    if (!w.inTransaction) this.commit();
  }

  began(): number {
    return this.pending.length;
  }

  ended(mark: number, committed: boolean, outermost: boolean): void {
    if (!committed) this.pending.length = Math.min(this.pending.length, mark);
    if (!outermost) return;
    if (committed) this.commit();
    else this.discard();
  }

  /** The schema an object's events are encoded with now (a new one after its fields change). */
  schemaFor(def: ObjectDef): ChangeEventSchema {
    const key = `${def.name}:${def.fields.length}`;
    let schema = this.schemas.get(key);
    if (!schema) {
      schema = new ChangeEventSchema(def);
      this.schemas.set(key, schema);
      this.schemasById.set(schema.id, schema);
    }
    return schema;
  }

  /** Publishes a gap event (header only) for records, or an overflow event for an object. */
  publishGap(def: ObjectDef, changeType: ChangeType, recordIds: string[], userId: string): number {
    const events = [gapEvent(def, changeType, recordIds, { userId, origin: "", now: this.org.clock.now() })];
    return this.publishTransaction(events.map((e) => ({ def, event: e })))[0];
  }

  private discard(): void {
    this.pending = [];
    this.counted = 0;
    this.overflowed = new Map();
  }

  private commit(): void {
    const changes = this.pending;
    const overflowed = this.overflowed;
    this.discard();
    const out: OutgoingEvent[] = [];
    for (const group of merged(changes)) {
      const first = group[0];
      const event: ChangeEvent = {
        header: header(
          first,
          group.map((c) => c.recordId),
        ),
        values: first.values,
      };
      if (this.faults.takeGapEvent()) {
        const gapType = `GAP_${first.changeType}` as ChangeType;
        out.push({ def: first.def, event: gapEvent(first.def, gapType, event.header.recordIds, first) });
      } else out.push(...this.enriched(group, event));
    }
    for (const o of overflowed.values()) out.push({ def: o.def, event: gapEvent(o.def, "GAP_OVERFLOW", [], o) });
    if (out.length > 0) this.publishTransaction(out);
  }

  /**
   * One change's events by channel. Update and delete events on a channel whose member names
   * enriched fields carry those fields' values too (null when empty, as the Pub/Sub API sends
   * them), unchanged and so not among changedFields; records with their own values are no longer
   * merged there. Every other channel gets the one merged event.
   */
  private enriched(group: CapturedChange[], event: ChangeEvent): OutgoingEvent[] {
    const { def, changeType } = group[0];
    const channels = [...this.selection.channelsOf(def.name)];
    const enriching =
      changeType === "UPDATE" || changeType === "DELETE"
        ? channels.filter((c) => this.selection.enrichedOf(def.name, c).length > 0)
        : [];
    if (enriching.length === 0) return [{ def, event }];
    const out: OutgoingEvent[] = [];
    const plain = channels.filter((c) => !enriching.includes(c));
    if (plain.length > 0) out.push({ def, event, topics: plain.flatMap((c) => topicsOfChannel(def, c)) });
    for (const channel of enriching) {
      const names = this.selection
        .enrichedOf(def.name, channel)
        .map((n) => def.fieldMap.get(n.toLowerCase())?.name)
        .filter((n): n is string => n !== undefined && !(n in event.values));
      for (const c of group) {
        const values = { ...event.values };
        for (const name of names) values[name] = c.record?.[name] ?? null;
        out.push({
          def,
          event: { header: { ...header(c, [c.recordId]) }, values },
          topics: topicsOfChannel(def, channel),
        });
      }
    }
    return out;
  }

  /** Stamps one transaction's events (key, sequence, commit number) and puts them on the bus. */
  private publishTransaction(events: OutgoingEvent[]): number[] {
    const transactionKey = randomUUID().replace(/-/g, "");
    const commitNumber = ++this.commitNumber;
    return events.map(({ def, event, topics }, i) => {
      event.header.transactionKey = transactionKey;
      event.header.sequenceNumber = event.header.changeType.startsWith("GAP_") ? 1 : i + 1;
      event.header.commitNumber = commitNumber;
      const schema = this.schemaFor(def);
      const to = topics ?? [...this.selection.channelsOf(def.name)].flatMap((c) => topicsOfChannel(def, c));
      return this.bus.publish(to, def.name, schema.id, encodeOrGap(schema, event, def)).replayId;
    });
  }
}

/** An event ready for the bus; `topics` when it goes to some of the object's channels only. */
interface OutgoingEvent {
  def: ObjectDef;
  event: ChangeEvent;
  topics?: string[];
}

/** The standard channel publishes on /data/ChangeEvents and the object's own topic; a custom one on its own. */
function topicsOfChannel(def: ObjectDef, channel: string): string[] {
  return channel === STANDARD_CHANNEL
    ? [`/data/${STANDARD_CHANNEL}`, `/data/${changeEventName(def.name)}`]
    : [`/data/${channel}`];
}

/**
 * The event's payload; when the change cannot be encoded, a gap event in its place (header and
 * record ids only), as Salesforce sends when it cannot generate a change event. The write stands.
 */
function encodeOrGap(schema: ChangeEventSchema, event: ChangeEvent, def: ObjectDef): Buffer {
  try {
    return schema.encode(event, def);
  } catch {
    const h = event.header;
    const changeType = (h.changeType.startsWith("GAP_") ? h.changeType : `GAP_${h.changeType}`) as ChangeType;
    const gap = { ...h, changeType, changedFields: [], nulledFields: [], diffFields: [] };
    return schema.encode({ header: gap, values: {} }, def);
  }
}

function captured(w: RecordWrite, now: number): CapturedChange {
  const def = w.table.def;
  const base = { def, recordId: w.id, userId: w.userId, origin: currentChangeOrigin(), now };
  if (w.kind === "delete")
    return {
      ...base,
      changeType: "DELETE",
      values: {},
      changed: [],
      nulled: [],
      ...(w.before ? { record: w.before } : {}),
    };
  const after = w.after as StoredRecord;
  if (w.kind === "update") {
    const before: Record<string, unknown> = w.before ?? {};
    // LastModifiedDate is always among an update's changed fields, as Salesforce lists it.
    const changed = def.fields.filter(
      (f) => inChangeEvent(f) && !f.components && (before[f.name] !== after[f.name] || f.name === "LastModifiedDate"),
    );
    const values = Object.fromEntries(changed.map((f) => [f.name, after[f.name] ?? null]));
    const nulled = changed.filter((f) => (after[f.name] ?? null) === null).map((f) => f.name);
    return { ...base, changeType: "UPDATE", values, changed: changed.map((f) => f.name), nulled, record: after };
  }
  const values: Record<string, unknown> = {};
  for (const f of def.fields) if (inChangeEvent(f) && after[f.name] != null) values[f.name] = after[f.name];
  return { ...base, changeType: w.kind === "insert" ? "CREATE" : "UNDELETE", values, changed: [], nulled: [] };
}

/** Groups a transaction's changes that are the same change (object, type, values, user) on several records. */
function merged(changes: CapturedChange[]): CapturedChange[][] {
  const groups = new Map<string, CapturedChange[]>();
  for (const c of changes) {
    const key = JSON.stringify([c.def.name, c.changeType, c.values, c.changed, c.nulled, c.userId, c.origin]);
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.values()];
}

function header(c: CapturedChange, recordIds: string[]): ChangeEvent["header"] {
  return {
    entityName: c.def.name,
    recordIds,
    changeType: c.changeType,
    changeOrigin: c.origin,
    transactionKey: "",
    sequenceNumber: 0,
    commitTimestamp: c.now,
    commitNumber: 0,
    commitUser: c.userId,
    changedFields: c.changed,
    nulledFields: c.nulled,
    diffFields: [],
  };
}

function gapEvent(
  def: ObjectDef,
  changeType: ChangeType,
  recordIds: string[],
  c: { userId: string; origin: string; now: number },
): ChangeEvent {
  const { userId, origin, now } = c;
  const h = header(
    { def, changeType, recordId: "", values: {}, changed: [], nulled: [], userId, origin, now },
    recordIds,
  );
  return { header: h, values: {} };
}
