import { Readable } from "node:stream";

export type RequestBody = string | Buffer | Uint8Array | Readable | AsyncIterable<Uint8Array>;
type SendableBody = string | Buffer | Uint8Array | Readable;

/** What `again()` answers when the body cannot be produced a second time. */
export const NOT_REPLAYABLE: unique symbol = Symbol("not replayable");

/**
 * A request body that can be sent a second time after a 401. Strings and buffers are simply
 * reused. A stream is not read ahead of time: its chunks are copied as the first send pulls
 * them, up to a cap, so a small body can be replayed and a large one streams without being held
 * in memory (and is then not replayable).
 */
export class ReplayableBody {
  private readonly fixed?: string | Buffer | Uint8Array;
  private readonly source?: AsyncIterator<Uint8Array>;
  private readonly capBytes: number;
  private recorded: Buffer[] = [];
  private recordedBytes = 0;
  private overflowed = false;
  private ended = false;
  private pulled = false;
  private generation = 0;
  private readonly endWaiters: Array<() => void> = [];

  constructor(body: RequestBody | undefined, capBytes: number) {
    this.capBytes = capBytes;
    if (body === undefined || typeof body === "string" || Buffer.isBuffer(body) || body instanceof Uint8Array)
      this.fixed = body;
    else this.source = body[Symbol.asyncIterator]();
  }

  get isStream(): boolean {
    return this.source !== undefined;
  }

  first(): SendableBody | undefined {
    if (!this.source) return this.fixed;
    return Readable.from(this.pull(++this.generation), { objectMode: false });
  }

  /**
   * The body once more. A stream is replayable when the first send never touched it, or read it
   * to its end within the cap. Waits briefly for a send that is still finishing.
   */
  async again(graceMs = 50): Promise<SendableBody | undefined | typeof NOT_REPLAYABLE> {
    if (!this.source) return this.fixed;
    if (!this.pulled) return Readable.from(this.pull(++this.generation), { objectMode: false });
    if (!this.ended && !this.overflowed) await this.waitForEnd(graceMs);
    if (!this.ended || this.overflowed) return NOT_REPLAYABLE;
    this.generation++;
    return Buffer.concat(this.recorded);
  }

  private async *pull(generation: number): AsyncGenerator<Buffer> {
    for (;;) {
      // A stale first send must not steal chunks from the replay.
      if (generation !== this.generation || !this.source) return;
      this.pulled = true;
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        for (const wake of this.endWaiters.splice(0)) wake();
        return;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      if (!this.overflowed) {
        this.recordedBytes += chunk.length;
        if (this.recordedBytes > this.capBytes) {
          this.overflowed = true;
          this.recorded = [];
        } else {
          this.recorded.push(chunk);
        }
      }
      yield chunk;
    }
  }

  private waitForEnd(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.endWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
