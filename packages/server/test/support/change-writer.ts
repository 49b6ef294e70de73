/*
 * Writes a seeded mix of Account changes into an emulated org through a connection's proxy, as
 * a customer's own code would: creates, updates and deletes through sObject Collections, creates
 * and updates through Bulk ingest jobs. Most changes give a whole batch the same values, which the
 * org merges into one change event per transaction (a Bulk job's chunk of 200, a collection call),
 * so 50,000 changes are a few thousand events; some updates give each record a Name carrying a
 * version number of its own (one event each). Every update moves Industry or the Name version on,
 * so a destination row holding an older value than the source shows.
 */
import { expect } from "vitest";
import type { Api } from "./api-client.ts";
import { sleep } from "./wait.ts";

/** A small seeded generator (mulberry32): the same seed writes the same changes. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INDUSTRIES = ["Energy", "Media", "Banking", "Retail", "Biotechnology", "Shipping"];
const BATCH = 200;

export interface ChangeWriterOptions {
  api: Api;
  connectionId: string;
  seed: number;
  /** Records a Bulk ingest job writes at once (default 2,000). */
  bulkSize?: number;
  /** Records a collection call that names each record's own Name updates (default 25). */
  distinctBatch?: number;
}

/**
 * Writes changes a slice at a time (`write(n)`); a call answered 5xx (an injected 503 is answered
 * before anything is written) is made again. `ids` holds every Account it created.
 */
export class ChangeWriter {
  /** Every Account id the writer created (deleted ones among them). */
  readonly ids = new Set<string>();
  changes = 0;
  calls = 0;
  /** Calls answered 5xx and made again. */
  retried = 0;
  private readonly o: ChangeWriterOptions;
  private readonly random: () => number;
  private readonly base: string;
  private readonly live: string[] = [];
  private readonly versions = new Map<string, number>();
  private created = 0;

  constructor(options: ChangeWriterOptions) {
    this.o = options;
    this.random = seededRandom(options.seed);
    this.base = `/v1/connections/${options.connectionId}/proxy/services/data/v67.0`;
  }

  /** Writes at least `n` more changes. */
  async write(n: number): Promise<void> {
    const until = this.changes + n;
    while (this.changes < until) await this.step();
  }

  private async step(): Promise<void> {
    const bulkSize = this.o.bulkSize ?? 2_000;
    const roll = this.random();
    const industry = INDUSTRIES[Math.floor(this.random() * INDUSTRIES.length)];
    if (this.live.length < bulkSize || roll < 0.3) {
      const names = `Batch ${this.created++}`;
      if (roll < 0.1) {
        // A Bulk job of identical rows: one CREATE event per chunk of 200.
        const jobId = await this.bulk("insert", `Name,Industry\n${`${names},${industry}\n`.repeat(bulkSize)}`);
        const csv = String((await this.call("GET", `/jobs/ingest/${jobId}/successfulResults`)) ?? "");
        const ids = csv
          .split("\n")
          .slice(1)
          .filter(Boolean)
          .map((line) => line.split(",")[0].replace(/"/g, ""));
        expect(ids.length).toBe(bulkSize);
        this.born(ids);
        return;
      }
      const records = Array.from({ length: BATCH }, () => ({
        attributes: { type: "Account" },
        Name: names,
        Industry: industry,
      }));
      const results = this.settled(await this.call("POST", "/composite/sobjects", { allOrNone: false, records }));
      this.born(results.map((r) => String(r.id)));
      return;
    }
    if (roll < 0.5) {
      // Each record a Name of its own: one UPDATE event each.
      const ids = this.pick(this.o.distinctBatch ?? 25);
      const records = ids.map((id) => ({ attributes: { type: "Account" }, id, Name: this.nextName(id) }));
      this.settled(await this.call("PATCH", "/composite/sobjects", { allOrNone: false, records }));
      this.changes += ids.length;
      return;
    }
    if (roll < 0.85) {
      // The same Industry for a batch: one merged UPDATE event a transaction.
      if (roll < 0.6) {
        const many = this.pick(bulkSize);
        await this.bulk("update", `Id,Industry\n${many.map((id) => `${id},${industry}`).join("\n")}\n`);
        this.changes += many.length;
        return;
      }
      const ids = this.pick(BATCH);
      const records = ids.map((id) => ({ attributes: { type: "Account" }, id, Industry: industry }));
      this.settled(await this.call("PATCH", "/composite/sobjects", { allOrNone: false, records }));
      this.changes += ids.length;
      return;
    }
    // Deletes: one merged DELETE event a call.
    const ids = this.pick(BATCH / 2);
    this.settled(await this.call("DELETE", `/composite/sobjects?allOrNone=false&ids=${ids.join(",")}`));
    const gone = new Set(ids);
    for (let i = this.live.length - 1; i >= 0; i--) if (gone.has(this.live[i])) this.live.splice(i, 1);
    this.changes += ids.length;
  }

  private born(ids: string[]): void {
    for (const id of ids) {
      this.live.push(id);
      this.ids.add(id);
    }
    this.changes += ids.length;
  }

  private async call(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    for (let attempt = 1; ; attempt++) {
      this.calls++;
      const res = await this.o.api(`${this.base}${path}`, {
        method,
        ...(body === undefined ? {} : { body }),
        ...(headers ? { headers } : {}),
      });
      const text = await res.text();
      if (res.status >= 500 && attempt < 20) {
        this.retried++;
        await sleep(20 * attempt);
        continue;
      }
      expect(res.status, `${method} ${path}: ${text.slice(0, 500)}`).toBeLessThan(300);
      if (!text) return null;
      return res.headers.get("content-type")?.includes("json") ? (JSON.parse(text) as unknown) : text;
    }
  }

  private settled(answer: unknown): Array<{ id?: string; success: boolean }> {
    const results = answer as Array<{ id?: string; success: boolean; errors?: unknown }>;
    const failed = results.filter((r) => !r.success);
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    return results;
  }

  private pick(n: number): string[] {
    const chosen = new Set<string>();
    while (chosen.size < Math.min(n, this.live.length))
      chosen.add(this.live[Math.floor(this.random() * this.live.length)]);
    return [...chosen];
  }

  private nextName(id: string): string {
    const v = (this.versions.get(id) ?? 0) + 1;
    this.versions.set(id, v);
    return `${id} v${v}`;
  }

  private async bulk(operation: "insert" | "update", csv: string): Promise<string> {
    const job = (await this.call("POST", "/jobs/ingest", {
      object: "Account",
      operation,
      contentType: "CSV",
      lineEnding: "LF",
    })) as { id: string };
    await this.call("PUT", `/jobs/ingest/${job.id}/batches`, csv, { "content-type": "text/csv" });
    await this.call("PATCH", `/jobs/ingest/${job.id}`, { state: "UploadComplete" });
    for (;;) {
      const state = (await this.call("GET", `/jobs/ingest/${job.id}`)) as {
        state: string;
        numberRecordsFailed: number;
      };
      expect(state.state).not.toBe("Failed");
      if (state.state === "JobComplete") {
        expect(state.numberRecordsFailed).toBe(0);
        return job.id;
      }
      await sleep(50);
    }
  }
}
