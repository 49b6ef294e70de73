import type { Writable } from "node:stream";
import type pg from "pg";

/** What pg hands a custom query: its connection, whose socket the rows are written to. */
interface Connection {
  stream: Writable;
  query(text: string): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

const COPY_DATA = 0x64;

/**
 * Runs `COPY … FROM STDIN` on `client`, sending `rows` (COPY text) as they come, with the socket's backpressure.
 * Rejects with the server's error, or with the error `rows` threw (the COPY is then failed and nothing is written).
 */
export function copyIn(
  client: pg.PoolClient,
  sql: string,
  rows: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    client.query(new CopyIn(sql, rows, (error) => (error ? reject(error) : resolve())) as unknown as pg.QueryConfig);
  });
}

/** A query object as pg's client drives it (`submit`, then a handler per backend message). */
class CopyIn {
  readonly text: string;
  private readonly rows: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  private readonly done: (error: Error | null) => void;
  private finished = false;
  private sourceError: Error | null = null;

  constructor(text: string, rows: CopyIn["rows"], done: (error: Error | null) => void) {
    this.text = text;
    this.rows = rows;
    this.done = done;
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    void this.pump(connection);
  }

  handleError(error: Error): void {
    this.finish(this.sourceError ?? error);
  }

  handleReadyForQuery(): void {
    this.finish(this.sourceError);
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private finish(error: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    this.done(error);
  }

  private async pump(connection: Connection): Promise<void> {
    const stream = connection.stream;
    try {
      for await (const chunk of this.rows) {
        // The server refused the COPY (or the connection broke): it drops whatever comes after.
        if (this.finished) return;
        if (chunk.length === 0) continue;
        const header = Buffer.allocUnsafe(5);
        header[0] = COPY_DATA;
        header.writeInt32BE(chunk.length + 4, 1);
        // One write to the socket for the message's header and its rows.
        stream.cork();
        stream.write(header);
        const more = stream.write(chunk);
        stream.uncork();
        if (!more) await drained(stream);
      }
      if (!this.finished) connection.endCopyFrom();
    } catch (error) {
      this.sourceError = error instanceof Error ? error : new Error(String(error));
      if (!this.finished) connection.sendCopyFail(`the rows could not be read: ${this.sourceError.message}`);
    }
  }
}

/** Resolves once the socket takes more, or is gone (pg then fails the query). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}

/**
 * Rows that can be read a second time: `rows` hands out the source's chunks and keeps them, `replay()` gives them all
 * again then the source's rest. A reader of `rows` that stops early (a COPY the server refused) leaves the source open.
 */
export function replayable(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): {
  rows: AsyncIterable<Uint8Array>;
  replay(): AsyncIterable<Uint8Array>;
} {
  const held: Uint8Array[] = [];
  const iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  let ended = false;
  // Chunks go into `held` in the source's order, whoever asked for them.
  const pull = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await iterator.next();
    if (next.done) ended = true;
    else held.push(next.value);
    return !ended;
  };
  return {
    rows: {
      [Symbol.asyncIterator]() {
        let read = 0;
        return {
          async next(): Promise<IteratorResult<Uint8Array>> {
            while (read >= held.length) if (!(await pull())) return { done: true, value: undefined };
            return { done: false, value: held[read++] };
          },
          async return(): Promise<IteratorResult<Uint8Array>> {
            return { done: true, value: undefined };
          },
        };
      },
    },
    async *replay() {
      let read = 0;
      for (;;) {
        while (read >= held.length) if (!(await pull())) return;
        yield held[read++];
      }
    },
  };
}
