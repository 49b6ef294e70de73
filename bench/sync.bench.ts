import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { DEMO_SEED } from "@forcelink/emulator";
import {
  apiCallsOf,
  counters,
  createDatabase,
  currentRssMb,
  demoConnection,
  dropDatabase,
  endpointDelta,
  exited,
  expectStatus,
  peakRssMb,
  round,
  testHostOf,
  withClient,
} from "./bench-support.ts";
import { passwordLogin, type SpawnedEmulator, spawnEmulator } from "./spawn-emulator.ts";
import { spawnServer } from "./spawn-server.ts";

/**
 * The sync part: a backfill of N Accounts from the emulator into a PostgreSQL table through
 * Forcelink (Bulk 2.0), a REST incremental run of M changed records, and the same read done by
 * jsforce's autoFetch query as the baseline, each with its records per second, peak RSS and API calls.
 * `forcelink.cpuMicrosPerRecord` is the server's CPU over the backfill per row, `vsBaseline` its records per second
 * over jsforce's in the same run (issue 14: at most 8 µs, at least 1.5×), with the load average at the end: other
 * processes on the machine slow both sides, so compare ratios within one run.
 *
 * Environment: BENCH_ACCOUNTS (N, default 1,000,000), BENCH_SYNC_CHANGED (M, default 5,000),
 * BENCH_PG_URL (a server where the user may CREATE DATABASE, default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SYNC_FIELDS=all (read every Account field instead of the list below), BENCH_SYNC_CPU_PROF=<dir>
 * (the server child writes a V8 CPU profile there when it stops), BENCH_SYNC_NODE_ARGS (more node options for the
 * server child, e.g. "--max-semi-space-size=16 --max-old-space-size=320", to tell retained memory from a lazy
 * collector), BENCH_SYNC_TRACE=1 (the server's RSS second by second during the backfill, on stderr).
 */

/** A realistic integration's Account fields (all exist in the emulator); the engine adds LastModifiedDate and IsDeleted. */
const FIELDS = [
  "Id",
  "Name",
  "Type",
  "Industry",
  "OwnerId",
  "BillingStreet",
  "BillingCity",
  "BillingPostalCode",
  "BillingCountry",
  "Phone",
  "Website",
  "AnnualRevenue",
  "NumberOfEmployees",
  "Rating",
  "Description",
  "External_Id__c",
  "Tier__c",
  "CreatedDate",
  "SystemModstamp",
];

const API_VERSION = "67.0";
const BASELINE_FLAG = "--jsforce-baseline";

