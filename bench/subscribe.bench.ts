import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_SEED } from "@forcelink/emulator";
import pg from "pg";
import {
  type ApiCall,
  call,
  createDatabase,
  demoConnection,
  dropDatabase,
  exited,
  expectStatus,
  peakRssMb,
  round,
  testHostOf,
} from "./bench-support.ts";
import { passwordLogin, type SpawnedEmulator, spawnEmulator } from "./spawn-emulator.ts";
import { type SpawnedServer, spawnServer } from "./spawn-server.ts";
import { cpuSeconds, postgresCpuSeconds } from "./sync.bench.ts";

/**
 * The subscribe part: Change Data Capture through a real server on PostgreSQL into a PostgreSQL
 * table. (1) Latency: single Accounts created by REST in the emulator at a steady rate, each
 * stamped when its row is seen in the destination (polled every few ms): median and p99. (2)
 * Throughput: one Bulk ingest job of N Accounts, the events landing in PostgreSQL per second.
 * (3) Beside them, the same kind of change found by an incremental sync run asked for right after
 * the write (a second connection whose integration only syncs, into its own table).
 *
 * Environment: BENCH_SUBSCRIBE_EVENTS (N, default 50,000), BENCH_SUBSCRIBE_WRITES (latency samples,
 * default 200), BENCH_SUBSCRIBE_RATE (REST writes a second, default 20), BENCH_SUBSCRIBE_SYNC_SAMPLES
 * (incremental runs timed, default 5), BENCH_PG_URL (a server where the user may CREATE DATABASE),
 * BENCH_SUBSCRIBE_CPU_PROF=<dir> (the server writes a V8 CPU profile there when it stops).
 */

const API_VERSION = "67.0";
const FIELDS = [
  "Id",
  "Name",
  "Type",
  "Industry",
  "BillingCity",
  "BillingCountry",
  "Phone",
  "AnnualRevenue",
  "NumberOfEmployees",
  "Description",
  "SystemModstamp",
];
/** How often the destination is polled to stamp a row's arrival. */
const POLL_MS = 5;

