import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { DEMO_SEED } from "@forcelink/emulator";
import {
  type ApiCall,
  apiCallsOf,
  call,
  counters,
  createDatabase,
  demoConnection,
  dropDatabase,
  endpointDelta,
  exited,
  peakRssMb,
  resetPeakRss,
  round,
  testHostOf,
} from "./bench-support.ts";
import { passwordLogin, type SpawnedEmulator, spawnEmulator } from "./spawn-emulator.ts";
import { type SpawnedServer, spawnServer } from "./spawn-server.ts";

/**
 * The write part: N Accounts upserted by their external id (External_Id__c), for N = 1,000 / 10,000 / 100,000,
 * through Forcelink's write API (an NDJSON body streamed to POST /v1/connections/{id}/writes, then
 * GET …/writes/{id}?wait=30 held until it ends, as a builder waits for a write) beside jsforce doing the same write in the same run:
 * `conn.bulk2.loadAndWaitForResults` (Bulk API 2.0) and `conn.sobject("Account").create` / `.upsert` in chunks
 * of 200 (sObject Collections). Then 1,000,000 records streamed from NDJSON through Forcelink alone, for its
 * peak memory. Every case writes new external ids (its own prefix), so every tool does the same work: N rows
 * created. API calls are the emulator's own counters (REST + Bulk, not OAuth); peak RSS is the Forcelink server
 * process's (its VmHWM reset before each case) and the jsforce child process's. Both sides are measured warm: the
 * server after a write of each path, each jsforce child after a write of its own kind (WARM_UP).
 *
 * Environment: BENCH_WRITE_SIZES (default "1000,10000,100000"), BENCH_WRITE_MILLION (the 1,000,000-record case,
 * on unless "0"), BENCH_PG_URL (the store's PostgreSQL server, default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_WRITE_JSFORCE_POLL_MS (jsforce's Bulk poll interval; default: jsforce's own, 1,000 ms),
 * BENCH_WRITE_COLLECTION_BASELINES ("0" skips the two jsforce collections baselines; bulk2 always runs),
 * BENCH_WRITE_SERVER_NODE_ARGS (node options for the Forcelink server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 * Each case's figures go to stderr as it finishes, so that a run cut short still tells what it measured.
 */

const API_VERSION = "67.0";
const BASELINE_FLAG = "--jsforce-write-baseline";
const EXTERNAL_ID = "External_Id__c";
/** Seconds a status call is held (GET …/writes/{id}?wait=): the answer comes the moment the write ends. */
const WAIT_SECONDS = 30;
/**
 * Records of the warm-up write each side makes before it is measured (the Forcelink server one by Bulk API and one
 * through /composite, jsforce one of its own kind in its child): a running server has served writes before, and the
 * first compiles the code every later one runs.
 */
const WARM_UP = 3_000;

const INDUSTRIES = ["Banking", "Retail", "Energy", "Media", "Technology", "Healthcare", "Education", "Shipping"];
const CITIES = ["Lyon", "Porto", "Austin", "Osaka", "Leeds", "Turin", "Recife", "Perth"];

/** The i-th record of a case: a realistic Account of seven fields, keyed by `prefix` + i. */
function account(prefix: string, i: number): Record<string, string | number> {
  return {
    [EXTERNAL_ID]: `${prefix}${i}`,
    Name: `Bench account ${prefix}${i}`,
    Industry: INDUSTRIES[i % INDUSTRIES.length],
    BillingCity: CITIES[i % CITIES.length],
    AnnualRevenue: 10_000 * (i % 997),
    NumberOfEmployees: i % 5_000,
    Description: `Written by the write benchmark, record ${i} of case ${prefix}`,
  };
}

/** NDJSON lines for `count` records, made as they are sent (a thousand lines a chunk), never held whole. */
async function* ndjson(prefix: string, count: number): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (let start = 0; start < count; start += 1_000) {
    let chunk = "";
    for (let i = start; i < Math.min(count, start + 1_000); i++) chunk += `${JSON.stringify(account(prefix, i))}\n`;
    yield encoder.encode(chunk);
  }
}

interface WriteView {
  id: string;
  status: string;
  path: string | null;
  apiCalls: number;
  counts: { total: number; succeeded: number; failed: number; unknown: number; pending: number };
  error: unknown;
}

const DONE = new Set(["completed", "failed"]);

