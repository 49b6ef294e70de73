import type { ClientDuplexStream } from "@grpc/grpc-js";
import { backoffDelay, type RetryPolicy } from "../retry.ts";
import type { AccessGrant } from "../token-provider.ts";
import { decodeEvent, type ReceivedEvent } from "./event-schemas.ts";
import type { FetchRequest, FetchResponse, PubSubClient } from "./pubsub-client.ts";
import { PubSubFailure, pubSubFailureFrom } from "./pubsub-failure.ts";

/** Where a subscription starts: the newest event on, the oldest retained, or after a stored replay id. */
export type ReplayFrom = { preset: "LATEST" } | { preset: "EARLIEST" } | { preset: "CUSTOM"; replayId: Buffer };

export interface SubscribeOptions {
  /** `/data/ChangeEvents`, `/data/AccountChangeEvent`, `/data/Foo__ChangeEvent`, `/data/Name__chn`… */
  topic: string;
  replay?: ReplayFrom;
  /**
   * Flow control: at most this many events are requested and not yet consumed (Salesforce sends
   * at most 100 a batch). More are asked for once half of them have been consumed.
   */
  batchSize?: number;
  /** Reconnects in a row (without an event or keepalive between) before the subscription fails. */
  maxReconnects?: number;
  backoff?: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">;
  /** A stream silent this long is taken for dead and reconnected (Salesforce keeps alive every 270 s). */
  keepaliveTimeoutMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told about each reconnect, with the failure that caused it and the wait before it. */
  onReconnect?: (failure: PubSubFailure, delayMs: number) => void;
}

/** What a subscription yields: a decoded event, or a keepalive saying where the channel is. */
export type SubscriptionItem =
  | { kind: "event"; event: ReceivedEvent }
  | { kind: "keepalive"; latestReplayId: Buffer; at: number };

const DEFAULTS = {
  batchSize: 100,
  maxReconnects: 8,
  backoff: { baseDelayMs: 500, maxDelayMs: 30_000 },
  keepaliveTimeoutMs: 300_000,
};

/**
 * A Subscribe stream that survives what a stream goes through: dropped and reset streams
 * reconnect with the one backoff after the last replay id received (so nothing is delivered
 * twice or skipped), a refused session gets a new token once, and what cannot be fixed by
 * reconnecting ends the iteration with a `PubSubFailure` (`pubsub.replay_id_invalid`: read
 * the changes another way, then subscribe from LATEST), or with the token provider's own error
 * (an `OAuthFailure`) when no new token can be had.
 */
export class Subscription implements AsyncIterable<SubscriptionItem> {
  /** Received, not yet consumed. */
  private readonly queue: SubscriptionItem[] = [];
  private waiting: (() => void) | undefined;
  private stream: ClientDuplexStream<FetchRequest, FetchResponse> | undefined;
  private grant: AccessGrant | undefined;
  /** Events requested on the current stream and not yet received. */
  private outstanding = 0;
  private resumeAfter: Buffer | undefined;
  private attempts = 0;
  private refreshed = false;
  private closed = false;
  /** Why the subscription ended: a `PubSubFailure`, or the token provider's own error (`OAuthFailure`). */
  private failure: Error | undefined;
  private heardAt = 0;
  private watchdog: NodeJS.Timeout | undefined;
  /** Responses are decoded one after another: a new schema id must not reorder events. */
  private decoding: Promise<void> = Promise.resolve();
  private readonly settings: typeof DEFAULTS;
  private readonly client: PubSubClient;
  private readonly options: SubscribeOptions;
  private readonly onClosed: () => void;

  constructor(client: PubSubClient, options: SubscribeOptions, onClosed: () => void = () => {}) {
    this.client = client;
    this.options = options;
    this.onClosed = onClosed;
    this.settings = {
      batchSize: Math.max(1, Math.min(options.batchSize ?? DEFAULTS.batchSize, 100)),
      maxReconnects: options.maxReconnects ?? DEFAULTS.maxReconnects,
      backoff: options.backoff ?? DEFAULTS.backoff,
      keepaliveTimeoutMs: options.keepaliveTimeoutMs ?? DEFAULTS.keepaliveTimeoutMs,
    };
    if (options.replay?.preset === "CUSTOM") this.resumeAfter = options.replay.replayId;
    void this.connect();
  }

  /** The replay id of the last event or keepalive received: where a reconnect resumes. */
  get lastReplayId(): Buffer | undefined {
    return this.resumeAfter;
  }