interface RunView {
  id: string;
  status: string;
  mode: string | null;
  counts: { read: number; upserted: number; deleted: number };
  apiCalls: number;
  error: unknown;
  durationMs: number | null;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat, and with `reaped` its waited-for children's. */
export function cpuSeconds(pid: number, reaped = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const own = Number(f[11]) + Number(f[12]);
    return (reaped ? own + Number(f[13]) + Number(f[14]) : own) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the PostgreSQL server on this machine (every database): its live processes, and through the
 * postmaster's reaped-children time, the backends that have exited (a run closes its connections at the end).
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      const postmaster = readFileSync(`/proc/${ppid}/comm`, "utf8").trim() !== "postgres";
      total += cpuSeconds(Number(entry), postmaster);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Where the CPU went between two snapshots: the server, the emulator, PostgreSQL, this process. */
function cpuSnapshot(server: ChildProcess, emulator: ChildProcess) {
  const usage = process.cpuUsage();
  return {
    server: cpuSeconds(server.pid!),
    emulator: cpuSeconds(emulator.pid!),
    postgres: postgresCpuSeconds(),
    bench: (usage.user + usage.system) / 1e6,
  };
}

function cpuDelta(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>) {
  return {
    server: round(after.server - before.server),
    emulator: round(after.emulator - before.emulator),
    postgres: round(after.postgres - before.postgres),
    bench: round(after.bench - before.bench),
  };
}

/** Samples a process's RSS every 100 ms; with BENCH_SYNC_TRACE=1 prints the largest of each second to stderr. */
function sampleRss(pid: number, label: string) {
  const started = performance.now();
  const perSecond: number[] = [];
  const timer = setInterval(() => {
    try {
      const second = Math.floor((performance.now() - started) / 1000);
      perSecond[second] = Math.max(perSecond[second] ?? 0, currentRssMb(pid));
    } catch {
      // the process is gone
    }
  }, 100);
  return () => {
    clearInterval(timer);
    if (process.env.BENCH_SYNC_TRACE)
      process.stderr.write(`${label} RSS MB by second: ${perSecond.map((n) => n ?? "-").join(" ")}\n`);
  };
}

/** Polls the runs of Account until one not in `known` has finished; throws if it did not complete. */
async function waitForRun(
  api: (path: string) => Promise<Response>,
  connectionId: string,
  known: Set<string>,
  server: ChildProcess,
  timeoutMs: number,
): Promise<RunView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (exited(server)) throw new Error(`the server exited (${server.exitCode ?? server.signalCode}) during the run`);
    const res = await api(`/v1/connections/${connectionId}/sync-runs?object=Account&limit=20`);
    if (!res.ok) throw new Error(`sync-runs: ${res.status} ${await res.text()}`);
    const runs = ((await res.json()) as { data: RunView[] }).data;
    const run = runs.find((r) => !known.has(r.id) && r.status !== "running" && r.status !== "queued");
    if (run) {
      if (run.status !== "completed") throw new Error(`the sync run ended ${run.status}: ${JSON.stringify(run.error)}`);
      return run;
    }
    if (Date.now() > until) throw new Error(`no sync run finished within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sets Description on `ids` as the org's admin, through REST sObject Collections (200 a call). */
async function changeRecords(emulator: SpawnedEmulator, token: string, ids: string[], marker: string): Promise<void> {
  for (let start = 0; start < ids.length; start += 200) {
    const records = ids
      .slice(start, start + 200)
      .map((id) => ({ attributes: { type: "Account" }, id, Description: `${marker} ${id}` }));
    const res = await fetch(`${emulator.myDomainUrl}/services/data/v${API_VERSION}/composite/sobjects`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ allOrNone: true, records }),
    });
    if (!res.ok) throw new Error(`update failed: ${res.status} ${await res.text()}`);
    const results = (await res.json()) as Array<{ success: boolean; errors: unknown[] }>;
    const failed = results.filter((r) => !r.success);
    if (failed.length > 0) throw new Error(`update failed: ${JSON.stringify(failed[0].errors)}`);
  }
}

/** `count` Account Ids spread over the table (every k-th row in Id order), read as the admin. */
async function someIds(emulator: SpawnedEmulator, token: string, total: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  const step = Math.max(1, Math.floor(total / count));
  let url: string | undefined =
    `${emulator.myDomainUrl}/services/data/v${API_VERSION}/query?q=${encodeURIComponent("SELECT Id FROM Account ORDER BY Id")}`;
  let n = 0;
  while (url && ids.length < count) {
    const res: Response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, "sforce-query-options": "batchSize=2000" },
    });
    if (!res.ok) throw new Error(`id query failed: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { records: Array<{ Id: string }>; nextRecordsUrl?: string; done: boolean };
    for (const r of page.records) if (n++ % step === 0 && ids.length < count) ids.push(r.Id);
    url = page.done ? undefined : `${emulator.myDomainUrl}${page.nextRecordsUrl}`;
  }
  return ids;
}

interface BaselineResult {
  records: number;
  seconds: number;
  peakRssMb: number;
}

/** jsforce in a child process of its own (its memory measured apart), reading the same query. */
async function jsforceBaseline(
  emulator: SpawnedEmulator,
  token: string,
  soql: string,
  maxFetch: number,
): Promise<BaselineResult> {
  const input = JSON.stringify({ instanceUrl: emulator.myDomainUrl, accessToken: token, soql, maxFetch });
  const child = spawn(
    process.execPath,
    ["--max-old-space-size=16384", fileURLToPath(import.meta.url), BASELINE_FLAG, input],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  if (code !== 0) throw new Error(`the jsforce baseline exited with ${code}:\n${out}`);
  return JSON.parse(out.trim().split("\n").pop()!) as BaselineResult;
}

/** The child's side: conn.query(soql).autoFetch(true).maxFetch(N), counting records as they stream. */
async function runJsforceBaseline(input: {
  instanceUrl: string;
  accessToken: string;
  soql: string;
  maxFetch: number;
}): Promise<void> {
  const { default: jsforce } = await import("jsforce");
  const conn = new jsforce.Connection({
    instanceUrl: input.instanceUrl,
    accessToken: input.accessToken,
    version: API_VERSION,
  });
  let records = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    conn
      .query(input.soql)
      .scanAll(true)
      .autoFetch(true)
      .maxFetch(input.maxFetch)
      .on("record", () => {
        records++;
      })
      .on("end", () => resolve())
      .on("error", reject)
      .run();
  });
  const seconds = (performance.now() - started) / 1000;
  const result: BaselineResult = {
    records,
    seconds,
    peakRssMb: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function manifest(destinationUrl: string, fields: "all" | string[]): string {
  return [
    "name: bench-accounts",
    "description: sync benchmark",
    "destinations:",
    "  warehouse:",
    "    type: postgres",
    `    url: ${JSON.stringify(destinationUrl)}`,
    "objects:",
    "  - name: Account",
    `    fields: ${fields === "all" ? "all" : `[${fields.join(", ")}]`}`,
    '    schedule: "0 0 1 1 *"',
    "    destinations: [warehouse]",
    "",
  ].join("\n");
}

export async function syncBench(accounts = 1_000_000, options: { changed?: number } = {}) {
  const changed = options.changed ?? Number(process.env.BENCH_SYNC_CHANGED ?? 5_000);
  const adminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const fields: "all" | string[] = process.env.BENCH_SYNC_FIELDS === "all" ? "all" : FIELDS;
  const suffix = randomBytes(4).toString("hex");
  const storeDb = `forcelink_bench_store_${suffix}`;
  const destDb = `forcelink_bench_dest_${suffix}`;
  const profileDir = process.env.BENCH_SYNC_CPU_PROF;

  const seedStarted = performance.now();
  const emulator = await spawnEmulator({
    ...DEMO_SEED,
    generate: { Account: accounts },
    quota: { limit: 100_000_000 },
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
  const created: string[] = [];
  try {
    const storeUrl = await createDatabase(adminUrl, storeDb);
    created.push(storeDb);
    const destUrl = await createDatabase(adminUrl, destDb);
    created.push(destDb);
    server = await spawnServer(
      {
        login: emulator.loginUrl,
        test: testHostOf(emulator.loginUrl),
        myDomain: emulator.myDomainUrl,
      },
      {
        env: {
          DATABASE_URL: storeUrl,
          FORCELINK_SECRET_KEY: randomBytes(32).toString("base64"),
          FORCELINK_SYNC_LAG_SECONDS: "0",
        },
        nodeArgs: [
          ...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
          ...(process.env.BENCH_SYNC_NODE_ARGS ?? "").split(" ").filter(Boolean),
        ],
      },
    );
    const srv = server;
    const api = (path: string, init: { body?: unknown; contentType?: string } = {}) =>
      fetch(`${srv.url}${path}`, {
        method: init.body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Bearer ${srv.apiKey}`,
          "content-type": init.contentType ?? "application/json",
        },
        body:
          init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
      });
    const conn = { id: await demoConnection(api) };
    const integration = await expectStatus(
      await api("/v1/integrations", { body: manifest(destUrl, fields), contentType: "application/yaml" }),
      201,
      "integration upload",
    );
    const rssBeforeMb = peakRssMb(srv.child.pid!);

    // 1. Backfill: install with startNow, wait for the run to complete.
    const beforeBackfill = await counters(emulator);
    const stopSampling = sampleRss(srv.child.pid!, "backfill");
    const cpuBeforeBackfill = cpuSnapshot(srv.child, emulator.child);
    const backfillStarted = performance.now();
    await expectStatus(
      await api(`/v1/connections/${conn.id}/integrations`, { body: { integration: integration.id, startNow: true } }),
      201,
      "install",
    );
    const backfill = await waitForRun(api, conn.id, new Set(), srv.child, 3 * 3600_000);
    const backfillSeconds = (performance.now() - backfillStarted) / 1000;
    stopSampling();
    const backfillCpu = cpuDelta(cpuBeforeBackfill, cpuSnapshot(srv.child, emulator.child));
    const rssAfterBackfillMb = currentRssMb(srv.child.pid!);
    const afterBackfill = await counters(emulator);
    const backfillPeakMb = peakRssMb(srv.child.pid!);
    const rows = await withClient(destUrl, async (c) => {
      const r = await c.query<{ n: string }>(
        "SELECT count(*) AS n FROM public.account WHERE _forcelink_deleted_at IS NULL",
      );
      return Number(r.rows[0].n);
    });
    if (rows !== accounts) throw new Error(`expected ${accounts} rows in the destination, found ${rows}`);
    const backfillEmulatorCalls = apiCallsOf(afterBackfill) - apiCallsOf(beforeBackfill);

    // 2. Baseline: the same read with jsforce, into nothing (count only), in its own process.
    const token = await passwordLogin(emulator);
    const readFields = await withClient(destUrl, async (c) => {
      const r = await c.query<{ name: string }>(
        "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'account' AND column_name NOT IN ('_forcelink_deleted_at', '_forcelink_synced_at') ORDER BY ordinal_position",
      );
      return r.rows.map((x) => x.name);
    });
    // What the engine read: the declared fields plus the cursor and deletion fields it always adds (the table's columns).
    const known = new Map([...FIELDS, "LastModifiedDate", "IsDeleted"].map((f) => [f.toLowerCase(), f]));
    const soqlFields = readFields.map((c) => known.get(c) ?? c);
    const baselineSoql = `SELECT ${soqlFields.join(", ")} FROM Account ORDER BY SystemModstamp ASC, Id ASC`;
    const beforeBaseline = await counters(emulator);
    const baseline = await jsforceBaseline(emulator, token, baselineSoql, accounts);
    const afterBaseline = await counters(emulator);
    if (baseline.records !== accounts) throw new Error(`jsforce read ${baseline.records} records, not ${accounts}`);
    const baselineCalls = apiCallsOf(afterBaseline) - apiCallsOf(beforeBaseline);

    // 3. REST incremental: change M records as the admin, run the object, count the calls.
    const ids = await someIds(emulator, token, accounts, changed);
    const marker = `bench-change-${suffix}`;
    await changeRecords(emulator, token, ids, marker);
    // The run's window ends at Salesforce's clock, to the second: let the changes' second pass.
    await new Promise((r) => setTimeout(r, 1_100));
    const beforeIncremental = await counters(emulator);
    const incrementalStarted = performance.now();
    await expectStatus(await api(`/v1/connections/${conn.id}/syncs/Account`, { body: {} }), 202, "queue run");
    const incremental = await waitForRun(api, conn.id, new Set([backfill.id]), srv.child, 3600_000);
    const incrementalSeconds = (performance.now() - incrementalStarted) / 1000;
    const afterIncremental = await counters(emulator);
    const incrementalEmulatorCalls = apiCallsOf(afterIncremental) - apiCallsOf(beforeIncremental);
    const changedRows = await withClient(destUrl, async (c) => {
      const r = await c.query<{ n: string }>("SELECT count(*) AS n FROM public.account WHERE description LIKE $1", [
        `${marker} %`,
      ]);
      return Number(r.rows[0].n);
    });
    if (changedRows !== ids.length) throw new Error(`expected ${ids.length} changed rows, found ${changedRows}`);
    const serverPeakMb = peakRssMb(srv.child.pid!);

    const recordsPerSecond = Math.round(accounts / backfillSeconds);
    const bulkCalls = Math.max(backfill.apiCalls, backfillEmulatorCalls);
    const boundChanged = Math.ceil(ids.length / 2000) + 5;
    const boundRead = Math.ceil(incremental.counts.read / 2000) + 5;
    const incrementalCalls = Math.max(incremental.apiCalls, incrementalEmulatorCalls);
    const baselineRecordsPerSecond = Math.round(baseline.records / baseline.seconds);
    // Issue 14: Forcelink's own CPU per record of the backfill, and its rate beside jsforce's in the same run.
    const cpuMicrosPerRecord = round((backfillCpu.server / rows) * 1e6, 2);
    const vsBaseline = round(recordsPerSecond / baselineRecordsPerSecond, 2);
    const loadAverage = loadavg().map((n) => round(n, 2));
    const met = {
      cpuMicrosPerRecord: cpuMicrosPerRecord <= 8,
      vsBaseline: vsBaseline >= 1.5,
      recordsPerSecond: recordsPerSecond >= 20_000,
      peakRssMb: backfillPeakMb < 300,
      bulkApiCalls: backfill.mode === "bulk" && bulkCalls <= 40,
      incrementalApiCalls: incremental.mode === "rest" && incrementalCalls <= boundChanged,
    };
    return {
      name: "sync.backfill",
      accounts,
      fields:
        fields === "all"
          ? { declared: "all", read: soqlFields.length }
          : { declared: FIELDS.length, read: soqlFields.length, list: soqlFields },
      destination: "postgres (PostgreSQL table public.account, own database)",
      serverNodeArgs: (process.env.BENCH_SYNC_NODE_ARGS ?? "").split(" ").filter(Boolean),
      seedSeconds: round(seedSeconds, 1),
      forcelink: {
        name: "Forcelink backfill: install (startNow) → run completed, rows in PostgreSQL",
        seconds: round(backfillSeconds),
        runDurationSeconds: round((backfill.durationMs ?? 0) / 1000),
        recordsPerSecond,
        rows,
        peakRssMb: backfillPeakMb,
        peakRssMbBeforeRun: rssBeforeMb,
        rssAfterRunMb: rssAfterBackfillMb,
        apiCalls: backfill.apiCalls,
        apiCallsSeenByEmulator: backfillEmulatorCalls,
        requestsByEndpoint: endpointDelta(beforeBackfill, afterBackfill),
        mode: backfill.mode,
        cpuSeconds: backfillCpu,
        cpuMicrosPerRecord,
        vsBaseline,
        loadAverage,
      },
      baseline: {
        name: "jsforce 3 conn.query(soql).scanAll(true).autoFetch(true).maxFetch(N), records counted (not stored)",
        soql: baselineSoql,
        seconds: round(baseline.seconds),
        recordsPerSecond: baselineRecordsPerSecond,
        records: baseline.records,
        peakRssMb: baseline.peakRssMb,
        apiCalls: baselineCalls,
      },
      incremental: {
        changed: ids.length,
        read: incremental.counts.read,
        upserted: incremental.counts.upserted,
        seconds: round(incrementalSeconds),
        apiCalls: incremental.apiCalls,
        apiCallsSeenByEmulator: incrementalEmulatorCalls,
        requestsByEndpoint: endpointDelta(beforeIncremental, afterIncremental),
        bound: boundChanged,
        boundForRowsRead: boundRead,
        mode: incremental.mode,
        serverPeakRssMbAfter: serverPeakMb,
      },
      target: {
        cpuMicrosPerRecordAtMost: 8,
        vsBaselineAtLeast: 1.5,
        recordsPerSecondAtLeast: 20_000,
        peakRssMbBelow: 300,
        bulkApiCallsAtMost: 40,
        incrementalApiCallsAtMost: boundChanged,
        metBy: met,
        met: Object.values(met).every(Boolean),
      },
    };
  } finally {
    if (server && !exited(server.child)) await server.stop();
    await emulator.stop();
    for (const name of created) await dropDatabase(adminUrl, name).catch(() => undefined);
  }
}

if (process.argv[2] === BASELINE_FLAG && process.argv[1] === fileURLToPath(import.meta.url)) {
  await runJsforceBaseline(JSON.parse(process.argv[3]));
}
