import type { ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { DEMO } from "@forcelink/emulator";
import pg from "pg";
import type { SpawnedEmulator } from "./spawn-emulator.ts";

/** What the parts share: the emulator's counters, a process's memory from /proc, scratch PostgreSQL databases. */

export const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export interface Counters {
  byKind: Record<string, number>;
  byEndpoint: Record<string, number>;
}

/**
 * fetch, once more when a kept-alive socket turns out closed: the servers drop idle connections after 5 s, and a
 * baseline run in a child process lasts longer than that.
 */
export async function call(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw error;
    return fetch(url, init);
  }
}

export async function counters(emulator: SpawnedEmulator): Promise<Counters> {
  return (await (await call(`${emulator.loginUrl}/__emulator/counters`)).json()) as Counters;
}

/** Calls that count against the org's API quota: REST and Bulk (not OAuth, not the control surface). */
export function apiCallsOf(c: Counters): number {
  return (c.byKind.rest ?? 0) + (c.byKind.bulk ?? 0);
}

/** Per-endpoint difference, for the report: where the requests went (OAuth ones included, not counted as API calls). */
export function endpointDelta(before: Counters, after: Counters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byEndpoint)) {
    const d = v - (before.byEndpoint[k] ?? 0);
    if (d > 0 && !k.includes("/__emulator/")) out[k] = d;
  }
  return out;
}

/** Peak resident set size of a live process, from /proc (Linux), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return Math.round((kb * 1024) / 1e6);
}

/** Starts a new peak for `peakRssMb` (Linux: writing 5 to clear_refs resets VmHWM to the current RSS). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

export function currentRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round((Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]) * 1024) / 1e6);
}

export async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** The emulator's test login host for a login host (the next port). */
export function testHostOf(loginUrl: string): string {
  return loginUrl.replace(/\d+$/, (p) => String(Number(p) + 1));
}

export type ApiCall = (path: string, init?: { body?: unknown; contentType?: string }) => Promise<Response>;

export async function expectStatus(res: Response, status: number, what: string): Promise<{ id: string }> {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id: string }>;
}

/** The demo app as a provider app, and a client-credentials connection to the demo org through it. */
export async function demoConnection(api: ApiCall, endUserId = "bench"): Promise<string> {
  const app = await expectStatus(
    await api("/v1/provider-apps", {
      body: {
        name: "Bench",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        scopes: ["api", "refresh_token", "id"],
        clientCredentials: { enabled: true },
      },
    }),
    201,
    "provider app",
  );
  const conn = await expectStatus(
    await api("/v1/connections", {
      body: { flow: "client_credentials", providerAppId: app.id, endUserId, myDomain: "forcelink-demo" },
    }),
    201,
    "connection",
  );
  return conn.id;
}

/** CPU seconds (user and system) a live process has used, from /proc/<pid>/stat (Linux; 100 ticks a second). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds of the PostgreSQL backends serving one database (those in pg_stat_activity for it, but the meter's own):
 * the server-wide figure counts every database on the machine, other benches' and tests' too. `sample` (often, e.g.
 * every half second) notes each backend's CPU so far; a backend that exits between two samples loses what it used
 * since the last (the servers keep pooled connections, so few do). Linux only.
 */
export class DatabaseCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private sampled = false;
  /** CPU of backends whose pid a new backend took since. */
  private banked = 0;

  async sample(c: pg.Client): Promise<void> {
    const { rows } = await c.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    for (const { pid } of rows) {
      let cpu: number;
      try {
        cpu = cpuSecondsOf(pid);
      } catch {
        continue; // gone meanwhile
      }
      const before = this.last.get(pid);
      if (before !== undefined && cpu < before) {
        this.banked += before - (this.first.get(pid) ?? 0);
        this.first.set(pid, 0);
      }
      // A backend first seen after the first sample started since: everything it used falls in the window.
      if (!this.first.has(pid)) this.first.set(pid, this.sampled ? 0 : cpu);
      this.last.set(pid, cpu);
    }
    this.sampled = true;
  }

  seconds(): number {
    let total = this.banked;
    for (const [pid, cpu] of this.last) total += cpu - (this.first.get(pid) ?? 0);
    return total;
  }
}
