import { setTimeout as delay } from "node:timers/promises";
import { backoffDelay } from "@forcelink/salesforce";
import { Agent, request } from "undici";
import type { Clock } from "../../platform/clock.ts";
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from "../../webhooks/signing.ts";
import type { DeliveryBatch, Destination, ObjectSchema, SchemaChange } from "./destination.ts";

export const RECORDS_EVENT = "sync.records";

export interface WebhookDestinationOptions {
  name: string;
  url: string;
  secret: string;
  /** Records per POST (the batch from the reader is split). */
  batchSize: number;
  connectionId: string;
  /** Signs each POST with this clock's time. */
  clock: Clock;
  /** Attempts per POST before the run fails and keeps its checkpoint (default 6). */
  attempts?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Batches of records POSTed to the builder's endpoint, signed like every Forcelink webhook
 * (`Forcelink-Signature`). A 2xx is the acknowledgement the checkpoint waits for; anything else
 * is retried with backoff, and in the end fails the run with the checkpoint where it was. Each
 * POST carries an id that stays the same when it is sent again (`Forcelink-Event-Id`,
 * `<run>.<batch>.<part>`), so the receiver can drop a repeat.
 */
export class WebhookDestination implements Destination {
  readonly name: string;
  private readonly options: WebhookDestinationOptions;
  private readonly agent = new Agent({ connections: 4, keepAliveTimeout: 10_000 });

  constructor(options: WebhookDestinationOptions) {
    this.name = options.name;
    this.options = options;
  }

  async prepare(_schema: ObjectSchema): Promise<SchemaChange> {
    return { added: [], removed: [] };
  }

  async deliver(batch: DeliveryBatch): Promise<void> {
    const size = this.options.batchSize;
    const parts = Math.max(1, Math.ceil(batch.upserts.length / size));
    for (let part = 0; part < parts; part++) {
      const upserts = batch.upserts.slice(part * size, (part + 1) * size);
      const deletes = part === parts - 1 ? batch.deletes : [];
      if (upserts.length === 0 && deletes.length === 0) continue;
      await this.post(`${batch.runId}.${batch.sequence}.${part}`, {
        type: RECORDS_EVENT,
        connectionId: this.options.connectionId,
        object: batch.object,
        runId: batch.runId,
        batch: batch.sequence,
        part,
        upserts,
        deletes,
      });
    }
  }

  private async post(eventId: string, payload: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify({ id: eventId, ...payload });
    const attempts = this.options.attempts ?? 6;
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const timestamp = Math.floor(this.options.clock.nowMs() / 1000);
        const res = await request(this.options.url, {
          method: "POST",
          dispatcher: this.agent,
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: signatureHeader([this.options.secret], timestamp, body),
            [EVENT_ID_HEADER]: eventId,
            [EVENT_TYPE_HEADER]: RECORDS_EVENT,
          },
          body,
          headersTimeout: this.options.timeoutMs ?? 30_000,
          bodyTimeout: this.options.timeoutMs ?? 30_000,
        });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) return;
        last = `HTTP ${res.statusCode}`;
      } catch (error) {
        last = (error as Error).message;
      }
      if (attempt < attempts)
        await (this.options.sleep ?? delay)(
          backoffDelay(attempt + 1, { baseDelayMs: 250, maxDelayMs: 30_000 }, Math.random),
        );
    }
    throw new Error(
      `Webhook destination '${this.name}' did not acknowledge a batch after ${attempts} attempts (${last}); the sync keeps its checkpoint and resumes from there on the next run.`,
    );
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
