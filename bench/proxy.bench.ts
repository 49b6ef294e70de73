import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { DEMO, DEMO_SEED } from "@forcelink/emulator";
import { NODE_MEMORY_FLAGS } from "../packages/server/src/cli/node-flags.ts";
import { cpuSecondsOf, round } from "./bench-support.ts";
import { atRate, type LoadResult, load } from "./load-generator.ts";
import { passwordLogin, spawnEmulator } from "./spawn-emulator.ts";
import { spawnServer } from "./spawn-server.ts";

const PATH = "/services/data/v67.0/limits";
/** Requests a second for the CPU comparison: well below what either server saturates at on two cores. */
const RATE = Number(process.env.BENCH_PROXY_RATE ?? 200);
/** A typical proxied call: a page of 200 Accounts with a dozen fields (the emulator does real work for it). */
const QUERY_PATH = `/services/data/v67.0/query?q=${encodeURIComponent(
  "SELECT Id, Name, Type, Industry, BillingCity, BillingCountry, Phone, Website, AnnualRevenue, NumberOfEmployees, CreatedDate, SystemModstamp FROM Account ORDER BY Id LIMIT 200",
)}`;

/**
 * fetch, once more when a kept-alive socket turns out closed: the servers drop idle connections
 * after 5 s, and the loads between two control calls last longer than that.
 */
async function call(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw error;
    return fetch(url, init);
  }
}

async function tokenCalls(loginUrl: string): Promise<number> {
  const counters = (await (await call(`${loginUrl}/__emulator/counters`)).json()) as {
    byEndpoint: Record<string, number>;
  };
  return counters.byEndpoint["POST /services/oauth2/token"] ?? 0;
}

