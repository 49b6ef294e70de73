import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { systemClock, TestClock } from "../src/platform/clock.ts";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

/** Every source file of the server, by its path under src/. */
function sources(): Map<string, string> {
  const files = readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
  return new Map(files.map((f) => [relative(SRC, f), readFileSync(f, "utf8")]));
}

/** Lines that read the wall clock directly: `Date.now()` or a `new Date()` that converts nothing. */
function wallClockReads(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => !/^\s*(\/\/|\*)/.test(line))
    .filter((line) => /\bDate\.now\(\)|new Date\(\)/.test(line));
}

/**
 * Where reading the wall clock is the point: the clock itself; ids, which sort by when they were
 * really made; and the signature check builders run in their own process, on their own clock.
 */
const WALL_CLOCK_ALLOWED = new Set(["platform/clock.ts", "ids.ts", "webhooks/signing.ts"]);

/** Imports of one file (type imports too), as paths under src/. */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/gms)].map((m) =>
    relative(SRC, resolve(SRC, dirname(file), m[1])),
  );
}

function folderOf(file: string): string | null {
  const parts = file.split("/");
  return parts.length > 1 ? parts[0] : null;
}

/**
 * Folders that may import the capabilities: the composition (platform/open-platform.ts builds every
 * service), the command line, and the HTTP layer (its own rules live with it).
 */
const COMPOSING = new Set(["platform", "cli", "http"]);

describe("explicit composition", () => {
  it("reads time only through the platform's clock", () => {
    const offenders: string[] = [];
    for (const [file, text] of sources()) {
      if (WALL_CLOCK_ALLOWED.has(file)) continue;
      for (const line of wallClockReads(text)) offenders.push(`${file}: ${line.trim()}`);
    }
    expect(offenders).toEqual([]);
  });

  it("keeps no process state in module-level WeakMaps, WeakSets or per-platform singletons", () => {
    const offenders: string[] = [];
    for (const [file, text] of sources())
      for (const line of text.split("\n"))
        if (/^(?:export\s+)?(?:const|let)\s+\w+\s*=\s*new\s+Weak(?:Map|Set)\b/.test(line))
          offenders.push(`${file}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });

  it("has no two capability folders importing each other (route adapters are the HTTP layer, above them)", () => {
    const edges = new Map<string, Map<string, string>>();
    for (const [file, text] of sources()) {
      const from = folderOf(file);
      if (!from || COMPOSING.has(from) || /-routes\.ts$/.test(file)) continue;
      for (const target of importsOf(file, text)) {
        const to = folderOf(target);
        if (!to || to === from || COMPOSING.has(to)) continue;
        if (!edges.has(from)) edges.set(from, new Map());
        edges.get(from)!.set(to, `${file} -> ${target}`);
      }
    }
    const cycles: string[] = [];
    for (const [a, targets] of edges)
      for (const [b, why] of targets) {
        const back = edges.get(b)?.get(a);
        if (back && a < b) cycles.push(`${a} <-> ${b}: ${why}; ${back}`);
      }
    expect(cycles).toEqual([]);
  });
});

describe("the clock", () => {
  it("a test clock ticks with the wall clock from wherever it was moved", () => {
    const clock = new TestClock();
    const cases: Array<{ move: (c: TestClock) => void; expectMs: number }> = [
      { move: () => undefined, expectMs: 0 },
      { move: (c) => c.advance(2 * 3_600_000), expectMs: 2 * 3_600_000 },
      { move: (c) => c.advance(-3_600_000), expectMs: 3_600_000 },
      { move: (c) => c.set(Date.now() - 60_000), expectMs: -60_000 },
    ];
    for (const { move, expectMs } of cases) {
      move(clock);
      const drift = clock.nowMs() - Date.now() - expectMs;
      expect(Math.abs(drift)).toBeLessThan(1000);
      expect(Math.abs(clock.now().getTime() - clock.nowMs())).toBeLessThan(1000);
    }
  });

  it("hands out its readings as plain functions, the shape the Salesforce client takes as `now`", () => {
    const clock = new TestClock({ offsetMs: 5_000 });
    const { nowMs } = clock;
    expect(Math.abs(nowMs() - (Date.now() + 5_000))).toBeLessThan(1000);
    const system = systemClock();
    const { now } = system;
    expect(Math.abs(now().getTime() - Date.now())).toBeLessThan(1000);
  });
});
