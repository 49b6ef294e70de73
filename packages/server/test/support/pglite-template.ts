import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startJobQueue } from "../../src/jobs/job-queue.ts";
import { createLogger } from "../../src/log/logger.ts";
import { openDatabase } from "../../src/store/database.ts";

/**
 * Vitest's global setup: one embedded database created and migrated for the whole run. Creating a
 * PGlite database (initdb inside WebAssembly) costs seconds of CPU, and the suite starts hundreds
 * of servers on fresh stores; `freshStore` copies this closed one into each new data directory
 * instead, so every test still gets a database of its own, migrated by the same files and with
 * the job queue's schema installed.
 */
export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "forcelink-pglite-template-"));
  const db = await openDatabase({ dataDir: dir });
  // The job queue's schema too, as a server's first start installs it.
  const boss = await startJobQueue(db, createLogger("silent"));
  await boss.stop({ graceful: false });
  await db.close();
  process.env.FORCELINK_TEST_PGLITE_TEMPLATE = join(dir, "pgdata");
  return () => rmSync(dir, { recursive: true, force: true });
}
