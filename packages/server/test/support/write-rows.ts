import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { ServerHarness } from "./harness.ts";
import { waitFor } from "./wait.ts";
import { type Json, postWrite } from "./write-connection.ts";

/** A write as the store holds it, made the way the write API stores a request's records. */
export interface WriteInput {
  connectionId: string;
  object: string;
  operation: "insert" | "update" | "upsert" | "delete";
  externalIdField?: string;
  allOrNone?: boolean;
  records: Array<Record<string, unknown>>;
}

/** Stores a queued write and its records (pending), as the API does before it runs one. */
export async function storeWrite(h: ServerHarness, input: WriteInput): Promise<string> {
  const id = `write_${randomBytes(8).toString("hex")}`;
  await h.sql(
    `INSERT INTO writes (id, project_id, connection_id, object, operation, external_id_field, all_or_none, status, total)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8)`,
    [
      id,
      h.projectId,
      input.connectionId,
      input.object,
      input.operation,
      input.externalIdField ?? null,
      input.allOrNone ?? false,
      input.records.length,
    ],
  );
  for (let i = 0; i < input.records.length; i += 1000) {
    const rows = input.records.slice(i, i + 1000).map((data, j) => ({ idx: i + j, data }));
    await h.sql(
      `INSERT INTO write_records (write_id, idx, data)
       SELECT $1, x.idx, x.data FROM jsonb_to_recordset($2::jsonb) AS x(idx int, data jsonb)`,
      [id, JSON.stringify(rows)],
    );
  }
  return id;
}

export interface StoredWrite {
  id: string;
  status: string;
  path: string | null;
  total: number;
  succeeded: number;
  failed: number;
  unknown: number;
  api_calls: number;
  error: { code?: string; message?: string; resumeAt?: string } | null;
}

export interface StoredRecord {
  idx: number;
  status: string;
  sf_id: string | null;
  created: boolean | null;
  errors: Array<{ code: string; message: string; fields: string[]; retry: string; checklistItem?: string }> | null;
  attempts: number;
  bulk_job_id: string | null;
  data: Record<string, unknown>;
}

export async function writeRow(h: ServerHarness, id: string): Promise<StoredWrite> {
  const [row] = await h.sql<StoredWrite>("SELECT * FROM writes WHERE id = $1", [id]);
  return row;
}

export async function recordRows(h: ServerHarness, id: string): Promise<StoredRecord[]> {
  return h.sql<StoredRecord>("SELECT * FROM write_records WHERE write_id = $1 ORDER BY idx", [id]);
}

/** Counts of the records by status. */
export async function statusCounts(h: ServerHarness, id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await recordRows(h, id)) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

/**
 * A write through the API: small ones answer with their results in the request, larger ones are
 * followed until the job queue's worker finished them. Answers the API's answer and the stored rows.
 */
export async function writeThroughApi(h: ServerHarness, input: WriteInput) {
  const { connectionId, ...body } = input;
  const res = await postWrite(h, connectionId, body);
  expect([200, 202], JSON.stringify(res.body).slice(0, 500)).toContain(res.status);
  const id = res.body.id as string;
  const write = await waitFor(async () => {
    const row = await writeRow(h, id);
    return ["completed", "failed", "paused"].includes(row.status) && row;
  }, `write ${id} to finish`);
  return { id, status: res.status, body: res.body as Json, write, records: await recordRows(h, id) };
}
