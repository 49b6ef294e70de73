import { randomBytes } from "node:crypto";
import { DEMO_SEED } from "@forcelink/emulator";
import {
  apiCallsOf,
  counters,
  createDatabase,
  DatabaseCpu,
  demoConnection,
  dropDatabase,
  endpointDelta,
  exited,
  expectStatus,
  round,
  testHostOf,
  withClient,
} from "./bench-support.ts";
import { type SpawnedEmulator, spawnEmulator } from "./spawn-emulator.ts";
import { type SpawnedServer, spawnServer } from "./spawn-server.ts";
import { cpuSeconds, postgresCpuSeconds } from "./sync.bench.ts";

/**
 * The idle-sync part: C connections (default 200) to the emulated org, each with an integration of
 * 10 objects on a five-minute schedule, where nothing changes. A scheduled tick is simulated by
 * queueing every object of every connection at once (POST …/syncs/{object}, the job a schedule
 * would queue), every five minutes on a whole minute; the manifest's own schedule is set out of
 * the way (once a year), so the rounds are the only runs. A round ends when every run finished. Reported per round: API calls per
 * connection-hour (12 rounds an hour), Forcelink's and PostgreSQL's CPU as a share of one core
 * over the five minutes, and the job-queue latency (queued → started). The baseline is the same
 * round with the idle check off (FORCELINK_SYNC_IDLE_CHECK=off: today's describe, count, query per
 * object), measured first on the same store. The job-queue latency is how late a run starts after
 * its tick (queued → started): a worker that finishes a run fetches the next at once
 * (jobs/draining-workers.ts), so it measures the work ahead of the run, not the polling interval.
 *
 * Environment: BENCH_IDLE_CONNECTIONS (default 200), BENCH_IDLE_ROUNDS (measured rounds, default 2),
 * BENCH_IDLE_WORKERS (FORCELINK_SYNC_WORKERS of the server, default 4),
 * BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */

const OBJECTS = [
  ["Account", true],
  ["Contact", true],
  ["Lead", true],
  ["Opportunity", true],
  ["Case", true],
  ["Invoice__c", true],
  ["User", false],
  ["Profile", false],
  ["PermissionSet", false],
  ["PermissionSetAssignment", false],
] as const;
const PERIOD_SECONDS = 300;
const ROUNDS_PER_HOUR = 3600 / PERIOD_SECONDS;

function manifest(): string {
  const objects = OBJECTS.map(([name, deletes]) =>
    [
      `  - name: ${name}`,
      "    fields: [Id]",
      // Out of the way of the bench's own five-minute ticks (round_): once a year.
      '    schedule: "0 0 1 1 *"',
      `    deletes: ${deletes}`,
      "    destinations: [cache]",
    ].join("\n"),
  );
  return ["name: idle-crm", "destinations:", "  cache:", "    type: records", "objects:", ...objects, ""].join("\n");
}

type Api = (path: string, body?: unknown, contentType?: string) => Promise<Response>;

