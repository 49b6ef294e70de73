/** Faults a test asks the emulator to inject into API answers. */
export interface FaultSettings {
  /** Share (0..1) of API calls answered with `errorStatus` instead of being served. */
  errorRate: number;
  errorStatus: 500 | 503;
  /** Extra latency added to every API call, in milliseconds. */
  latencyMs: number;
  /** Share of API calls whose connection is destroyed without an answer. */
  dropRate: number;
  /**
   * Share of API calls that are served (their writes happen) and then have their connection
   * destroyed before the answer is sent: the "lost answer" a client cannot tell from a failure.
   */
  dropAfterServeRate: number;
  /** The next N DML calls fail with UNABLE_TO_LOCK_ROW. */
  unableToLockRow: number;
  /**
   * Share (0..1) of records written through any DML path (REST, sObject Collections, composite
   * subrequests, Bulk ingest rows) that fail on their own with UNABLE_TO_LOCK_ROW, nothing written.
   */
  unableToLockRowRate: number;
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
  dropAfterServeRate: 0,
  unableToLockRow: 0,
  unableToLockRowRate: 0,
  queryTimeout: 0,
  pathContains: "",
  seed: 1,
};

export type FaultDecision =
  | { kind: "none" }
  | { kind: "error"; status: 500 | 503 }
  | { kind: "drop" }
  | { kind: "dropAfterServe" };

/** The record dice start from another point of the seed, so per-record rolls leave the call dice as they were. */
const RECORD_DICE_OFFSET = 0x5bd1e995;

/** Rolls the dice for one call, and for one record, with small seeded generators (mulberry32). */
export class FaultInjector {
  settings: FaultSettings = { ...NO_FAULTS };
  /** The call faults injected so far, by kind: a test can show its faults did happen. */
  readonly injected = { error: 0, drop: 0, dropAfterServe: 0 };
  private state = NO_FAULTS.seed;
  private recordState = NO_FAULTS.seed ^ RECORD_DICE_OFFSET;

  configure(patch: Partial<FaultSettings>): FaultSettings {
    this.settings = { ...this.settings, ...patch };
    if (patch.seed !== undefined) {
      this.state = patch.seed;
      this.recordState = patch.seed ^ RECORD_DICE_OFFSET;
    }
    return this.settings;
  }

  reset(): void {
    this.settings = { ...NO_FAULTS };
    this.state = NO_FAULTS.seed;
    this.recordState = NO_FAULTS.seed ^ RECORD_DICE_OFFSET;
  }

  decide(path: string): FaultDecision {
    const s = this.settings;
    if (s.errorRate <= 0 && s.dropRate <= 0 && s.dropAfterServeRate <= 0) return { kind: "none" };
    if (s.pathContains && !path.includes(s.pathContains)) return { kind: "none" };
    const roll = this.random();
    const decision: FaultDecision =
      roll < s.dropRate
        ? { kind: "drop" }
        : roll < s.dropRate + s.errorRate
          ? { kind: "error", status: s.errorStatus }
          : roll < s.dropRate + s.errorRate + s.dropAfterServeRate
            ? { kind: "dropAfterServe" }
            : { kind: "none" };
    if (decision.kind !== "none") this.injected[decision.kind]++;
    return decision;
  }

  /**
   * Whether one record's write meets a locked row: a pending `unableToLockRow` first, then the
   * `unableToLockRowRate` dice (rolled once per record, whatever the path).
   */
  lockedRow(): boolean {
    if (this.take("unableToLockRow")) return true;
    const rate = this.settings.unableToLockRowRate;
    if (rate <= 0) return false;
    this.recordState = (this.recordState + 0x6d2b79f5) | 0;
    return mulberry(this.recordState) < rate;
  }

  /** Consumes one pending UNABLE_TO_LOCK_ROW or QUERY_TIMEOUT fault, if any is left. */
  take(kind: "unableToLockRow" | "queryTimeout"): boolean {
    if (this.settings[kind] <= 0) return false;
    this.settings = { ...this.settings, [kind]: this.settings[kind] - 1 };
    return true;
  }

  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    return mulberry(this.state);
  }
}

/** mulberry32's output for one state: uniform in [0, 1). */
function mulberry(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
