/**
 * The process's one clock. Every time the server reads (expiry, leases' local view, timestamps it
 * stores, signatures) comes from here, and the Salesforce client's `now` is fed from it too, so a
 * test that moves this clock moves everything the server believes about time.
 */
export interface Clock {
  now(): Date;
  /** Epoch milliseconds: the shape `@forcelink/salesforce` takes as its `now`. */
  nowMs(): number;
}

/** The wall clock. */
export function systemClock(): Clock {
  return { now: () => new Date(), nowMs: () => Date.now() };
}

/**
 * A clock for tests: it keeps ticking with the wall clock (timers, leases and pg-boss still work)
 * from wherever it has been moved to. `advance` and `set` only ever shift it.
 */
export class TestClock implements Clock {
  private offsetMs: number;

  constructor(options: { offsetMs?: number } = {}) {
    this.offsetMs = options.offsetMs ?? 0;
  }

  readonly now = (): Date => new Date(this.nowMs());
  readonly nowMs = (): number => Date.now() + this.offsetMs;

  /** Moves the clock forward by `ms` (backward when negative); answers the offset from the wall clock. */
  advance(ms: number): number {
    this.offsetMs += ms;
    return this.offsetMs;
  }

  /** Puts the clock at `at`, from where it ticks on. */
  set(at: Date | number): void {
    this.offsetMs = (typeof at === "number" ? at : at.getTime()) - Date.now();
  }

  /** How far this clock is from the wall clock, in ms. */
  get offset(): number {
    return this.offsetMs;
  }
}
