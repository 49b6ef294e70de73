import { execFileSync, spawnSync } from "node:child_process";
import { Agent, request } from "undici";

export interface LoadResult {
  generator: "wrk" | "undici";
  requests: number;
  failures: number;
  seconds: number;
  requestsPerSecond: number;
  medianMs: number;
  p99Ms: number;
}

function hasWrk(): boolean {
  return spawnSync("wrk", ["--version"]).error === undefined;
}

function ms(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
}

/**
 * Drives `concurrency` keep-alive connections at one URL for `seconds`. wrk (Debian's package)
 * when present, so the load generator does not eat the cores the servers under test need;
 * otherwise an undici loop in this process.
 */
export async function load(
  url: string,
  headers: Record<string, string>,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  if (hasWrk()) {
    const args = ["-t", "1", "-c", String(concurrency), "-d", `${seconds}s`, "--latency", "--timeout", "10s"];
    for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
    const out = execFileSync("wrk", [...args, url], { encoding: "utf8" });
    const requests = Number(/(\d+) requests in ([\d.]+)(\w+)/.exec(out)?.[1]);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const errors = socketErrors ? socketErrors.slice(1).reduce((s, x) => s + Number(x), 0) : 0;
    return {
      generator: "wrk",
      requests,
      failures: non2xx + errors,
      seconds,
      requestsPerSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])),
      medianMs: Number(ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? "").toFixed(3)),
      p99Ms: Number(ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? "").toFixed(3)),
    };
  }
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        const res = await request(url, { headers, dispatcher: agent });
        await res.body.dump();
        latencies.push(performance.now() - t);
        if (res.statusCode !== 200) failures++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await agent.close();
  return summarize(latencies, failures, elapsed);
}

/**
 * An open loop: one request every 1/`rate` s for `seconds`, whatever the answers' speed, on at most `connections`
 * keep-alive sockets. At a rate well below saturation the servers' CPU per request is not a measure of the cores'
 * contention.
 */
export async function atRate(
  url: string,
  headers: Record<string, string>,
  options: { rate: number; seconds: number; connections: number },
): Promise<LoadResult> {
  const agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let failures = 0;
  const total = Math.round(options.rate * options.seconds);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      (async () => {
        const t = performance.now();
        try {
          const res = await request(url, { headers, dispatcher: agent });
          await res.body.dump();
          if (res.statusCode !== 200) failures++;
        } catch {
          failures++;
        }
        latencies.push(performance.now() - t);
      })(),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  await agent.close();
  return summarize(latencies, failures, elapsed);
}

/** Requests, failures, rate and latency percentiles of one load run. */
function summarize(latencies: number[], failures: number, elapsed: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const pick = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    generator: "undici",
    requests: latencies.length,
    failures,
    seconds: Number(elapsed.toFixed(2)),
    requestsPerSecond: Math.round(latencies.length / elapsed),
    medianMs: Number(pick(50).toFixed(3)),
    p99Ms: Number(pick(99).toFixed(3)),
  };
}