function manifest(name: string, destinationUrl: string, tablePrefix: string, subscribe: boolean): string {
  return [
    `name: ${name}`,
    "destinations:",
    "  warehouse:",
    "    type: postgres",
    `    url: ${JSON.stringify(destinationUrl)}`,
    ...(tablePrefix ? [`    tablePrefix: ${tablePrefix}`] : []),
    "objects:",
    "  - name: Account",
    `    fields: [${FIELDS.join(", ")}]`,
    '    schedule: "0 0 1 1 *"',
    ...(subscribe ? ["    subscribe: true"] : []),
    "    destinations: [warehouse]",
    "",
  ].join("\n");
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SubscriptionView {
  state: string;
  stateReason: string | null;
  lastKeepaliveAt: string | null;
  eventsDelivered: number;
  recoveries: unknown[];
}

async function subscriptionOf(api: ApiCall, connectionId: string): Promise<SubscriptionView> {
  const res = await api(`/v1/connections/${connectionId}/subscriptions`);
  if (!res.ok) throw new Error(`subscriptions: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: SubscriptionView[] };
  if (body.data.length !== 1) throw new Error(`expected one subscription, got ${body.data.length}`);
  return body.data[0];
}

/** Until the subscriber runs and has heard the stream (a keepalive): changes from now on reach it. */
async function waitLive(api: ApiCall, connectionId: string, server: SpawnedServer): Promise<SubscriptionView> {
  const until = Date.now() + 120_000;
  for (;;) {
    if (exited(server.child)) throw new Error("the server exited before the subscription was live");
    const sub = await subscriptionOf(api, connectionId);
    if (sub.state === "paused") throw new Error(`the subscription is paused: ${sub.stateReason}`);
    if (sub.state === "running" && sub.lastKeepaliveAt) return sub;
    if (Date.now() > until) throw new Error(`the subscription did not go live: ${JSON.stringify(sub)}`);
    await sleep(200);
  }
}

/** Creates one Account by REST as the org's admin; answers its Id. */
async function createAccount(emulator: SpawnedEmulator, token: string, name: string): Promise<string> {
  const res = await call(`${emulator.myDomainUrl}/services/data/v${API_VERSION}/sobjects/Account`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ Name: name, Industry: "Energy", Description: `latency sample ${name}` }),
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Polls `table` for rows named in `waiting` (name → write start), stamping each when first seen. */
function arrivals(client: pg.Client, table: string) {
  const waiting = new Map<string, number>();
  const latencies: number[] = [];
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped || waiting.size > 0) {
      if (waiting.size > 0) {
        const names = [...waiting.keys()];
        const found = await client.query<{ name: string }>(`SELECT name FROM ${table} WHERE name = ANY($1)`, [names]);
        const seen = performance.now();
        for (const { name } of found.rows) {
          const started = waiting.get(name);
          if (started === undefined) continue;
          latencies.push(seen - started);
          waiting.delete(name);
        }
      }
      await sleep(POLL_MS);
    }
  })().catch((e: unknown) => {
    failure = e;
  });
  return {
    expect: (name: string, startedAt: number) => waiting.set(name, startedAt),
    /** Waits for every expected row (or `timeoutMs`), then answers the latencies in ms. */
    finish: async (timeoutMs: number): Promise<number[]> => {
      const until = Date.now() + timeoutMs;
      while (waiting.size > 0 && Date.now() < until && !failure) await sleep(20);
      const missing = waiting.size;
      waiting.clear();
      stopped = true;
      await loop;
      if (failure) throw failure;
      if (missing > 0) throw new Error(`${missing} rows never reached ${table} within ${timeoutMs / 1000} s`);
      return latencies;
    },
  };
}

function summary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    medianMs: round(percentile(sorted, 50), 1),
    p90Ms: round(percentile(sorted, 90), 1),
    p99Ms: round(percentile(sorted, 99), 1),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN, 1),
  };
}

/** One Bulk 2.0 ingest job inserting `count` Accounts named `${prefix}-<i>`; answers when it was complete. */
async function bulkInsert(emulator: SpawnedEmulator, token: string, count: number, prefix: string) {
  const base = `${emulator.myDomainUrl}/services/data/v${API_VERSION}/jobs/ingest`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const created = await call(base, {
    method: "POST",
    headers,
    body: JSON.stringify({ object: "Account", operation: "insert", contentType: "CSV", lineEnding: "LF" }),
  });
  if (!created.ok) throw new Error(`ingest job: ${created.status} ${await created.text()}`);
  const job = (await created.json()) as { id: string };
  const lines = ["Name,Industry,BillingCity,Phone,NumberOfEmployees,Description"];
  for (let i = 0; i < count; i++)
    lines.push(`${prefix}-${i},Media,City ${i % 97},+1 555 ${String(i).padStart(7, "0")},${i % 5000},bulk change ${i}`);
  const upload = await call(`${base}/${job.id}/batches`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
    body: `${lines.join("\n")}\n`,
  });
  if (!upload.ok) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  const uploadedAt = performance.now();
  const closed = await call(`${base}/${job.id}`, {
    method: "PATCH",
    headers,
    body: JSON.stringify({ state: "UploadComplete" }),
  });
  if (!closed.ok) throw new Error(`close job: ${closed.status} ${await closed.text()}`);
  for (;;) {
    const res = await call(`${base}/${job.id}`, { headers });
    const state = (await res.json()) as { state: string; numberRecordsProcessed: number; numberRecordsFailed: number };
    if (state.state === "JobComplete") {
      if (state.numberRecordsFailed > 0) throw new Error(`${state.numberRecordsFailed} Bulk rows failed`);
      return { uploadedAt, completeAt: performance.now() };
    }
    if (state.state === "Failed" || state.state === "Aborted") throw new Error(`the Bulk job ended ${state.state}`);
    await sleep(20);
  }
}

/** Counts the rows named `${prefix}-%` every 50 ms until `count` are there: first and last arrival. */
async function watchBulk(client: pg.Client, table: string, prefix: string, count: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  let first: number | undefined;
  const curve: Array<[number, number]> = [];
  const started = performance.now();
  for (;;) {
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE name LIKE $1`, [
      `${prefix}-%`,
    ]);
    const n = Number(r.rows[0].n);
    const now = performance.now();
    if (n > 0 && first === undefined) first = now;
    curve.push([Math.round(now - started), n]);
    if (n >= count) return { first: first ?? now, last: now, curve };
    if (Date.now() > until) throw new Error(`only ${n} of ${count} Bulk rows reached ${table}`);
    await sleep(50);
  }
}

