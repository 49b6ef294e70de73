import { eq, getTableColumns, is } from "drizzle-orm";
import { type PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../store/database.ts";
import { schema } from "../store/schema.ts";
import type { Sealer } from "./sealing.ts";

/** Every column that holds a sealed value, found by the schema's naming rule (`*_sealed`). */
function sealedColumns(table: PgTable): Array<[string, PgColumn]> {
  return Object.entries(getTableColumns(table)).filter(([, c]) => c.name.endsWith("_sealed")) as Array<
    [string, PgColumn]
  >;
}

/**
 * Re-seals every secret with the sealer's current key, opening old values with the previous
 * keys it was given. All or nothing: one transaction.
 */
export async function resealEverything(db: Db, sealer: Sealer): Promise<{ values: number; rows: number }> {
  let values = 0;
  let rows = 0;
  await db.transaction(async (tx) => {
    // The schema holds sequences too; only tables have columns.
    for (const table of (Object.values(schema) as unknown[]).filter((t): t is PgTable => is(t, PgTable))) {
      const columns = sealedColumns(table);
      if (columns.length === 0) continue;
      const idColumn = getTableColumns(table).id as PgColumn;
      const all = (await tx.select().from(table)) as Array<Record<string, unknown>>;
      for (const row of all) {
        const changes: Record<string, string> = {};
        for (const [key] of columns) {
          const value = row[key];
          if (typeof value !== "string" || sealer.sealedWithCurrentKey(value)) continue;
          changes[key] = sealer.seal(sealer.open(value));
        }
        if (Object.keys(changes).length === 0) continue;
        await tx
          .update(table)
          .set(changes)
          .where(eq(idColumn, row.id as string));
        values += Object.keys(changes).length;
        rows++;
      }
    }
  });
  return { values, rows };
}
