import { randomUUID } from "node:crypto";
import { type ServerDuplexStream, status } from "@grpc/grpc-js";
import type { BusEvent, EventBus } from "../events/event-bus.ts";
import { replayIdBytes } from "../events/event-bus.ts";
import { corruptedReplayId, invalidArgument, type PubSubError, pubSubError } from "./pubsub-errors.ts";
import type { StreamFaults } from "./stream-faults.ts";

/** A FetchRequest as @grpc/proto-loader hands it over (camel-cased, unset fields absent). */
export interface FetchRequest {
  topicName?: string;
  replayPreset?: number | string;
  replayId?: Buffer;
  numRequested?: number;
}

/** At most this many events go in one FetchResponse. */
const MAX_BATCH = 100;
const PRESETS = ["LATEST", "EARLIEST", "CUSTOM"] as const;

export interface StreamContext {
  bus: EventBus;
  faults: StreamFaults;
  keepaliveMs: number;
  /** Checks the first request's topic (exists, readable by the caller); an error refuses the stream. */
  checkTopic(topic: string): PubSubError | undefined;
  /** Whether the caller may receive an event now (checked at delivery, as on /data/ChangeEvents). */
  mayReceive(event: BusEvent): boolean;
  /** The event's payload as the caller receives it (fields it may not read left out). */
  payloadFor(event: BusEvent): Buffer;
}

/**
 * One Subscribe call: the first FetchRequest names the topic and where to start, every request
 * adds its num_requested to what the client is ready for, and events go out as they are
 * requested and published; an empty batch with the latest replay id is the keepalive.
 */
export class SubscribeStream {
  private readonly call: ServerDuplexStream<FetchRequest, unknown>;
  private readonly ctx: StreamContext;
  private topic: string | undefined;
  private cursor = 0;
  private pending = 0;
  private pumping = false;
  private pumpScheduled = false;
  private closed = false;
  private sentSinceKeepalive = false;
  private stopListening: (() => void) | undefined;
  private keepalive: NodeJS.Timeout | undefined;

  constructor(call: ServerDuplexStream<FetchRequest, unknown>, ctx: StreamContext) {
    this.call = call;
    this.ctx = ctx;
    call.on("data", (req: FetchRequest) => {
      try {
        this.onRequest(req);
      } catch (e) {
        // A fault of the emulator ends this stream, never the process.
        this.fail(pubSubError(status.INTERNAL, `An unexpected error occurred: ${(e as Error).message}`));
      }
    });
    call.on("end", () => this.finish());
    call.on("cancelled", () => this.close());
    call.on("error", () => this.close());
    call.on("close", () => this.close());
  }

  private onRequest(req: FetchRequest): void {
    if (this.closed) return;
    const refused =
      this.topic === undefined
        ? this.start(req)
        : req.topicName && req.topicName !== this.topic
          ? invalidArgument(`The topic can't change within a Subscribe stream: it is ${this.topic}.`)
          : undefined;
    const n = req.numRequested ?? 0;
    const error =
      refused ??
      (!Number.isInteger(n) || n < 0
        ? invalidArgument("num_requested must be a positive number of events.")
        : undefined);
    if (error) {
      this.fail(error);
      return;
    }
    this.pending += n;
    void this.pump();
  }

  private start(req: FetchRequest): PubSubError | undefined {
    const topic = req.topicName ?? "";
    if (topic === "") return invalidArgument("The first FetchRequest must name a topic (topic_name).");
    const refused = this.ctx.checkTopic(topic);
    if (refused) return refused;
    const named = typeof req.replayPreset === "string" ? req.replayPreset : PRESETS[req.replayPreset ?? 0];
    const preset = PRESETS.find((p) => p === named);
    if (!preset) return invalidArgument(`Unknown replay_preset '${String(req.replayPreset)}'.`);
    if (preset === "CUSTOM" && this.ctx.faults.takeCorruptReplayId()) return corruptedReplayId();
    const point = this.ctx.bus.startPoint(preset, req.replayId);
    if (!point.ok) return corruptedReplayId();
    this.topic = topic;
    this.cursor = point.after;
    this.ctx.bus.counters.subscriptions++;
    this.stopListening = this.ctx.bus.listen((e) => {
      if (e.topics.includes(topic)) this.schedulePump();
    });
    this.keepalive = setInterval(() => this.sendKeepalive(), this.ctx.keepaliveMs);
    this.keepalive.unref();
    return undefined;
  }

