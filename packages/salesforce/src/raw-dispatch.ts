import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { ResponseHeaders } from "./api-client.ts";

/** Salesforce's answer to a proxied call: a small body of known length already read, any other streaming. */
export interface RawAnswer {
  status: number;
  headers: ResponseHeaders;
  body: Buffer | Readable;
}

/** Answers of known length up to this many bytes arrive read, in one Buffer. */
export const RAW_BUFFER_BYTES = 64 * 1024;

interface Controller {
  pause(): void;
  resume(): void;
  abort(reason: unknown): void;
}

/**
 * One call through an undici dispatcher by its handler callbacks rather than its `request()` API,
 * for the proxy's hot path: an answer whose `content-length` is at most `bufferBytes` is gathered
 * into one Buffer and answered when it has all arrived (no stream, no async resource for it); any
 * other answer is handed out at its headers as a Readable that pauses the socket when its reader
 * falls behind, and whose early destruction ends the call. Rejects with undici's own errors, as
 * `request()` does (a promise settles once: later calls of resolve or reject change nothing).
 */
export function dispatchRaw(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal?: AbortSignal,
  bufferBytes = RAW_BUFFER_BYTES,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let controller: Controller | null = null;
    let status = 0;
    let headers: ResponseHeaders = {};
    let chunks: Buffer[] = [];
    let stream: Readable | null = null;
    let ended = false;
    const onAbort = () => controller?.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const end = () => {
      ended = true;
      signal?.removeEventListener("abort", onAbort);
    };
    dispatcher.dispatch(options, {
      onRequestStart(c: Controller) {
        controller = c;
        if (signal?.aborted) c.abort(signal.reason);
      },
      onResponseStart(c: Controller, statusCode: number, given: ResponseHeaders) {
        // An interim answer (100 Continue, 103 Early Hints) is not Salesforce's answer.
        if (statusCode < 200) return;
        status = statusCode;
        headers = given;
        const length = Number(given["content-length"]);
        if (Number.isFinite(length) && length <= bufferBytes) return;
        stream = new Readable({
          read: () => c.resume(),
          // A reader that leaves before the end (the proxy's caller hung up) ends the call and frees its socket.
          destroy: (error, callback) => {
            if (!ended) c.abort(error ?? new Error("the answer's reader went away before its end"));
            callback(error);
          },
        });
        resolve({ status, headers, body: stream });
      },
      onResponseData(c: Controller, chunk: Buffer) {
        if (!stream) chunks.push(chunk);
        else if (!stream.push(chunk)) c.pause();
      },
      onResponseEnd() {
        end();
        if (stream) return void stream.push(null);
        resolve({ status, headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
        chunks = [];
      },
      onResponseError(_c: Controller, error: Error) {
        end();
        if (stream && !stream.destroyed) stream.destroy(error);
        reject(error);
      },
    });
  });
}
