import { Readable } from "node:stream";
import type { Dispatcher } from "undici";

/** Salesforce's answer to a proxied call: a small body of known length already read, any other streaming. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | Readable;
}

/** Answers of known length up to this many bytes arrive read, in one Buffer. */
export const RAW_BUFFER_BYTES = 64 * 1024;

/**
 * One call through an undici dispatcher by its handler callbacks rather than its `request()` API,
 * for the proxy's hot path: an answer whose `content-length` is at most `bufferBytes` is gathered
 * into one Buffer and answered when it has all arrived (no stream, no async resource for it); any
 * other answer is handed out at its headers as a Readable that pauses the socket when its reader
 * falls behind. Rejects with undici's own errors, as `request()` does.
 */
export function dispatchRaw(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal?: AbortSignal,
  bufferBytes = RAW_BUFFER_BYTES,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    dispatcher.dispatch(options, new RawHandler(resolve, reject, bufferBytes, signal));
  });
}

interface Controller {
  pause(): void;
  resume(): void;
  abort(reason: unknown): void;
}

class RawHandler {
  private status = 0;
  private headers: RawAnswer["headers"] = {};
  private chunks: Buffer[] = [];
  private stream: Readable | null = null;
  private settled = false;
  private ended = false;
  private controller: Controller | null = null;
  private readonly onAbort: (() => void) | null = null;
  private readonly resolve: (answer: RawAnswer) => void;
  private readonly reject: (error: unknown) => void;
  private readonly bufferBytes: number;
  private readonly signal: AbortSignal | undefined;

  constructor(
    resolve: (answer: RawAnswer) => void,
    reject: (error: unknown) => void,
    bufferBytes: number,
    signal: AbortSignal | undefined,
  ) {
    this.resolve = resolve;
    this.reject = reject;
    this.bufferBytes = bufferBytes;
    this.signal = signal;
    if (signal) {
      this.onAbort = () => this.controller?.abort(signal.reason);
      signal.addEventListener("abort", this.onAbort, { once: true });
    }
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.signal?.aborted) controller.abort(this.signal.reason);
  }

  onResponseStart(controller: Controller, status: number, headers: RawAnswer["headers"]): void {
    // An interim answer (100 Continue, 103 Early Hints) is not Salesforce's answer.
    if (status < 200) return;
    this.status = status;
    this.headers = headers;
    const length = Number(headers["content-length"]);
    if (Number.isFinite(length) && length <= this.bufferBytes) return;
    const stream = new Readable({
      read: () => controller.resume(),
      // A reader that leaves before the end (the proxy's caller hung up) ends the call and frees its socket.
      destroy: (error, callback) => {
        if (!this.ended) controller.abort(error ?? new Error("the answer's reader went away before its end"));
        callback(error);
      },
    });
    this.stream = stream;
    this.answer({ status, headers, body: stream });
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.stream) {
      if (!this.stream.push(chunk)) controller.pause();
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.ended = true;
    this.unlisten();
    if (this.stream) {
      this.stream.push(null);
      return;
    }
    const chunks = this.chunks;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    this.chunks = [];
    this.answer({ status: this.status, headers: this.headers, body });
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.ended = true;
    this.unlisten();
    if (this.stream) {
      if (!this.stream.destroyed) this.stream.destroy(error);
      return;
    }
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  private answer(answer: RawAnswer): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(answer);
  }

  private unlisten(): void {
    if (this.onAbort) this.signal?.removeEventListener("abort", this.onAbort);
  }
}
