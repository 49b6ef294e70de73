import { randomUUID } from "node:crypto";

/** Salesforce keeps change events for 72 hours. */
export const RETENTION_MS = 72 * 3600 * 1000;

/** One event on the bus: its place (replay id), the topics it is on, its schema and Avro payload. */
export interface BusEvent {
  replayId: number;
  /** The event's own id (ProducerEvent.id): a UUID. */
  id: string;
  topics: readonly string[];
  /** The object whose change it is (Account): who may receive it depends on it. */
  entity: string;
  schemaId: string;
  payload: Buffer;
  /** When it was published, on the org clock: retention counts from here. */
  publishedAt: number;
}

export type BusListener = (event: BusEvent) => void;

/** Where a subscription starts: after a replay id that is too old, unknown or malformed, it cannot. */
export type StartPoint = { ok: true; after: number } | { ok: false; reason: "corrupted" | "expired" };

export interface BusCounters {
  published: number;
  delivered: number;
  deliveredByTopic: Record<string, number>;
  keepalives: number;
  subscriptions: number;
  purged: number;
}

/**
 * The org's event bus: events in replay order, kept for 72 hours on the org clock, with
 * listeners for live subscriptions. Replay ids are one sequence across topics, so a topic's
 * are not contiguous (as Salesforce says they need not be); on the wire they are 8 bytes.
 */
export class EventBus {
  private events: BusEvent[] = [];
  private nextReplayId = replayEpoch();
  /**
   * The highest replay id purged by retention: a replay from at or before it has expired. It
   * starts just below this bus's first id, so an id from before a restart is refused as expired.
   */
  private purgedThrough = this.nextReplayId - 1;
  /** Whether retention has purged an event yet (until then `purgedThrough` names no event). */
  private purgedAny = false;
  private readonly listeners = new Set<BusListener>();
  private readonly now: () => number;
  readonly counters: BusCounters = emptyCounters();

  constructor(now: () => number) {
    this.now = now;
  }

  publish(topics: readonly string[], entity: string, schemaId: string, payload: Buffer): BusEvent {
    this.purge();
    const event: BusEvent = {
      replayId: this.nextReplayId++,
      id: randomUUID(),
      topics,
      entity,
      schemaId,
      payload,
      publishedAt: this.now(),
    };
    this.events.push(event);
    this.counters.published++;
    for (const listener of this.listeners) listener(event);
    return event;
  }

  listen(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The replay id of the latest event published (just below the first id before any). */
  get latestReplayId(): number {
    return this.nextReplayId - 1;
  }

  /** Events retained on the bus (after purging what the org clock says has expired). */
  get retained(): number {
    this.purge();
    return this.events.length;
  }

  /** Where LATEST, EARLIEST or a CUSTOM replay id starts a subscription. */
  startPoint(preset: "LATEST" | "EARLIEST" | "CUSTOM", replayId?: Buffer): StartPoint {
    this.purge();
    if (preset === "LATEST") return { ok: true, after: this.latestReplayId };
    if (preset === "EARLIEST") return { ok: true, after: this.purgedThrough };
    if (replayId?.length !== 8) return { ok: false, reason: "corrupted" };
    const id = Number(replayId.readBigUInt64BE(0));
    if (id > this.latestReplayId) return { ok: false, reason: "corrupted" };
    // The event it names is gone with the retention window, as Salesforce refuses it. The id just
    // below a new bus's first names no event: a keepalive gives it before any, and it resumes.
    if (id < this.purgedThrough || (id === this.purgedThrough && this.purgedAny))
      return { ok: false, reason: "expired" };
    return { ok: true, after: id };
  }

  /** Up to `limit` events on `topic` after the replay id `after`, in replay order. */
  after(topic: string, after: number, limit: number): BusEvent[] {
    this.purge();
    const out: BusEvent[] = [];
    for (let i = this.indexAfter(after); i < this.events.length && out.length < limit; i++) {
      const e = this.events[i];
      if (e.topics.includes(topic)) out.push(e);
    }
    return out;
  }

  /** Drops the events older than the retention window, as Salesforce purges its event bus. */
  purge(): void {
    const cutoff = this.now() - RETENTION_MS;
    let n = 0;
    while (n < this.events.length && this.events[n].publishedAt < cutoff) n++;
    if (n === 0) return;
    this.purgedThrough = this.events[n - 1].replayId;
    this.purgedAny = true;
    this.events = this.events.slice(n);
    this.counters.purged += n;
  }

  /** The events as they are, for saving the org; `restore` takes them back. */
  snapshot(): { nextReplayId: number; purgedThrough: number; events: BusEvent[] } {
    return { nextReplayId: this.nextReplayId, purgedThrough: this.purgedThrough, events: this.events };
  }

  restore(saved: { nextReplayId: number; purgedThrough: number; events: BusEvent[] }): void {
    this.nextReplayId = saved.nextReplayId;
    this.purgedThrough = saved.purgedThrough;
    // Whether that id named a purged event is not saved: refusing it is the side that loses nothing.
    this.purgedAny = true;
    this.events = saved.events;
  }

  resetCounters(): void {
    Object.assign(this.counters, emptyCounters());
  }

  private indexAfter(replayId: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].replayId <= replayId) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function emptyCounters(): BusCounters {
  return { published: 0, delivered: 0, deliveredByTopic: {}, keepalives: 0, subscriptions: 0, purged: 0 };
}

/**
 * Where a bus's replay ids start: a million ids per second of real time since 2024, so a bus
 * made after a restart never hands out an id an earlier bus gave (clients take replay ids as
 * 64-bit numbers; these stay far below 2^53).
 */
function replayEpoch(): number {
  return (Math.floor(Date.now() / 1000) - 1_704_067_200) * 1_000_000 + 1;
}

/** A replay id as the Pub/Sub API sends it: 8 bytes, big-endian. */
export function replayIdBytes(replayId: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(replayId), 0);
  return buf;
}
