import { fromPglite, PgBoss } from "pg-boss";
import type { Logger } from "../log/logger.ts";
import type { Database } from "../store/database.ts";

/**
 * Durable jobs (webhook deliveries, refreshes, checklist runs, syncs) on pg-boss: over PGlite
 * embedded and over PostgreSQL scaled out, one code path.
 */
export async function startJobQueue(database: Database, logger: Logger): Promise<PgBoss> {
  const boss =
    database.kind === "pglite"
      ? new PgBoss({ db: fromPglite(database.pglite!), schema: "pgboss" })
      : new PgBoss({ connectionString: database.connectionString!, schema: "pgboss", max: 5 });
  boss.on("error", (err: Error) => logger.error({ err }, "job queue error"));
  await boss.start();
  return boss;
}
