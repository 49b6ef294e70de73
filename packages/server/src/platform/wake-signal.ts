/**
 * Wake-ups by key within one process: a waiter sleeps until `notify(key)` or its time is up. Used
 * where a request waits for work another part of the same process finishes (a write's end); work
 * another process finishes is seen by the waiter's own re-read of the store when it wakes anyway.
 */
export class WakeSignal {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves true when `key` is notified within `ms`, false when the time is up or `signal` aborts first. */
  wait(key: string, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, set);
      const done = (notified: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        resolve(notified);
      };
      const wake = () => done(true);
      const aborted = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, ms));
      signal?.addEventListener("abort", aborted, { once: true });
      set.add(wake);
    });
  }

  /** Wakes every waiter of `key`. */
  notify(key: string): void {
    const set = this.waiters.get(key);
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /** How many waiters there are, for tests and diagnostics. */
  get size(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }
}