/** Waits until the emulator has answered no call for half a second (the connection's own start-up calls). */
async function quiet(emulator: SpawnedEmulator): Promise<void> {
  let last = -1;
  for (;;) {
    const c = await counters(emulator);
    const now = apiCallsOf(c) + (c.byKind.oauth ?? 0);
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Rows of Account whose external id starts with `prefix`, counted by the org (SOQL COUNT()). */
async function rowsWithPrefix(emulator: SpawnedEmulator, token: string, prefix: string): Promise<number> {
  const soql = `SELECT COUNT() FROM Account WHERE ${EXTERNAL_ID} LIKE '${prefix}%'`;
  const res = await call(`${emulator.myDomainUrl}/services/data/v${API_VERSION}/query?q=${encodeURIComponent(soql)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`count query failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { totalSize: number }).totalSize;
}

interface CaseContext {
  emulator: SpawnedEmulator;
  server: SpawnedServer;
  api: ApiCall;
  connectionId: string;
  token: string;
  runId: string;
}

/**
 * One Forcelink write of `count` records: NDJSON streamed in, the write waited for until done, the rows counted.
 * `label` names the case's records (the count by default).
 */
async function forcelinkCase(ctx: CaseContext, count: number, label: string = String(count)) {
  const prefix = `FL${ctx.runId}-${label}-`;
  await quiet(ctx.emulator);
  // A fresh kept-alive socket to the server (the last one may have closed while a baseline ran).
  await ctx.api(`/v1/connections/${ctx.connectionId}`);
  const pid = ctx.server.child.pid!;
  resetPeakRss(pid);
  const before = await counters(ctx.emulator);
  const started = performance.now();
  const query = new URLSearchParams({ object: "Account", operation: "upsert", externalIdField: EXTERNAL_ID });
  const posted = await fetch(`${ctx.server.url}/v1/connections/${ctx.connectionId}/writes?${query}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ctx.server.apiKey}`, "content-type": "application/x-ndjson" },
    body: ndjson(prefix, count) as unknown as RequestInit["body"],
    duplex: "half",
  } as RequestInit);
  if (posted.status !== 200 && posted.status !== 202) {
    throw new Error(`POST writes (${count}): ${posted.status} ${await posted.text()}`);
  }
  let view = (await posted.json()) as WriteView;
  const acceptedSeconds = (performance.now() - started) / 1000;
  let statusCalls = 0;
  while (!DONE.has(view.status)) {
    if (exited(ctx.server.child)) throw new Error("the Forcelink server exited during the write");
    const res = await ctx.api(`/v1/connections/${ctx.connectionId}/writes/${view.id}?wait=${WAIT_SECONDS}`);
    if (!res.ok) throw new Error(`GET write: ${res.status} ${await res.text()}`);
    view = (await res.json()) as WriteView;
    statusCalls++;
  }
  const seconds = (performance.now() - started) / 1000;
  const peak = peakRssMb(pid);
  const after = await counters(ctx.emulator);
  if (view.status !== "completed" || view.counts.succeeded !== count) {
    throw new Error(
      `the write of ${count} ended ${view.status}: ${JSON.stringify(view.counts)} ${JSON.stringify(view.error)}`,
    );
  }
  const rows = await rowsWithPrefix(ctx.emulator, ctx.token, prefix);
  if (rows !== count) throw new Error(`expected ${count} Accounts from the write, the org holds ${rows}`);
  return {
    seconds: round(seconds),
    acceptedAfterSeconds: round(acceptedSeconds),
    recordsPerSecond: Math.round(count / seconds),
    path: view.path,
    apiCalls: apiCallsOf(after) - apiCallsOf(before),
    apiCallsOnWrite: view.apiCalls,
    requestsByEndpoint: endpointDelta(before, after),
    serverPeakRssMb: peak,
    statusCalls,
    rowsInOrg: rows,
  };
}

type BaselineMode = "bulk2" | "create" | "upsert";

interface BaselineInput {
  instanceUrl: string;
  accessToken: string;
  mode: BaselineMode;
  prefix: string;
  count: number;
  pollIntervalMs?: number;
}

interface BaselineOutput {
  seconds: number;
  succeeded: number;
  failed: number;
  peakRssMb: number;
}

