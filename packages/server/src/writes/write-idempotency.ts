import { createHash, type Hash } from "node:crypto";
import { sameHash } from "../crypto/hashing.ts";
import { Problem } from "../remedies/problem.ts";
import type { InputRecord } from "./write-input.ts";
import type { WriteRow } from "./write-store.ts";

/**
 * Idempotency-Key: a write made with a key is made once. The same key with the same request
 * answers that write as it stands now, never a second execution; the same key with another
 * request is refused. The request hash covers what decides the write (connection, object,
 * operation, options and every record in order), whatever the body's format: the same records as
 * JSON or as NDJSON are the same request.
 */

export const IDEMPOTENCY_KEY_MAX = 200;

/** What a request asks for, apart from its records. */
export interface RequestHead {
  connectionId: string;
  object: string;
  operation: string;
  externalIdField?: string | null;
  allOrNone: boolean;
  /** For a retry: the write it re-runs and whether only retryable failures are taken. */
  retryOf?: string | null;
  retryableOnly?: boolean;
}

/** Hashes a request as its records stream by; memory holds only the hash state. */
export class RequestHasher {
  private readonly hash: Hash = createHash("sha256");

  constructor(head: RequestHead) {
    this.hash.update(
      `${JSON.stringify([
        head.connectionId,
        head.object,
        head.operation,
        head.externalIdField ?? null,
        head.allOrNone,
        head.retryOf ?? null,
        head.retryableOnly ?? false,
      ])}\n`,
    );
  }

  add(record: InputRecord): void {
    this.addJson(JSON.stringify(record));
  }

  /** A record given as its JSON text (`JSON.stringify(record)`), for a caller that needs the text too. */
  addJson(json: string): void {
    this.hash.update(`${json}\n`);
  }

  /** Records given as their JSON texts, in order: the same hash as `addJson` on each of them. */
  addJsonBatch(jsons: readonly string[]): void {
    if (jsons.length > 0) this.hash.update(`${jsons.join("\n")}\n`);
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}

/** Refuses a key that is empty, too long, or has characters no header value should. */
export function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX || !/^[\x21-\x7e]+$/.test(key))
    throw new Problem(
      "bad-input",
      "invalid_idempotency_key",
      `The Idempotency-Key header must be 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces.`,
      { remedy: "Use a UUID or another id of your own for each distinct write." },
    );
}

/** The write a key already names, when the request is the same one; a 409 Problem when it is not. */
export function replayOf(existing: WriteRow, requestHash: string): WriteRow {
  if (existing.requestHash && sameHash(existing.requestHash, requestHash)) return existing;
  throw new Problem(
    "conflict",
    "idempotency_key_reused",
    `The Idempotency-Key was already used for another request (write ${existing.id}): same key, different ${existing.retryOf ? "retry" : "body"}.`,
    {
      remedy:
        "Send the same request again to get that write, or use a new key for a new write: a key names one request.",
      details: { writeId: existing.id },
    },
  );
}

/** Whether an error is the store refusing a second write with the same key (the unique index writes_idempotency). */
export function isKeyTaken(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code === "23505") return true;
    e = e.cause as typeof e;
  }
  return false;
}
