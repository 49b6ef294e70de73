import { mkdirSync, writeFileSync } from "node:fs";
import { demoBench } from "./demo.bench.ts";
import { emulatorPersistBench } from "./emulator-persist.bench.ts";
import { emulatorQueryBench } from "./emulator-query.bench.ts";
import { proxyBench } from "./proxy.bench.ts";
import { subscribeBench } from "./subscribe.bench.ts";
import { syncBench } from "./sync.bench.ts";
import { syncIdleBench } from "./sync-idle.bench.ts";
import { writeBench } from "./write.bench.ts";

/** `npm run bench [-- part…]`: runs the benchmarks, prints JSON, and keeps it in bench/results/. */
const parts: Record<string, () => Promise<unknown>> = {
  // In-memory figures (seedSeconds: generating the Accounts; peak RSS) beside a data directory's start-up.
  emulator: async () => {
    const accounts = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
    const query = await emulatorQueryBench(accounts);
    const inMemory = {
      seconds: query.seedSeconds,
      cpuSeconds: query.seedCpuSeconds,
      rssMB: query.emulatorRssAtReadyMB,
    };
    return { ...query, persisted: await emulatorPersistBench(accounts, inMemory) };
  },
  // npm start's footprint: time to ready and idle RSS, fresh and warm, beside a bare node:http process.
  demo: () => demoBench(),
  proxy: () => proxyBench({ seconds: Number(process.env.BENCH_SECONDS ?? 10) }),
  sync: () => syncBench(Number(process.env.BENCH_ACCOUNTS ?? 1_000_000)),
  "sync-idle": () =>
    syncIdleBench(Number(process.env.BENCH_IDLE_CONNECTIONS ?? 200), Number(process.env.BENCH_IDLE_ROUNDS ?? 2)),
  // Change Data Capture into PostgreSQL: write → row latency and events a second, beside an incremental sync run.
  subscribe: () => subscribeBench(),
  write: () =>
    writeBench((process.env.BENCH_WRITE_SIZES ?? "1000,10000,100000").split(",").map(Number), {
      million: process.env.BENCH_WRITE_MILLION !== "0",
    }),
};

const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(parts);
const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  node: process.version,
  cpus: (await import("node:os")).cpus().length,
};
for (const name of wanted) {
  const run = parts[name];
  if (!run) {
    process.stderr.write(`unknown benchmark part '${name}'; parts: ${Object.keys(parts).join(", ")}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench: ${name}…\n`);
  results[name] = await run();
}
const json = JSON.stringify(results, null, 2);
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/bench-${Date.now()}.json`, import.meta.url), json);
console.log(json);
