/** What `connections list` and `sync` print, the same whether they read the store or a running server's API. */

export interface ConnectionLine {
  id: string;
  endUserId: string;
  status: string;
  environment: string;
  orgId: string | null;
  username: string | null;
  /** ISO 8601, or null before the first refresh. */
  lastRefreshAt: string | null;
  statusReason: string | null;
}

/** The connections as JSON, or as a table with a column per field. */
export function printConnections(rows: ConnectionLine[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log("No connections.");
    return;
  }
  const head = ["ID", "END USER", "STATUS", "ENV", "ORG", "USERNAME", "LAST REFRESH", "REASON"];
  const table = rows.map((r) => [
    r.id,
    r.endUserId,
    r.status,
    r.environment,
    r.orgId ?? "",
    r.username ?? "",
    r.lastRefreshAt ?? "",
    r.statusReason ?? "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(head));
  for (const row of table) console.log(line(row));
}

export interface SyncRunLine {
  id: string;
  object: string;
  status: string;
  mode: string | null;
  counts: { read: number; upserted: number; deleted: number };
  apiCalls: number;
  durationMs: number | null;
  error?: unknown;
}

/** A finished sync run as JSON, or as one summary line (and its error's message). */
export function printSyncRun(run: SyncRunLine, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(run, null, 2));
    return;
  }
  const seconds = (run.durationMs ?? 0) / 1000;
  console.log(
    `${run.status.toUpperCase()} ${run.object} (${run.mode ?? "nothing to read"}): read ${run.counts.read}, upserted ${run.counts.upserted}, deleted ${run.counts.deleted} in ${seconds.toFixed(1)} s, ${run.apiCalls} API calls (run ${run.id})`,
  );
  if (run.error) console.log(`  ${(run.error as { message?: string }).message}`);
}
