import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_SEED } from "@forcelink/emulator";
import { passwordLogin, processOf, spawnEmulator } from "./spawn-emulator.ts";

const SOQL = "SELECT Id, Name, Industry, BillingCity, AnnualRevenue, SystemModstamp FROM Account";

interface PageRun {
  records: number;
  pages: number;
  seconds: number;
}

/** Follows nextRecordsUrl to the end, counting records, the way any REST client pages. */
async function pageThrough(firstUrl: string, base: string, headers: Record<string, string>): Promise<PageRun> {
  const started = performance.now();
  let url: string | undefined = firstUrl;
  let records = 0;
  let pages = 0;
  while (url) {
    const res: Response = await fetch(url, { headers });
    if (!res.ok) throw new Error(`page ${pages} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { records: unknown[]; nextRecordsUrl?: string; done: boolean };
    records += body.records.length;
    pages++;
    url = body.done ? undefined : `${base}${body.nextRecordsUrl}`;
  }
  return { records, pages, seconds: (performance.now() - started) / 1000 };
}

/**
 * Baseline: a bare HTTP server in its own process answering every page with the same
 * pre-serialized 2,000-record JSON — what this machine's HTTP and JSON parsing allow at best.
 */
async function transportCeiling(samplePage: string, pages: number): Promise<PageRun> {
  const pagePath = join(tmpdir(), `forcelink-bench-page-${process.pid}.json`);
  writeFileSync(pagePath, samplePage);
  const script = `
    const http = require("node:http");
    const body = require("node:fs").readFileSync(${JSON.stringify(pagePath)}, "utf8");
    const s = http.createServer((req, res) => { res.writeHead(200, {"content-type": "application/json;charset=UTF-8", "content-length": Buffer.byteLength(body)}); res.end(body); });
    s.listen(0, "127.0.0.1", () => process.stdout.write(String(s.address().port) + "\\n"));
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  try {
    const started = performance.now();
    let records = 0;
    for (let i = 0; i < pages; i++) {
      const body = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { records: unknown[] };
      records += body.records.length;
    }
    return { records, pages, seconds: (performance.now() - started) / 1000 };
  } finally {
    child.kill();
  }
}

/** RSS of the emulator serving the demo org with no generated records: what a record's share is measured from. */
async function emptyOrgRssMB(): Promise<number> {
  const emulator = await spawnEmulator({ ...DEMO_SEED, generate: { Account: 0 } });
  try {
    return (await processOf(emulator)).rssMB;
  } finally {
    await emulator.stop();
  }
}

export async function emulatorQueryBench(count = 1_000_000) {
  const emptyRssMB = await emptyOrgRssMB();
  const setupStarted = performance.now();
  const emulator = await spawnEmulator({ ...DEMO_SEED, generate: { Account: count }, quota: { limit: 10_000_000 } });
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  try {
    // What the org holds once generated, before any query makes caches or garbage.
    const atReady = await processOf(emulator);
    const token = await passwordLogin(emulator);
    const headers = { authorization: `Bearer ${token}`, "sforce-query-options": "batchSize=2000" };
    const first = `${emulator.myDomainUrl}/services/data/v67.0/query?q=${encodeURIComponent(SOQL)}`;
    const run = await pageThrough(first, emulator.myDomainUrl, headers);
    if (run.records !== count) throw new Error(`expected ${count} records, paged ${run.records}`);
    const sample = await (await fetch(first, { headers })).text();
    const ceiling = await transportCeiling(sample, Math.min(run.pages, 200));
    const memory = (await (await fetch(`${emulator.loginUrl}/__emulator/process`)).json()) as {
      peakRssBytes: number;
      rssBytes: number;
    };
    const recordsPerSecond = Math.round(run.records / run.seconds);
    const ceilingPerSecond = Math.round(ceiling.records / ceiling.seconds);
    const ratioToBaseline = Number((recordsPerSecond / ceilingPerSecond).toFixed(3));
    const rssBytesPerAccount = Math.round(((atReady.rssMB - emptyRssMB) * 1e6) / count);
    return {
      name: "emulator.query-locator-paging",
      records: run.records,
      pages: run.pages,
      seconds: Number(run.seconds.toFixed(2)),
      recordsPerSecond,
      baseline: {
        name: "static 2,000-record JSON page from a bare node:http server (transport + parse ceiling)",
        records: ceiling.records,
        recordsPerSecond: ceilingPerSecond,
      },
      ratioToBaseline,
      // In memory: the org generated at start-up (no data directory).
      seedSeconds: Number(setupSeconds.toFixed(1)),
      seedCpuSeconds: atReady.cpuSeconds,
      emulatorRssAtReadyMB: atReady.rssMB,
      emptyOrgRssMB: emptyRssMB,
      // (RSS at ready - RSS of the empty org) / Accounts.
      rssBytesPerAccount,
      emulatorPeakRssMB: Math.round(memory.peakRssBytes / 1e6),
      emulatorRssAfterMB: Math.round(memory.rssBytes / 1e6),
      target: {
        recordsPerSecond: 100_000,
        ratioToBaseline: 0.9,
        rssBytesPerAccount: 600,
        rssAtReadyMB: (700 * count) / 1_000_000,
        met:
          recordsPerSecond >= 100_000 &&
          ratioToBaseline >= 0.9 &&
          rssBytesPerAccount <= 600 &&
          atReady.rssMB < (700 * count) / 1_000_000,
      },
    };
  } finally {
    await emulator.stop();
  }
}