/** jsforce in a child process of its own (its memory measured apart), writing the same records. */
async function jsforceCase(ctx: CaseContext, mode: BaselineMode, count: number) {
  const prefix = `JS${ctx.runId}-${mode}-${count}-`;
  const pollEnv = process.env.BENCH_WRITE_JSFORCE_POLL_MS;
  const input: BaselineInput = {
    instanceUrl: ctx.emulator.myDomainUrl,
    accessToken: ctx.token,
    mode,
    prefix,
    count,
    ...(pollEnv ? { pollIntervalMs: Number(pollEnv) } : {}),
  };
  await quiet(ctx.emulator);
  const child = spawn(
    process.execPath,
    ["--max-old-space-size=16384", fileURLToPath(import.meta.url), BASELINE_FLAG, JSON.stringify(input)],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  let out = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  // The child warms up first; the org's counters are read once it is warm, then it is told to go.
  const warm = new Promise<void>((resolve) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("warmed\n")) resolve();
    });
  });
  await Promise.race([warm, exit]);
  const before = await counters(ctx.emulator);
  child.stdin!.end("go\n");
  const code = await exit;
  if (code !== 0) throw new Error(`the jsforce ${mode} baseline exited with ${code}:\n${out}`);
  const result = JSON.parse(out.trim().split("\n").pop()!) as BaselineOutput;
  const after = await counters(ctx.emulator);
  if (result.succeeded !== count) throw new Error(`jsforce ${mode} wrote ${result.succeeded} of ${count}: ${out}`);
  const rows = await rowsWithPrefix(ctx.emulator, ctx.token, prefix);
  if (rows !== count) throw new Error(`expected ${count} Accounts from jsforce ${mode}, the org holds ${rows}`);
  return {
    seconds: round(result.seconds),
    recordsPerSecond: Math.round(count / result.seconds),
    apiCalls: apiCallsOf(after) - apiCallsOf(before),
    requestsByEndpoint: endpointDelta(before, after),
    peakRssMb: result.peakRssMb,
    rowsInOrg: rows,
  };
}

/**
 * The child's side: one jsforce write, timed from the first record made to the last result read. The same write of
 * WARM_UP records comes first, as the Forcelink server is warmed up (records of their own, calls not counted: the
 * parent reads the org's counters once the child says it is warm).
 */