interface RunView {
  id: string;
  status: string;
}

/** Write one Account, ask for an incremental run at once (again whenever one ends without it): write → row. */
async function syncLatency(
  api: ApiCall,
  connectionId: string,
  emulator: SpawnedEmulator,
  token: string,
  client: pg.Client,
  table: string,
  name: string,
): Promise<{ ms: number; runs: number }> {
  const started = performance.now();
  await createAccount(emulator, token, name);
  let runs = 0;
  let current: string | undefined;
  for (;;) {
    const found = await client.query(`SELECT 1 FROM ${table} WHERE name = $1`, [name]);
    if (found.rowCount) return { ms: performance.now() - started, runs };
    const state = current ? await runStatus(api, connectionId, current) : "completed";
    if (state !== "queued" && state !== "running") {
      if (state === "failed") throw new Error("an incremental run failed");
      const res = await api(`/v1/connections/${connectionId}/syncs/Account`, { body: {} });
      if (res.status !== 202 && res.status !== 200) throw new Error(`run now: ${res.status} ${await res.text()}`);
      const answer = (await res.json()) as { run: RunView };
      if (answer.run.id !== current) runs++;
      current = answer.run.id;
    }
    if (performance.now() - started > 300_000) throw new Error("the incremental run never brought the row");
    await sleep(POLL_MS);
  }
}

async function runStatus(api: ApiCall, connectionId: string, runId: string): Promise<string> {
  const res = await api(`/v1/connections/${connectionId}/sync-runs?object=Account&limit=5`);
  const runs = ((await res.json()) as { data: RunView[] }).data;
  return runs.find((r) => r.id === runId)?.status ?? "queued";
}

/** Until the first run of the connection's Account sync has completed. */
async function waitBackfill(api: ApiCall, connectionId: string) {
  const until = Date.now() + 300_000;
  for (;;) {
    const res = await api(`/v1/connections/${connectionId}/sync-runs?object=Account&limit=5`);
    const runs = ((await res.json()) as { data: Array<RunView & { error: unknown }> }).data;
    const done = runs.find((r) => r.status !== "running" && r.status !== "queued");
    if (done) {
      if (done.status !== "completed")
        throw new Error(`the backfill ended ${done.status}: ${JSON.stringify(done.error)}`);
      return;
    }
    if (Date.now() > until) throw new Error("the backfill did not finish");
    await sleep(200);
  }
}

function cpuNow(server: SpawnedServer, emulator: SpawnedEmulator) {
  const usage = process.cpuUsage();
  return {
    server: cpuSeconds(server.child.pid!),
    emulator: cpuSeconds(emulator.child.pid!),
    postgres: postgresCpuSeconds(),
    bench: (usage.user + usage.system) / 1e6,
  };
}

function cpuSince(before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>) {
  return {
    server: round(after.server - before.server),
    emulator: round(after.emulator - before.emulator),
    postgres: round(after.postgres - before.postgres),
    bench: round(after.bench - before.bench),
  };
}