function apiOf(srv: SpawnedServer): Api {
  return (path, body, contentType) =>
    fetch(`${srv.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${srv.apiKey}`, "content-type": contentType ?? "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const MINUTE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When the last round started (its tick), for the next to come a period later. */
interface Ticker {
  last: number;
}

/**
 * The next tick: two seconds into a whole minute, as a cron's tick is (the idle check's Get Updated
 * windows end on whole minutes: Salesforce drops the seconds), and a whole period after the last.
 */
async function nextTick(ticker: Ticker): Promise<void> {
  const earliest = ticker.last === 0 ? Date.now() : ticker.last + PERIOD_SECONDS * 1000;
  const tick = Math.ceil((Math.max(earliest, Date.now()) - 2_000) / MINUTE_MS) * MINUTE_MS + 2_000;
  await sleep(Math.max(0, tick - Date.now()));
  ticker.last = tick;
}

/** One tick: every object of every connection queued at once; waits for every run to finish. */
async function round_(
  api: Api,
  srv: SpawnedServer,
  emulator: SpawnedEmulator,
  storeUrl: string,
  conns: string[],
  ticker: Ticker,
) {
  await nextTick(ticker);
  const databaseCpu = new DatabaseCpu();
  await withClient(storeUrl, (c) => databaseCpu.sample(c));
  const beforeCounters = await counters(emulator);
  const before = { calls: apiCallsOf(beforeCounters), ...cpu(srv) };
  const queuedAt = new Map<string, number>();
  const started = Date.now();
  for (const conn of conns)
    await Promise.all(
      OBJECTS.map(async ([name]) => {
        const res = await api(`/v1/connections/${conn}/syncs/${name}`, {});
        const body = (await res.json()) as { run?: { id: string } };
        if (!res.ok || !body.run) throw new Error(`queue ${name}: ${res.status} ${JSON.stringify(body)}`);
        queuedAt.set(body.run.id, Date.now());
      }),
    );
  let scheduledRuns = 0;
  const runs = await withClient(storeUrl, async (c) => {
    for (;;) {
      if (exited(srv.child)) throw new Error("the server exited during a round");
      const open = await c.query<{ n: string }>(
        "SELECT count(*) AS n FROM sync_runs WHERE status IN ('queued', 'running') AND id = ANY($1)",
        [[...queuedAt.keys()]],
      );
      await databaseCpu.sample(c);
      if (Number(open.rows[0].n) === 0) break;
      await sleep(500);
    }
    const scheduled = await c.query<{ n: string }>(
      "SELECT count(*) AS n FROM sync_runs WHERE trigger = 'schedule' AND started_at >= to_timestamp($1 / 1000.0)",
      [started],
    );
    scheduledRuns = Number(scheduled.rows[0].n);
    const r = await c.query<{ id: string; status: string; started: string; calls: number; read: number }>(
      "SELECT id, status, (extract(epoch FROM started_at) * 1000)::float8 AS started, api_calls AS calls, records_read AS read FROM sync_runs WHERE id = ANY($1)",
      [[...queuedAt.keys()]],
    );
    return r.rows;
  });
  const seconds = (Date.now() - started) / 1000;
  const afterCounters = await counters(emulator);
  const after = { calls: apiCallsOf(afterCounters), ...cpu(srv) };
  const failed = runs.filter((r) => r.status !== "completed");
  if (failed.length > 0) throw new Error(`${failed.length} runs did not complete: ${JSON.stringify(failed[0])}`);
  const latencies = runs.map((r) => Math.max(0, Number(r.started) - queuedAt.get(r.id)!)).sort((a, b) => a - b);
  const calls = after.calls - before.calls;
  const forcelinkCpu = after.server - before.server;
  const postgresCpu = after.postgres - before.postgres;
  const databaseCpuSeconds = databaseCpu.seconds();
  return {
    runs: runs.length,
    recordsRead: runs.reduce((n, r) => n + Number(r.read), 0),
    seconds: round(seconds),
    apiCalls: calls,
    apiCallsPerConnectionHour: round((calls / conns.length) * ROUNDS_PER_HOUR),
    requestsByEndpoint: endpointDelta(beforeCounters, afterCounters),
    /** Runs a manifest's schedule started during the round (its schedule is out of the way): should be 0. */
    scheduledRunsDuringRound: scheduledRuns,
    /**
     * `postgres`: the backends of the bench's database (what Forcelink asked of PostgreSQL); `postgresServer`: every
     * PostgreSQL process of the machine, other databases (other benches, tests) included.
     */
    cpuSeconds: {
      forcelink: round(forcelinkCpu),
      postgres: round(databaseCpuSeconds),
      postgresServer: round(postgresCpu),
    },
    /** CPU used per five-minute period, as a share of one core. */
    cpuShare: {
      forcelink: round(forcelinkCpu / PERIOD_SECONDS, 4),
      postgres: round(databaseCpuSeconds / PERIOD_SECONDS, 4),
      postgresServer: round(postgresCpu / PERIOD_SECONDS, 4),
    },
    queueLatencyMs: {
      p50: Math.round(percentile(latencies, 50)),
      p95: Math.round(percentile(latencies, 95)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies[latencies.length - 1] ?? 0),
    },
  };
}

function cpu(srv: SpawnedServer) {
  return { server: cpuSeconds(srv.child.pid!), postgres: postgresCpuSeconds() };
}

async function startServer(emulator: SpawnedEmulator, storeUrl: string, secret: string, idleCheck: "on" | "off") {
  return spawnServer(
    { login: emulator.loginUrl, test: testHostOf(emulator.loginUrl), myDomain: emulator.myDomainUrl },
    {
      env: {
        DATABASE_URL: storeUrl,
        FORCELINK_SECRET_KEY: secret,
        FORCELINK_SYNC_LAG_SECONDS: "0",
        FORCELINK_SYNC_LOOKBACK_SECONDS: "0",
        FORCELINK_SYNC_ORG_CONCURRENCY: "50",
        FORCELINK_SYNC_IDLE_CHECK: idleCheck,
        // Each run holds two pooled connections (its lock and the org's slot) of the 10 the server keeps.
        FORCELINK_SYNC_WORKERS: process.env.BENCH_IDLE_WORKERS ?? "4",
      },
    },
  );
}

export async function syncIdleBench(connections = 200, rounds = 2) {
  const adminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const storeDb = `forcelink_bench_idle_${randomBytes(4).toString("hex")}`;
  const secret = randomBytes(32).toString("base64");
  const emulator = await spawnEmulator({ ...DEMO_SEED, quota: { limit: 100_000_000 } });
  let server: SpawnedServer | undefined;
  let storeUrl: string | undefined;
  try {
    storeUrl = await createDatabase(adminUrl, storeDb);
    // Before: today's path (describe, count, query per object), on its own server process.
    server = await startServer(emulator, storeUrl, secret, "off");
    let api = apiOf(server);
    const integration = await expectStatus(
      await api("/v1/integrations", manifest(), "application/yaml"),
      201,
      "upload",
    );
    const conns: string[] = [];
    for (let i = 0; i < connections; i++) {
      const id = await demoConnection((p, init) => api(p, init?.body, init?.contentType), `idle-${i}`);
      await expectStatus(
        await api(`/v1/connections/${id}/integrations`, { integration: integration.id, startNow: false }),
        201,
        "install",
      );
      conns.push(id);
    }
    const ticker: Ticker = { last: 0 };
    const backfill = await round_(api, server, emulator, storeUrl, conns, ticker);
    const before = await round_(api, server, emulator, storeUrl, conns, ticker);
    await server.stop();
    // After: the idle check on. Its first round describes each object once (a new process knows no schema).
    server = await startServer(emulator, storeUrl, secret, "on");
    api = apiOf(server);
    const firstAfterStart = await round_(api, server, emulator, storeUrl, conns, ticker);
    const measured = [];
    for (let i = 0; i < rounds; i++) measured.push(await round_(api, server, emulator, storeUrl, conns, ticker));
    const last = measured[measured.length - 1];
    const callsPerConnectionRound = last.apiCalls / connections;
    // The targets: one API call per connection and tick for up to 25 objects (a
    // `/composite` of Get Updated / Get Deleted / COUNT() subrequests counts as one request), runs
    // that start on time (the whole tick's work starts well inside its five minutes: p99 under a
    // minute), and less CPU than the path without the idle check, for Forcelink and PostgreSQL alike.
    const met = {
      oneCallPerConnectionRound: callsPerConnectionRound <= 1,
      queueLatencyP99UnderAMinute: last.queueLatencyMs.p99 < 60_000,
      roundWithinPeriod: last.seconds < PERIOD_SECONDS,
      forcelinkCpuBelowBaseline: last.cpuShare.forcelink < before.cpuShare.forcelink,
      postgresCpuBelowBaseline: last.cpuShare.postgres < before.cpuShare.postgres,
    };
    return {
      name: "sync.idle",
      connections,
      objectsPerConnection: OBJECTS.length,
      syncWorkers: Number(process.env.BENCH_IDLE_WORKERS ?? 4),
      schedule: "every 5 minutes (a round queues every object of every connection at once)",
      backfill: { runs: backfill.runs, recordsRead: backfill.recordsRead, apiCalls: backfill.apiCalls },
      forcelink: { ...last, rounds: measured, firstRoundAfterStart: firstAfterStart },
      baseline: {
        name: "idle check off (FORCELINK_SYNC_IDLE_CHECK=off): describe, COUNT(), query per object",
        ...before,
      },
      target: {
        apiCallsPerConnectionRoundAtMost: 1,
        apiCallsPerConnectionRound: round(callsPerConnectionRound, 3),
        apiCallsPerConnectionHour: {
          baseline: before.apiCallsPerConnectionHour,
          target: ROUNDS_PER_HOUR,
          measured: last.apiCallsPerConnectionHour,
        },
        forcelinkCpuShare: { baseline: before.cpuShare.forcelink, measured: last.cpuShare.forcelink },
        postgresCpuShare: { baseline: before.cpuShare.postgres, measured: last.cpuShare.postgres },
        queueLatencyMs: { baseline: before.queueLatencyMs, targetP99Below: 60_000, measured: last.queueLatencyMs },
        metBy: met,
        met: Object.values(met).every(Boolean),
      },
    };
  } finally {
    if (server && !exited(server.child)) await server.stop();
    await emulator.stop();
    if (storeUrl) await dropDatabase(adminUrl, storeDb).catch(() => undefined);
  }
}