  /**
   * Pumps once the publishing code has run: a transaction's events (a Bulk chunk's 200) go out
   * in batches rather than one response each.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  /** Sends what the client asked for and the bus holds, batch by batch, one pump at a time. */
  private async pump(): Promise<void> {
    if (this.pumping || this.topic === undefined) return;
    this.pumping = true;
    try {
      while (!this.closed && this.pending > 0) {
        const found = this.ctx.bus.after(this.topic, this.cursor, Math.min(this.pending, MAX_BATCH));
        if (found.length === 0) {
          // Nothing on this topic up to the tip: the tip is where a keepalive says we are.
          this.cursor = Math.max(this.cursor, this.ctx.bus.latestReplayId);
          break;
        }
        const batch = found.filter((e) => this.ctx.mayReceive(e));
        if (batch.length === 0) {
          // Events the caller may not receive are passed over, not counted against num_requested.
          this.cursor = found[found.length - 1].replayId;
          continue;
        }
        const { delayMs } = this.ctx.faults.settings;
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        if (this.closed) break;
        this.send(batch);
        const fault = this.ctx.faults.afterBatch();
        if (fault === "drop") this.fail(pubSubError(status.UNAVAILABLE, "The stream was dropped (emulator fault)."));
        if (fault === "reset")
          this.fail(pubSubError(status.INTERNAL, "Received RST_STREAM with code 2 (emulator fault: stream reset)."));
      }
    } finally {
      this.pumping = false;
    }
  }

  private send(batch: BusEvent[]): void {
    const last = batch[batch.length - 1].replayId;
    this.cursor = last;
    this.pending -= batch.length;
    this.sentSinceKeepalive = true;
    const counters = this.ctx.bus.counters;
    counters.delivered += batch.length;
    counters.deliveredByTopic[this.topic!] = (counters.deliveredByTopic[this.topic!] ?? 0) + batch.length;
    this.call.write({
      events: batch.map((e) => ({
        event: { id: e.id, schemaId: e.schemaId, payload: this.ctx.payloadFor(e), headers: [] },
        replayId: replayIdBytes(e.replayId),
      })),
      latestReplayId: replayIdBytes(last),
      rpcId: randomUUID(),
      pendingNumRequested: this.pending,
    });
  }

  private sendKeepalive(): void {
    if (this.closed) return;
    if (this.sentSinceKeepalive) {
      this.sentSinceKeepalive = false;
      return;
    }
    if (this.pending > 0 && this.ctx.bus.after(this.topic!, this.cursor, 1).length === 0) {
      this.cursor = Math.max(this.cursor, this.ctx.bus.latestReplayId);
    }
    this.ctx.bus.counters.keepalives++;
    this.call.write({
      events: [],
      latestReplayId: replayIdBytes(this.cursor),
      rpcId: randomUUID(),
      pendingNumRequested: this.pending,
    });
  }

  private fail(error: PubSubError): void {
    if (this.closed) return;
    this.close();
    // Sent once the request being read is done with: a status sent while grpc-js still
    // processes the message is held back, and the stream is then cancelled without it.
    setImmediate(() => this.call.emit("error", error));
  }

  private finish(): void {
    if (this.closed) return;
    this.close();
    this.call.end();
  }

  private close(): void {
    this.closed = true;
    this.stopListening?.();
    if (this.keepalive) clearInterval(this.keepalive);
  }
}
