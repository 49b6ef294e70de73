/** Faults a test asks the emulator to inject into API answers. */
export interface FaultSettings {
  /** Share (0..1) of API calls answered with `errorStatus` instead of being served. */
  errorRate: number;
  errorStatus: 500 | 503;
  /** Extra latency added to every API call, in milliseconds. */
  latencyMs: number;
  /** Share of API calls whose connection is destroyed without an answer. */
  dropRate: number;
  /** The next N DML calls fail with UNABLE_TO_LOCK_ROW. */
  unableToLockRow: number;
  /** The next N queries fail with QUERY_TIMEOUT. */
  queryTimeout: number;
  /** Restricts rate-based faults to paths containing this text (e.g. "/query"); empty means all. */
  pathContains: string;
  /** Seed for the fault dice, so a run can be repeated. */
  seed: number;
}

export const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  errorStatus: 503,
  latencyMs: 0,
  dropRate: 0,
  unableToLockRow: 0,
  queryTimeout: 0,
  pathContains: "",
  seed: 1,
};

export type FaultDecision = { kind: "none" } | { kind: "error"; status: 500 | 503 } | { kind: "drop" };

/** Rolls the dice for one call with a small seeded generator (mulberry32). */
export class FaultInjector {
  settings: FaultSettings = { ...NO_FAULTS };
  private state = NO_FAULTS.seed;

  configure(patch: Partial<FaultSettings>): FaultSettings {
    this.settings = { ...this.settings, ...patch };
    if (patch.seed !== undefined) this.state = patch.seed;
    return this.settings;
  }

  reset(): void {
    this.settings = { ...NO_FAULTS };
    this.state = NO_FAULTS.seed;
  }

  decide(path: string): FaultDecision {
    const s = this.settings;
    if (s.errorRate <= 0 && s.dropRate <= 0) return { kind: "none" };
    if (s.pathContains && !path.includes(s.pathContains)) return { kind: "none" };
    const roll = this.random();
    if (roll < s.dropRate) return { kind: "drop" };
    if (roll < s.dropRate + s.errorRate) return { kind: "error", status: s.errorStatus };
    return { kind: "none" };
  }

  /** Consumes one pending UNABLE_TO_LOCK_ROW or QUERY_TIMEOUT fault, if any is left. */
  take(kind: "unableToLockRow" | "queryTimeout"): boolean {
    if (this.settings[kind] <= 0) return false;
    this.settings = { ...this.settings, [kind]: this.settings[kind] - 1 };
    return true;
  }

  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
