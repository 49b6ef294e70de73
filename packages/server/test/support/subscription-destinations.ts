/*
 * What a subscription's destinations hold against the emulated org, record by record: the suites
 * that write changes while subscribers crash or the stream fails wait for no difference, then
 * assert there is none.
 */
import pg from "pg";
import type { SyncHarness } from "./harness.ts";

/**
 * Manifest of a subscribed Account into the records API (`cache`) and, when a URL is given, a
 * PostgreSQL table (`warehouse`).
 */
export function subscribedAccounts(warehouseUrl?: string): string {
  return `
name: live
destinations:
  cache:
    type: records
${warehouseUrl ? `  warehouse:\n    type: postgres\n    url: ${warehouseUrl}\n` : ""}objects:
  - name: Account
    fields: [Id, Name, Industry, SystemModstamp]
    schedule: "0 0 1 1 *"
    deletes: true
    subscribe: true
    destinations: [cache${warehouseUrl ? ", warehouse" : ""}]
`;
}

interface HeldRow {
  name: unknown;
  industry: unknown;
  stamp: number | null;
  deleted: boolean;
}

/** The source's version of one record: live values, or deleted. */
function sourceOf(h: SyncHarness, id: string) {
  const r = h.org.store.tableOrThrow("Account").get(id);
  if (!r || r.IsDeleted === true) return { deleted: true as const };
  return {
    deleted: false as const,
    name: (r.Name as string | undefined) ?? null,
    industry: (r.Industry as string | undefined) ?? null,
    stamp: Number(r.SystemModstamp),
  };
}

/**
 * How one destination's rows differ from the source among `ids` (every record the test wrote):
 * a live record missing or with another Name or Industry, a stamp older than the source's, a
 * deleted record still live, a record the source never had. Empty when they are equal.
 */
function differences(h: SyncHarness, label: string, held: Map<string, HeldRow>, ids: Set<string>): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const src = sourceOf(h, id);
    const row = held.get(id);
    if (src.deleted) {
      if (row && !row.deleted) out.push(`${label}: ${id} deleted in the source, live here (${String(row.name)})`);
      continue;
    }
    if (!row) out.push(`${label}: ${id} missing`);
    else if (row.deleted) out.push(`${label}: ${id} live in the source, deleted here`);
    else if (row.name !== src.name || row.industry !== src.industry)
      out.push(`${label}: ${id} holds ${String(row.name)}/${String(row.industry)}, source ${src.name}/${src.industry}`);
    else if (row.stamp === null || row.stamp < src.stamp)
      out.push(`${label}: ${id} stamped ${row.stamp}, older than the source's ${src.stamp}`);
  }
  for (const [id, row] of held) if (!ids.has(id) && !row.deleted) out.push(`${label}: ${id} not written by the test`);
  return out;
}

/** The PostgreSQL table's rows, by id. */
export async function warehouseRows(url: string): Promise<Map<string, HeldRow>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client
      .query<{ id: string; name: string | null; industry: string | null; stamp: Date | null; deleted: Date | null }>(
        "SELECT id, name, industry, systemmodstamp AS stamp, _forcelink_deleted_at AS deleted FROM account",
      )
      .catch(() => ({ rows: [] }));
    return new Map(
      rows.map((r) => [
        r.id,
        { name: r.name, industry: r.industry, stamp: r.stamp ? r.stamp.getTime() : null, deleted: r.deleted !== null },
      ]),
    );
  } finally {
    await client.end();
  }
}

/** The records API's records, by id. */
async function servedRows(h: SyncHarness): Promise<Map<string, HeldRow>> {
  const out = new Map<string, HeldRow>();
  for (const [id, r] of await h.served("Account")) {
    const stamp = r.data?.SystemModstamp;
    out.set(id, {
      name: r.data?.Name ?? null,
      industry: r.data?.Industry ?? null,
      stamp: typeof stamp === "string" ? Date.parse(stamp) : null,
      deleted: r.deleted,
    });
  }
  return out;
}

/** Every difference between the destinations (the records API, and the table when given) and the source. */
export async function destinationDifferences(h: SyncHarness, ids: Set<string>, warehouseUrl?: string) {
  const out = differences(h, "records API", await servedRows(h), ids);
  if (warehouseUrl) out.push(...differences(h, "PostgreSQL table", await warehouseRows(warehouseUrl), ids));
  return out;
}

/** The subscription's checkpoint as stored, and the org's latest replay id (base64, as stored). */
export async function caughtUp(h: SyncHarness): Promise<boolean> {
  const [sub] = await h.sql<{ replay_id: string | null }>("SELECT replay_id FROM subscriptions");
  const res = await fetch(`${h.emulator.urls.login}/__emulator/pubsub`);
  const view = (await res.json()) as { latestReplayIdBase64: string };
  return sub?.replay_id === view.latestReplayIdBase64;
}
