import { sql } from "drizzle-orm";
import type { Db } from "../../store/database.ts";
import type { DeliveryBatch, Destination, ObjectSchema, SchemaChange } from "./destination.ts";

/**
 * Records kept in Forcelink's own store, read back with the records API
 * (`GET /v1/connections/{id}/records/{object}?cursor=`). Every row that changes takes the next
 * number of a sequence, so a reader's cursor is the last number it saw. A version that is not
 * newer than the stored one (a lookback re-read, a redelivered batch) changes nothing and takes
 * no number, so readers never see it twice. Values are merged into the stored record, so a
 * partial record (a refresh of formula or new fields) updates just those fields.
 */
export class RecordsDestination implements Destination {
  readonly name: string;
  private readonly db: Db;
  private readonly projectId: string;
  private readonly connectionId: string;
  private stampField = "SystemModstamp";

  constructor(options: { name: string; db: Db; projectId: string; connectionId: string }) {
    this.name = options.name;
    this.db = options.db;
    this.projectId = options.projectId;
    this.connectionId = options.connectionId;
  }

  async prepare(schema: ObjectSchema): Promise<SchemaChange> {
    const names = schema.fields.map((f) => f.name);
    this.stampField =
      ["SystemModstamp", "LastModifiedDate", "CreatedDate"].find((c) =>
        names.some((n) => n.toLowerCase() === c.toLowerCase()),
      ) ?? "";
    // Records are JSON documents: a new or vanished field needs no storage change.
    return { added: [], removed: [] };
  }

  async deliver(batch: DeliveryBatch): Promise<void> {
    if (batch.upserts.length > 0) {
      const rows = batch.upserts.map((r) => ({
        id: String(r.Id),
        data: r,
        modstamp: this.stampField ? ((r[this.stampField] as string | null) ?? null) : null,
      }));
      await this.db.execute(sql`
        INSERT INTO sync_records (project_id, connection_id, object, record_id, data, modstamp)
        SELECT ${this.projectId}, ${this.connectionId}, ${batch.object}, x.id, x.data, x.modstamp
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(id text, data jsonb, modstamp text)
        ON CONFLICT (connection_id, object, record_id) DO UPDATE
          SET data = COALESCE(sync_records.data, '{}'::jsonb) || excluded.data, modstamp = excluded.modstamp,
              deleted_at = NULL, change = nextval('sync_record_changes')
          WHERE (sync_records.deleted_at IS NULL AND (sync_records.modstamp IS NULL OR excluded.modstamp IS NULL
                   OR excluded.modstamp > sync_records.modstamp
                   OR (excluded.modstamp = sync_records.modstamp
                       AND COALESCE(sync_records.data, '{}'::jsonb) || excluded.data IS DISTINCT FROM sync_records.data)))
             OR (sync_records.deleted_at IS NOT NULL AND excluded.modstamp > sync_records.deleted_at)`);
    }
    if (batch.deletes.length > 0) {
      await this.db.execute(sql`
        INSERT INTO sync_records (project_id, connection_id, object, record_id, data, modstamp, deleted_at)
        SELECT ${this.projectId}, ${this.connectionId}, ${batch.object}, x.id, NULL, x.deleted_at, x.deleted_at
        FROM jsonb_to_recordset(${JSON.stringify(batch.deletes.map((d) => ({ id: d.id, deleted_at: d.deletedAt })))}::jsonb)
          AS x(id text, deleted_at text)
        ON CONFLICT (connection_id, object, record_id) DO UPDATE
          SET deleted_at = excluded.deleted_at, change = nextval('sync_record_changes')
          WHERE sync_records.deleted_at IS NULL
            AND (sync_records.modstamp IS NULL OR excluded.deleted_at >= sync_records.modstamp)`);
    }
  }

  async close(): Promise<void> {}
}

export interface RecordChange {
  id: string;
  deleted: boolean;
  deletedAt: string | null;
  data: Record<string, unknown> | null;
}

/** The records of an object changed after `after` (a change number), oldest first. */
export async function recordChanges(
  db: Db,
  connectionId: string,
  object: string,
  after: number,
  limit: number,
): Promise<{ records: RecordChange[]; last: number | null }> {
  const result = await db.execute(sql`
    SELECT record_id, data, deleted_at, change FROM sync_records
    WHERE connection_id = ${connectionId} AND object = ${object} AND change > ${after}
    ORDER BY change ASC LIMIT ${limit}`);
  const rows = (result as unknown as { rows: Array<Record<string, unknown>> }).rows;
  return {
    records: rows.map((r) => ({
      id: r.record_id as string,
      deleted: r.deleted_at !== null,
      deletedAt: (r.deleted_at as string | null) ?? null,
      data: (r.data as Record<string, unknown> | null) ?? null,
    })),
    last: rows.length > 0 ? Number(rows[rows.length - 1].change) : null,
  };
}