  /** Events requested from Salesforce and not yet received, on the current stream. */
  get inFlight(): number {
    return this.outstanding;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SubscriptionItem> {
    try {
      for (;;) {
        const item = this.queue.shift();
        if (item) {
          this.requestMore(false);
          yield item;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.closed) return;
        await new Promise<void>((resolve) => {
          this.waiting = resolve;
        });
      }
    } finally {
      this.close();
    }
  }

  /**
   * Like iterating, but each step yields everything received and not yet consumed (one item or
   * more, in order), so a consumer can handle a FetchResponse's events together. More are
   * requested as soon as they are taken, while the consumer works on them.
   */
  async *batches(): AsyncGenerator<SubscriptionItem[]> {
    try {
      for (;;) {
        if (this.queue.length > 0) {
          const items = this.queue.splice(0);
          this.requestMore(false);
          yield items;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.closed) return;
        await new Promise<void>((resolve) => {
          this.waiting = resolve;
        });
      }
    } finally {
      this.close();
    }
  }

  /** Ends the stream; an iteration in progress ends after what was already received. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endStream();
    this.onClosed();
    this.wake();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let opened: Awaited<ReturnType<PubSubClient["openStream"]>>;
    try {
      opened = await this.client.openStream();
    } catch (e) {
      // The token provider failed (a dead grant): its own error says what to do.
      return this.fail(e instanceof Error ? e : pubSubFailureFrom(e));
    }
    const { stream, grant } = opened;
    this.stream = stream;
    this.grant = grant;
    this.outstanding = 0;
    this.heardAt = this.now();
    stream.on("data", (response: FetchResponse) => {
      // A payload that cannot be decoded ends the stream; the reconnect resumes before it.
      this.decoding = this.decoding.then(() => this.accept(stream, response)).catch((e) => this.streamEnded(stream, e));
    });
    stream.on("error", (error) => this.streamEnded(stream, error));
    stream.on("end", () => this.streamEnded(stream, undefined));
    this.startWatchdog(stream);
    const replay: FetchRequest = this.resumeAfter
      ? { replayPreset: "CUSTOM", replayId: this.resumeAfter, numRequested: 0 }
      : { replayPreset: this.options.replay?.preset ?? "LATEST", numRequested: 0 };
    this.requestMore(true, { ...replay, topicName: this.options.topic });
  }

  /**
   * Flow control: what is requested and not consumed stays within the batch size. The first
   * request names the topic and replay; later ones top up once half the batch was consumed.
   */
  private requestMore(first: boolean, request?: FetchRequest): void {
    if (!this.stream || this.closed) return;
    const buffered = this.queue.filter((i) => i.kind === "event").length;
    const room = this.settings.batchSize - buffered - this.outstanding;
    if (!first && room < Math.ceil(this.settings.batchSize / 2)) return;
    if (!first && room <= 0) return;
    const numRequested = Math.max(0, room);
    this.outstanding += numRequested;
    this.stream.write({ ...(request ?? {}), numRequested });
  }

  private async accept(stream: ClientDuplexStream<FetchRequest, FetchResponse>, response: FetchResponse) {
    if (stream !== this.stream) return;
    this.heardAt = this.now();
    this.attempts = 0;
    this.refreshed = false;
    const events = response.events ?? [];
    if (events.length === 0) {
      if (response.latestReplayId && response.latestReplayId.length > 0) {
        // Nothing is waiting before the tip: a reconnect may resume there.
        this.resumeAfter = response.latestReplayId;
        this.queue.push({ kind: "keepalive", latestReplayId: response.latestReplayId, at: this.heardAt });
      }
      this.wake();
      return;
    }
    for (const e of events) {
      const message = e.event ?? {};
      const schema = await this.client.schemas.get(message.schemaId ?? "").catch((err) => err as Error);
      if (schema instanceof Error) {
        // An event that cannot be decoded must not be skipped: resume before it.
        this.streamEnded(stream, schema);
        return;
      }
      const replayId = e.replayId ?? Buffer.alloc(0);
      const event = decodeEvent(schema, {
        replayId,
        id: message.id ?? "",
        payload: message.payload ?? Buffer.alloc(0),
      });
      this.outstanding = Math.max(0, this.outstanding - 1);
      this.resumeAfter = replayId;
      this.queue.push({ kind: "event", event });
      this.wake();
    }
  }

  private streamEnded(stream: ClientDuplexStream<FetchRequest, FetchResponse>, error: unknown): void {
    if (stream !== this.stream || this.closed) return;
    this.endStream();
    const failure =
      error === undefined
        ? new PubSubFailure("UNAVAILABLE", "The Subscribe stream ended without a status.")
        : pubSubFailureFrom(error);
    // Events of the stream already in decoding go first: the resume point moves past them.
    this.decoding = this.decoding
      .then(() => this.recover(failure))
      .catch((e) => this.fail(e instanceof Error ? e : failure));
  }

  private async recover(failure: PubSubFailure): Promise<void> {
    if (this.closed) return;
    if (failure.retry === "refresh-then-retry" && !this.refreshed && this.grant) {
      this.refreshed = true;
      try {
        await this.client.refreshAfterRejection(this.grant.accessToken);
      } catch (e) {
        return this.fail(e instanceof Error ? e : failure);
      }
      this.options.onReconnect?.(failure, 0);
      return this.connect();
    }
    if (failure.retry !== "backoff" || this.attempts >= this.settings.maxReconnects) return this.fail(failure);
    this.attempts++;
    const delay = backoffDelay(this.attempts, this.settings.backoff, this.options.random ?? Math.random);
    this.options.onReconnect?.(failure, delay);
    await (this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(delay);
    return this.connect();
  }

  private fail(failure: Error): void {
    this.failure = failure;
    this.closed = true;
    this.endStream();
    this.onClosed();
    this.wake();
  }

  private startWatchdog(stream: ClientDuplexStream<FetchRequest, FetchResponse>): void {
    if (this.watchdog) clearInterval(this.watchdog);
    const every = Math.max(100, Math.floor(this.settings.keepaliveTimeoutMs / 4));
    this.watchdog = setInterval(() => {
      if (stream !== this.stream) return;
      if (this.now() - this.heardAt < this.settings.keepaliveTimeoutMs) return;
      this.streamEnded(stream, new PubSubFailure("UNAVAILABLE", "No event or keepalive within the keepalive timeout."));
    }, every);
    this.watchdog.unref();
  }

  private endStream(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    const stream = this.stream;
    this.stream = undefined;
    this.outstanding = 0;
    if (stream) {
      stream.removeAllListeners("data");
      stream.on("error", () => {});
      stream.cancel();
    }
  }
}