export async function subscribeBench() {
  const events = Number(process.env.BENCH_SUBSCRIBE_EVENTS ?? 50_000);
  const writes = Number(process.env.BENCH_SUBSCRIBE_WRITES ?? 200);
  const rate = Number(process.env.BENCH_SUBSCRIBE_RATE ?? 20);
  const syncSamples = Number(process.env.BENCH_SUBSCRIBE_SYNC_SAMPLES ?? 5);
  const adminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const profileDir = process.env.BENCH_SUBSCRIBE_CPU_PROF;
  const suffix = randomBytes(4).toString("hex");
  const storeDb = `forcelink_bench_store_${suffix}`;
  const destDb = `forcelink_bench_dest_${suffix}`;
  const loadBefore = loadavg();

  const emulator = await spawnEmulator({ ...DEMO_SEED, generate: { Account: 1_000 }, quota: { limit: 100_000_000 } }, [
    "--pubsub-port",
    "0",
    "--pubsub-keepalive",
    "2",
  ]);
  let server: SpawnedServer | undefined;
  const created: string[] = [];
  const clients: pg.Client[] = [];
  try {
    const pubsub = (await (await call(`${emulator.loginUrl}/__emulator/pubsub`)).json()) as {
      endpoint: string;
      certificate: string | null;
    };
    const caFile = join(tmpdir(), `forcelink-bench-pubsub-${suffix}.pem`);
    if (pubsub.certificate) writeFileSync(caFile, pubsub.certificate);
    const storeUrl = await createDatabase(adminUrl, storeDb);
    created.push(storeDb);
    const destUrl = await createDatabase(adminUrl, destDb);
    created.push(destDb);
    server = await spawnServer(
      { login: emulator.loginUrl, test: testHostOf(emulator.loginUrl), myDomain: emulator.myDomainUrl },
      {
        env: {
          DATABASE_URL: storeUrl,
          FORCELINK_SECRET_KEY: randomBytes(32).toString("base64"),
          // The baseline's most favourable setting: a run's window reaches up to now (the default lag is 60 s).
          FORCELINK_SYNC_LAG_SECONDS: "0",
          FORCELINK_SALESFORCE_PUBSUB_ENDPOINT: pubsub.endpoint,
          ...(pubsub.certificate ? { FORCELINK_SALESFORCE_PUBSUB_CA_FILE: caFile } : {}),
        },
        nodeArgs: profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [],
      },
    );
    const srv = server;
    const api: ApiCall = (path, init = {}) =>
      call(`${srv.url}${path}`, {
        method: init.body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${srv.apiKey}`, "content-type": init.contentType ?? "application/json" },
        body:
          init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
      });
    const upload = async (yaml: string) =>
      expectStatus(await api("/v1/integrations", { body: yaml, contentType: "application/yaml" }), 201, "integration");
    /** A connection of its own with the manifest uploaded and installed, its runs started. */
    const connectAndInstall = async (name: string, prefix: string, subscribe: boolean) => {
      const id = await demoConnection(api, name);
      const integration = await upload(manifest(name, destUrl, prefix, subscribe));
      const body = { integration: integration.id, startNow: true };
      await expectStatus(await api(`/v1/connections/${id}/integrations`, { body }), 201, `install (${name})`);
      return { id };
    };
    // The subscription: Account changes as they happen into public.account.
    const live = await connectAndInstall("bench-subscribe", "", true);
    // The baseline: the same object synced incrementally into public.polled_account by a second connection.
    const polled = await connectAndInstall("bench-sync", "polled_", false);
    await waitBackfill(api, polled.id);
    await waitBackfill(api, live.id);
    await waitLive(api, live.id, srv);
    const token = await passwordLogin(emulator);
    const client = await withClientOpen(destUrl);
    clients.push(client);

    // 1. Latency: REST creates at a steady rate, each row stamped as it lands.
    const cpu1 = cpuNow(srv, emulator);
    const watch = arrivals(client, "public.account");
    const interval = 1000 / rate;
    const latencyStarted = performance.now();
    for (let i = 0; i < writes; i++) {
      const due = latencyStarted + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const name = `lat-${suffix}-${i}`;
      const startedAt = performance.now();
      watch.expect(name, startedAt);
      await createAccount(emulator, token, name);
    }
    const latencies = await watch.finish(60_000);
    const latencySeconds = (performance.now() - latencyStarted) / 1000;
    const latencyCpu = cpuSince(cpu1, cpuNow(srv, emulator));

    // 2. Throughput: one Bulk job of N inserts, counted as they land.
    const bulkPrefix = `bulk-${suffix}`;
    const cpu2 = cpuNow(srv, emulator);
    const bulkStarted = performance.now();
    const watching = watchBulk(client, "public.account", bulkPrefix, events, 600_000);
    const job = await bulkInsert(emulator, token, events, bulkPrefix);
    const landed = await watching;
    const throughputCpu = cpuSince(cpu2, cpuNow(srv, emulator));
    const afterBulk = await subscriptionOf(api, live.id);
    const fromComplete = (landed.last - job.completeAt) / 1000;
    const firstToLast = (landed.last - landed.first) / 1000;
    const fromUpload = (landed.last - job.uploadedAt) / 1000;

    // 3. Baseline: the same kind of change found by an incremental run asked for right after the write.
    const syncRuns: Array<{ ms: number; runs: number }> = [];
    for (let i = 0; i < syncSamples; i++)
      syncRuns.push(
        await syncLatency(api, polled.id, emulator, token, client, "public.polled_account", `sync-${suffix}-${i}`),
      );
    const serverPeakRssMb = peakRssMb(srv.child.pid!);

    const lat = summary(latencies);
    const syncLat = summary(syncRuns.map((r) => r.ms));
    // The org's own work on the job (parsing, saving) is not Forcelink's: the rate counts from the job's end or the
    // first row, whichever came first, to the last row.
    const eventsPerSecond = Math.round(events / Math.max(fromComplete, firstToLast, 1e-3));
    const met = {
      medianUnder500Ms: lat.medianMs < 500,
      p99Under2s: lat.p99Ms < 2000,
      eventsPerSecondAtLeast5000: eventsPerSecond >= 5_000,
    };
    return {
      name: "subscribe",
      destination: "postgres (PostgreSQL table public.account, own database); store on PostgreSQL",
      loadAverage: { before: loadBefore.map((n) => round(n)), after: loadavg().map((n) => round(n)) },
      latency: {
        name: "REST create in the emulator → row in PostgreSQL, through the server's subscription",
        writesPerSecond: rate,
        pollMs: POLL_MS,
        seconds: round(latencySeconds, 1),
        ...lat,
        cpuSeconds: latencyCpu,
      },
      throughput: {
        name: `one Bulk 2.0 ingest job of ${events} Account inserts → rows in PostgreSQL`,
        events,
        eventsPerSecond,
        seconds: {
          uploadToLastRow: round(fromUpload),
          jobCompleteToLastRow: round(fromComplete),
          firstRowToLastRow: round(firstToLast),
          bulkJob: round((job.completeAt - job.uploadedAt) / 1000),
        },
        eventsPerSecondFromUpload: Math.round(events / Math.max(fromUpload, 1e-3)),
        wallSeconds: round((landed.last - bulkStarted) / 1000),
        eventsDelivered: afterBulk.eventsDelivered,
        recoveries: afterBulk.recoveries.length,
        cpuSeconds: throughputCpu,
        curve: landed.curve.filter((_, i) => i % 10 === 0),
      },
      baseline: {
        name: "the same change found by an incremental sync run (REST), asked for right after the write (FORCELINK_SYNC_LAG_SECONDS=0; the default 60 s lag and the schedule add to it)",
        ...syncLat,
        runsPerSample: syncRuns.map((r) => r.runs),
      },
      serverPeakRssMb,
      target: {
        medianMsBelow: 500,
        p99MsBelow: 2000,
        eventsPerSecondAtLeast: 5_000,
        metBy: met,
        met: Object.values(met).every(Boolean),
      },
    };
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
    if (server && !exited(server.child)) await server.stop();
    await emulator.stop();
    for (const name of created) await dropDatabase(adminUrl, name).catch(() => undefined);
  }
}

async function withClientOpen(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