async function runJsforceBaseline(input: BaselineInput): Promise<void> {
  const { default: jsforce } = await import("jsforce");
  const conn = new jsforce.Connection({
    instanceUrl: input.instanceUrl,
    accessToken: input.accessToken,
    version: API_VERSION,
  });
  await jsforceWrite(conn, { ...input, prefix: `W${input.prefix}`, count: Math.min(input.count, WARM_UP) });
  process.stdout.write("warmed\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  const started = performance.now();
  const { succeeded, failed } = await jsforceWrite(conn, input);
  const output: BaselineOutput = {
    seconds: (performance.now() - started) / 1000,
    succeeded,
    failed,
    peakRssMb: Math.round((process.resourceUsage().maxRSS * 1024) / 1e6),
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

/** One jsforce write of `input.count` records (made from `input.prefix`) by `input.mode`. */
async function jsforceWrite(conn: import("jsforce").Connection, input: BaselineInput) {
  const records = Array.from({ length: input.count }, (_, i) => account(input.prefix, i));
  let succeeded = 0;
  let failed = 0;
  if (input.mode === "bulk2") {
    if (input.pollIntervalMs) conn.bulk2.pollInterval = input.pollIntervalMs;
    conn.bulk2.pollTimeout = 3_600_000;
    const results = await conn.bulk2.loadAndWaitForResults({
      object: "Account",
      operation: "upsert",
      externalIdFieldName: EXTERNAL_ID,
      input: records,
    });
    succeeded = results.successfulResults.length;
    failed = results.failedResults.length + results.unprocessedRecords.length;
  } else {
    for (let start = 0; start < records.length; start += 200) {
      const chunk = records.slice(start, start + 200);
      const results =
        input.mode === "create"
          ? await conn.sobject("Account").create(chunk, { allOrNone: false })
          : await conn.sobject("Account").upsert(chunk, EXTERNAL_ID, { allOrNone: false });
      for (const r of results) r.success ? succeeded++ : failed++;
    }
  }
  return { succeeded, failed };
}

/** The figures and targets of one size. */
async function sizeCase(ctx: CaseContext, count: number) {
  process.stderr.write(`bench: write ${count}: forcelink…\n`);
  const forcelink = await forcelinkCase(ctx, count);
  process.stderr.write(`bench: write ${count}: forcelink ${JSON.stringify(forcelink)}\n`);
  process.stderr.write(`bench: write ${count}: jsforce bulk2…\n`);
  const bulk2 = await jsforceCase(ctx, "bulk2", count);
  // BENCH_WRITE_COLLECTION_BASELINES=0 skips the two collections baselines (quicker runs while measuring).
  const collections = process.env.BENCH_WRITE_COLLECTION_BASELINES !== "0";
  process.stderr.write(`bench: write ${count}: jsforce create…\n`);
  const create = collections ? await jsforceCase(ctx, "create", count) : "not run";
  process.stderr.write(`bench: write ${count}: jsforce upsert…\n`);
  const upsert = collections ? await jsforceCase(ctx, "upsert", count) : "not run";
  const metBy: Record<string, boolean> = {
    recordsPerSecondAtLeastJsforceBulk: forcelink.recordsPerSecond >= bulk2.recordsPerSecond,
  };
  if (count <= 2_000) metBy.apiCallsAtMostCeilNOver200 = forcelink.apiCalls <= Math.ceil(count / 200);
  if (count === 100_000) metBy.bulkApiCallsAtMost15 = forcelink.path === "bulk" && forcelink.apiCalls <= 15;
  return {
    records: count,
    forcelink: {
      name: "Forcelink: NDJSON POST /v1/connections/{id}/writes, then GET …?wait= until completed",
      ...forcelink,
    },
    baselines: {
      jsforceBulk2: { name: "jsforce 3 conn.bulk2.loadAndWaitForResults (upsert by External_Id__c)", ...bulk2 },
      jsforceCreate: {
        name: "jsforce 3 conn.sobject('Account').create, chunks of 200, one after another",
        ...(typeof create === "string" ? { notRun: true } : create),
      },
      jsforceUpsert: {
        name: "jsforce 3 conn.sobject('Account').upsert by External_Id__c, chunks of 200",
        ...(typeof upsert === "string" ? { notRun: true } : upsert),
      },
    },
    metBy,
  };
}

export async function writeBench(sizes = [1_000, 10_000, 100_000], options: { million?: boolean } = {}) {
  const million = options.million ?? true;
  const adminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const runId = randomBytes(3).toString("hex");
  const storeDb = `forcelink_bench_write_${runId}`;
  const emulator = await spawnEmulator({ ...DEMO_SEED, quota: { limit: 100_000_000 } });
  let server: SpawnedServer | undefined;
  let created = false;
  try {
    const storeUrl = await createDatabase(adminUrl, storeDb);
    created = true;
    server = await spawnServer(
      { login: emulator.loginUrl, test: testHostOf(emulator.loginUrl), myDomain: emulator.myDomainUrl },
      {
        env: { DATABASE_URL: storeUrl, FORCELINK_SECRET_KEY: randomBytes(32).toString("base64") },
        nodeArgs: (process.env.BENCH_WRITE_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean),
      },
    );
    const srv = server;
    const api: ApiCall = (path, init = {}) =>
      call(`${srv.url}${path}`, {
        method: init.body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${srv.apiKey}`, "content-type": init.contentType ?? "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    const connectionId = await demoConnection(api);
    const ctx: CaseContext = { emulator, server, api, connectionId, token: await passwordLogin(emulator), runId };
    process.stderr.write("bench: write: warming up…\n");
    await forcelinkCase(ctx, WARM_UP, "warm-bulk");
    await forcelinkCase(ctx, 1_000, "warm-composite");
    const cases = [];
    for (const count of sizes) {
      const done = await sizeCase(ctx, count);
      cases.push(done);
      // Printed as each case finishes, so that a run cut short still tells what it measured.
      process.stderr.write(`bench: write ${count} (load ${loadavg()[0].toFixed(1)}): ${JSON.stringify(done)}\n`);
    }
    let millionCase: Awaited<ReturnType<typeof forcelinkCase>> | null = null;
    if (million) {
      process.stderr.write("bench: write 1000000: forcelink…\n");
      millionCase = await forcelinkCase(ctx, 1_000_000);
      process.stderr.write(`bench: write 1000000: ${JSON.stringify(millionCase)}\n`);
    }
    const metBy: Record<string, boolean | null> = {};
    for (const c of cases) for (const [k, v] of Object.entries(c.metBy)) metBy[`${k}@${c.records}`] = v;
    metBy.millionPeakRssMbBelow300 = millionCase ? millionCase.serverPeakRssMb < 300 : null;
    return {
      name: "write.upsert",
      // The machine's 1, 5 and 15 minute load averages when the part ended: the figures are only as steady as it.
      loadAverage: loadavg().map((l) => round(l)),
      object: "Account",
      externalIdField: EXTERNAL_ID,
      store: "PostgreSQL (own database)",
      forcelinkStatusWaitSeconds: WAIT_SECONDS,
      jsforceBulkPollMs: Number(process.env.BENCH_WRITE_JSFORCE_POLL_MS ?? 1_000),
      cases,
      million: millionCase
        ? { records: 1_000_000, name: "Forcelink: 1,000,000 records streamed from NDJSON", ...millionCase }
        : "not run (BENCH_WRITE_MILLION=0)",
      target: {
        apiCallsAtMost: "ceil(N/200) up to 2,000 records",
        bulkApiCallsAtMostFor100k: 15,
        recordsPerSecondAtLeast: "the jsforce Bulk baseline's, at each size",
        millionPeakRssMbBelow: 300,
        metBy,
        met: Object.values(metBy).every((v) => v === true),
      },
    };
  } finally {
    if (server && !exited(server.child)) await server.stop();
    await emulator.stop();
    if (created) await dropDatabase(adminUrl, storeDb).catch(() => undefined);
  }
}

if (process.argv[2] === BASELINE_FLAG && process.argv[1] === fileURLToPath(import.meta.url)) {
  await runJsforceBaseline(JSON.parse(process.argv[3]));
}
