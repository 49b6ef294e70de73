import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_SEED } from "@forcelink/emulator";
import { passwordLogin, processOf, spawnEmulator } from "./spawn-emulator.ts";

/** The in-memory figures of the same org (no data directory), from the same run. */
export interface InMemoryStart {
  seconds: number;
  cpuSeconds: number;
  rssMB: number;
}

/**
 * Start-up of an emulator whose org is saved in a data directory: the first start generates
 * `count` Accounts and writes the first snapshot; the second loads them (snapshot + journal)
 * instead of generating. Both are timed from spawn to the printed URLs, and the second answers
 * a query over every Account, so the figures are of an org that is really there. `inMemory` is
 * the same org generated without a data directory, measured earlier in the same run.
 */
export async function emulatorPersistBench(count = 1_000_000, inMemory?: InMemoryStart) {
  const dir = mkdtempSync(join(tmpdir(), "forcelink-bench-state-"));
  try {
    const seed = { ...DEMO_SEED, generate: { Account: count }, quota: { limit: 10_000_000 } };
    const firstStarted = performance.now();
    const first = await spawnEmulator(seed, ["--data-dir", dir]);
    const firstSeconds = (performance.now() - firstStarted) / 1000;
    const firstMemory = await processOf(first);
    await first.stop();
    const snapshotMB = Math.round(
      readdirSync(dir)
        .filter((n) => n.startsWith("snapshot.bin"))
        .reduce((sum, n) => sum + statSync(join(dir, n)).size, 0) / 1e6,
    );

    const restartStarted = performance.now();
    const again = await spawnEmulator(seed, ["--data-dir", dir]);
    const restartSeconds = (performance.now() - restartStarted) / 1000;
    try {
      const memory = await processOf(again);
      const token = await passwordLogin(again);
      const res = await fetch(
        `${again.myDomainUrl}/services/data/v67.0/query?q=${encodeURIComponent("SELECT COUNT() FROM Account")}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const { totalSize } = (await res.json()) as { totalSize: number };
      if (totalSize !== count) throw new Error(`expected ${count} Accounts after the restart, found ${totalSize}`);
      return {
        name: "emulator.persisted-start-up",
        accounts: count,
        firstStart: { seconds: Number(firstSeconds.toFixed(1)), ...firstMemory, snapshotMB },
        restart: { seconds: Number(restartSeconds.toFixed(1)), ...memory },
        ...(inMemory ? { inMemory } : {}),
        target: { restartSeconds: 15, met: restartSeconds < 15 },
      };
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
