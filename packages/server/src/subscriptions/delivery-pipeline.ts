import { ChangeBatch, type ChangeOutcome } from "./change-records.ts";

/** Where a delivered batch ends: the replay id and commit of its last event, checkpointed once it is confirmed. */
export interface BatchEnd {
  replayId: Buffer;
  commitAt: Date;
}

export type GatheredRecords = ReturnType<ChangeBatch["take"]>;

/** Records gathered while a delivery is in flight, at most: past them the stream waits (and so does Salesforce). */
const MAX_GATHERED = 2_000;

/**
 * Change records delivered one batch at a time, in stream order, while the next batch gathers:
 * each batch goes to the destinations and is checkpointed (`send`) after the one before it, and
 * what arrived meanwhile goes out as the next. `send` answers false when the lease was lost.
 */
export class DeliveryPipeline {
  private readonly batch = new ChangeBatch();
  private last: BatchEnd | undefined;
  private inflight: Promise<boolean> | undefined;
  private readonly send: (records: GatheredRecords, end: BatchEnd) => Promise<boolean>;

  constructor(send: (records: GatheredRecords, end: BatchEnd) => Promise<boolean>) {
    this.send = send;
  }

  /** Gathers one event's records; false when they do not fit the batch (`settle` first, then add again). */
  add(outcome: Extract<ChangeOutcome, { kind: "records" }>, end: BatchEnd): boolean {
    if (!this.batch.add(outcome)) return false;
    this.last = end;
    return true;
  }

  /** Sends what was gathered, unless a delivery is in flight (it goes after that one). */
  kick(): void {
    if (this.inflight || !this.last) return;
    const end = this.last;
    this.last = undefined;
    const flight = this.send(this.batch.take(), end);
    // Observed by `alongside` or `settle`; never an unhandled rejection meanwhile.
    flight.catch(() => undefined);
    this.inflight = flight;
  }

  /**
   * Waits for `next` (the stream's next items) while the delivery in flight goes on, sending what
   * gathered meanwhile each time one ends; with too much gathered, waits for the delivery first.
   * Answers `next`'s result, or false when the lease was lost. A failed delivery throws.
   */
  async alongside<T>(next: Promise<T>): Promise<T | false> {
    for (;;) {
      const flying = this.inflight;
      if (!flying) return next;
      const ended =
        this.batch.records >= MAX_GATHERED
          ? { held: await flying }
          : await Promise.race([next.then((value) => ({ value })), flying.then((held) => ({ held }))]);
      if ("value" in ended) return ended.value;
      this.inflight = undefined;
      if (!ended.held) return false;
      this.kick();
    }
  }

  /** Delivers everything gathered and waits for it; false when the lease was lost. */
  async settle(): Promise<boolean> {
    while (this.inflight || this.last) {
      if (this.inflight) {
        const held = await this.inflight;
        this.inflight = undefined;
        if (!held) return false;
      }
      this.kick();
    }
    return true;
  }

  /** Waits for the delivery in flight whatever its outcome (nothing goes on after the subscriber stops). */
  async stop(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    this.inflight = undefined;
  }
}