/** The bare forwarder (bench/bare-forwarder.ts) in its own process, forwarding to `origin` with `token`. */
async function spawnBareForwarder(origin: string, token: string) {
  const path = new URL("./bare-forwarder.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, [...NODE_MEMORY_FLAGS, path, origin, token], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the bare forwarder exited with ${code}`)));
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
  });
  return {
    child,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The machine's CPU time so far, every core together (Linux /proc/stat, in ticks): idle and in all. */
function machineTicks(): { idle: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
}

/**
 * Closed-loop loads of several targets in alternating segments (A B C C B A …, so a change in the machine's load falls
 * on each alike), each with what it cost: the share of the machine's cores busy meanwhile (every process, the load
 * generator's and other users' too) and the cores the named processes used. When the cores are near fully busy, the
 * throughput measures the machine, not the target.
 */
async function alternatingLoads(
  targets: { name: string; url: string; headers: Record<string, string> }[],
  concurrency: number,
  seconds: number,
  processes: Record<string, number>,
) {
  const segments = 2;
  const totals = targets.map(() => ({
    results: [] as LoadResult[],
    busy: 0,
    ticks: 0,
    cpu: {} as Record<string, number>,
  }));
  for (let i = 0; i < segments * targets.length; i++) {
    const round_ = Math.floor(i / targets.length);
    const k = i % targets.length;
    const which = round_ % 2 === 0 ? k : targets.length - 1 - k;
    const t = targets[which];
    const m0 = machineTicks();
    const p0 = Object.fromEntries(Object.entries(processes).map(([n, pid]) => [n, cpuSecondsOf(pid)]));
    totals[which].results.push(await load(t.url, t.headers, concurrency, Math.max(1, Math.round(seconds / segments))));
    const m1 = machineTicks();
    totals[which].busy += m1.total - m0.total - (m1.idle - m0.idle);
    totals[which].ticks += m1.total - m0.total;
    for (const [n, pid] of Object.entries(processes))
      totals[which].cpu[n] = (totals[which].cpu[n] ?? 0) + cpuSecondsOf(pid) - p0[n];
  }
  return totals.map(({ results, busy, ticks, cpu }, i) => {
    const requests = results.reduce((n, r) => n + r.requests, 0);
    const secs = results.reduce((n, r) => n + r.seconds, 0);
    return {
      name: targets[i].name,
      generator: results[0].generator,
      requests,
      failures: results.reduce((n, r) => n + r.failures, 0),
      seconds: secs,
      requestsPerSecond: Math.round(requests / secs),
      medianMs: results.map((r) => r.medianMs).sort((a, b) => a - b)[Math.floor(results.length / 2)],
      p99Ms: Math.max(...results.map((r) => r.p99Ms)),
      machineBusyShare: round(busy / ticks),
      coresUsed: Object.fromEntries(Object.entries(cpu).map(([n, c]) => [n, round(c / secs)])),
    };
  });
}

/** Segments of each side in the CPU comparison, alternated A B B A …: the machine's load drifts, both sides share it. */
const CPU_SEGMENTS = 4;

interface Side {
  pid: number;
  work: (seconds: number) => Promise<LoadResult>;
}

/**
 * Two processes' CPU time per request over the same fixed-rate load, in microseconds: all of it, and net of what each
 * process spends with no request at all (measured over `seconds` just before, for both at once: timers, the job
 * queue's polling). The load alternates between them in CPU_SEGMENTS segments a side (A B B A …), so a change in the
 * machine's load (other processes on the cores) falls on both alike.
 */
async function cpuPerRequest(seconds: number, a: Side, b: Side) {
  const idleFrom = [cpuSecondsOf(a.pid), cpuSecondsOf(b.pid)];
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const idlePerSecond = [(cpuSecondsOf(a.pid) - idleFrom[0]) / seconds, (cpuSecondsOf(b.pid) - idleFrom[1]) / seconds];
  const totals = [a, b].map(() => ({ cpu: 0, results: [] as LoadResult[] }));
  for (let i = 0; i < CPU_SEGMENTS * 2; i++) {
    const which = [0, 1, 1, 0][i % 4];
    const side = which === 0 ? a : b;
    const before = cpuSecondsOf(side.pid);
    totals[which].results.push(await side.work(seconds / CPU_SEGMENTS));
    totals[which].cpu += cpuSecondsOf(side.pid) - before;
  }
  return totals.map(({ cpu, results }, i) => {
    const requests = results.reduce((n, r) => n + r.requests, 0);
    const loadSeconds = results.reduce((n, r) => n + r.seconds, 0);
    const latencies = results.map((r) => r.medianMs).sort((x, y) => x - y);
    const net = cpu - idlePerSecond[i] * loadSeconds;
    return {
      generator: results[0].generator,
      requests,
      failures: results.reduce((n, r) => n + r.failures, 0),
      seconds: round(loadSeconds),
      segments: results.length,
      medianOfSegmentMediansMs: latencies[Math.floor(latencies.length / 2)],
      cpuSeconds: round(cpu),
      idleCpuMillisecondsPerSecond: Math.round(idlePerSecond[i] * 1000),
      cpuMicrosecondsPerRequest: Math.round((cpu * 1e6) / requests),
      netOfIdleCpuMicrosecondsPerRequest: Math.round((net * 1e6) / requests),
    };
  });
}

/** Direct calls to the emulator against the same calls through Forcelink's proxy, in one run. */
export async function proxyBench(options: { seconds?: number; concurrency?: number } = {}) {
  const seconds = options.seconds ?? 10;
  const concurrency = options.concurrency ?? 8;
  const emulator = await spawnEmulator({ ...DEMO_SEED, generate: { Account: 1_000 }, quota: { limit: 100_000_000 } });
  const server = await spawnServer(
    {
      login: emulator.loginUrl,
      test: emulator.loginUrl.replace(/\d+$/, (p) => String(Number(p) + 1)),
      myDomain: emulator.myDomainUrl,
    },
    // BENCH_PROXY_SERVER_NODE_ARGS: node options for the Forcelink server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    { nodeArgs: (process.env.BENCH_PROXY_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean) },
  );
  let forwarder: Awaited<ReturnType<typeof spawnBareForwarder>> | undefined;
  try {
    const api = (path: string, body?: unknown) =>
      call(`${server.url}${path}`, {
        method: body ? "POST" : "GET",
        headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });
    const app = (await (
      await api("/v1/provider-apps", {
        name: "Bench",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        scopes: ["api", "refresh_token", "id"],
        clientCredentials: { enabled: true },
      })
    ).json()) as { id: string };
    const conn = await api("/v1/connections", {
      flow: "client_credentials",
      providerAppId: app.id,
      endUserId: "bench",
      myDomain: "forcelink-demo",
    });
    if (conn.status !== 201) throw new Error(`connection failed: ${conn.status} ${await conn.text()}`);
    const connectionId = ((await conn.json()) as { id: string }).id;
    const directToken = await passwordLogin(emulator);

    const directUrl = `${emulator.myDomainUrl}${PATH}`;
    const proxyUrl = `${server.url}/v1/connections/${connectionId}/proxy${PATH}`;
    // Warm both paths (connections, JIT, the proxy's first token read) before measuring.
    await load(directUrl, { authorization: `Bearer ${directToken}` }, concurrency, 2);
    await load(proxyUrl, { authorization: `Bearer ${server.apiKey}` }, concurrency, 2);

    forwarder = await spawnBareForwarder(emulator.myDomainUrl, directToken);
    const forwardedUrl = `${forwarder.url}${PATH}`;
    await load(forwardedUrl, {}, concurrency, 2);

    const tokenCallsBefore = await tokenCalls(emulator.loginUrl);
    // CPU per request at a fixed rate well below saturation: the bare forwarder and Forcelink's proxy, alternating.
    const rate = { rate: RATE, connections: 4 };
    const [bareCpu, proxiedCpu] = await cpuPerRequest(
      seconds,
      { pid: forwarder.child.pid!, work: (s) => atRate(forwardedUrl, {}, { ...rate, seconds: s }) },
      {
        pid: server.child.pid!,
        work: (s) => atRate(proxyUrl, { authorization: `Bearer ${server.apiKey}` }, { ...rate, seconds: s }),
      },
    );
    // Latency one call at a time (what a call costs), then throughput under concurrent load.
    const directLatency = await load(directUrl, { authorization: `Bearer ${directToken}` }, 1, seconds);
    const proxiedLatency = await load(proxyUrl, { authorization: `Bearer ${server.apiKey}` }, 1, seconds);
    const direct = await load(directUrl, { authorization: `Bearer ${directToken}` }, concurrency, seconds);
    const proxied = await load(proxyUrl, { authorization: `Bearer ${server.apiKey}` }, concurrency, seconds);
    // The same at zero latency for a call that makes Salesforce work: a 200-row query page.
    const directQueryUrl = `${emulator.myDomainUrl}${QUERY_PATH}`;
    const proxiedQueryUrl = `${server.url}/v1/connections/${connectionId}/proxy${QUERY_PATH}`;
    await load(proxiedQueryUrl, { authorization: `Bearer ${server.apiKey}` }, concurrency, 2);
    const directQuery = await load(directQueryUrl, { authorization: `Bearer ${directToken}` }, concurrency, seconds);
    const proxiedQuery = await load(
      proxiedQueryUrl,
      { authorization: `Bearer ${server.apiKey}` },
      concurrency,
      seconds,
    );
    // Salesforce answers in tens of milliseconds, not microseconds: the same comparison with the
    // emulator answering after 20 ms, at 64 connections, shows the proxy where it will live.
    await call(`${emulator.loginUrl}/__emulator/faults`, {
      method: "PUT",
      body: JSON.stringify({ latencyMs: 20 }),
      headers: { "content-type": "application/json" },
    });
    // The floor of any proxy in Node on this machine: when the cores are the limit, it falls short of direct too.
    const [directSlow, proxiedSlow, bareSlow] = await alternatingLoads(
      [
        { name: "direct calls to the emulator", url: directUrl, headers: { authorization: `Bearer ${directToken}` } },
        { name: "through the proxy", url: proxyUrl, headers: { authorization: `Bearer ${server.apiKey}` } },
        { name: "through the bare forwarder", url: forwardedUrl, headers: {} },
      ],
      64,
      seconds,
      { emulator: emulator.child.pid!, forcelink: server.child.pid!, bareForwarder: forwarder.child.pid! },
    );
    await forwarder.stop();
    forwarder = undefined;
    await call(`${emulator.loginUrl}/__emulator/faults`, { method: "DELETE" });
    const tokenCallsDuring = (await tokenCalls(emulator.loginUrl)) - tokenCallsBefore;
    const addedMedianMs = Number((proxiedLatency.medianMs - directLatency.medianMs).toFixed(3));
    const throughputRatio = Number((proxied.requestsPerSecond / direct.requestsPerSecond).toFixed(3));
    const slowRatio = Number((proxiedSlow.requestsPerSecond / directSlow.requestsPerSecond).toFixed(3));
    const cpuRatio = round(proxiedCpu.cpuMicrosecondsPerRequest / bareCpu.cpuMicrosecondsPerRequest);
    const netCpuRatio = round(
      proxiedCpu.netOfIdleCpuMicrosecondsPerRequest / bareCpu.netOfIdleCpuMicrosecondsPerRequest,
    );
    return {
      name: "proxy.overhead",
      path: PATH,
      latency: {
        concurrency: 1,
        baseline: { name: "direct calls to the emulator", ...directLatency },
        proxied: { name: "the same calls through /v1/connections/{id}/proxy", ...proxiedLatency },
      },
      throughput: {
        concurrency,
        baseline: { name: "direct calls to the emulator", ...direct },
        proxied: { name: "through the proxy", ...proxied },
      },
      queryPage: {
        path: QUERY_PATH,
        concurrency,
        baseline: { name: "direct 200-row query pages from the emulator", ...directQuery },
        proxied: { name: "the same through the proxy", ...proxiedQuery },
        throughputRatio: Number((proxiedQuery.requestsPerSecond / directQuery.requestsPerSecond).toFixed(3)),
      },
      withSalesforceLatency: {
        emulatorLatencyMs: 20,
        concurrency: 64,
        // 64 connections each waiting 20 ms an answer: what no machine goes beyond.
        ceilingRequestsPerSecond: 64 * (1000 / 20),
        baseline: directSlow,
        proxied: proxiedSlow,
        throughputRatio: slowRatio,
        bareForwarder: bareSlow,
        bareForwarderThroughputRatio: Number((bareSlow.requestsPerSecond / directSlow.requestsPerSecond).toFixed(3)),
        // Forcelink's own share of a shortfall: the proxy against the bare forwarder, both the machine's floor.
        proxiedOverBareForwarder: Number((proxiedSlow.requestsPerSecond / bareSlow.requestsPerSecond).toFixed(3)),
      },
      cpuPerRequest: {
        ratePerSecond: RATE,
        connections: 4,
        segmentsEach: CPU_SEGMENTS,
        baseline: { name: "a bare forwarder: node:http plus an undici pool, no authentication", ...bareCpu },
        proxied: { name: "Forcelink's process, the same calls through the proxy", ...proxiedCpu },
        ratio: cpuRatio,
        // The target's measure: a request's own CPU, without the fixed cost an idle server pays anyway.
        netOfIdleRatio: netCpuRatio,
      },
      addedMedianMs,
      // At zero latency on two shared cores this mostly measures the machine (issue 14): reported, not a target.
      throughputRatio,
      tokenEndpointCallsDuringRun: tokenCallsDuring,
      target: {
        netOfIdleCpuRatioAtMost: 1.3,
        addedMedianMsBelow: 1,
        slowThroughputRatioAtLeast: 0.95,
        tokenCalls: 0,
        met: netCpuRatio <= 1.3 && addedMedianMs < 1 && slowRatio >= 0.95 && tokenCallsDuring === 0,
      },
    };
  } finally {
    await forwarder?.stop();
    await server.stop();
    await emulator.stop();
  }
}
