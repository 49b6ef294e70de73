/** The emulator's notion of now: real time plus an offset that tests can advance. */
export class Clock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("the clock only moves forward");
    this.offsetMs += ms;
  }
  get offset(): number {
    return this.offsetMs;
  }
  /** Sets the offset a saved org had, when it is loaded again. */
  restore(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }
}

/** Salesforce's JSON datetime: 2024-05-01T12:34:56.000+0000 */
export function formatDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.000+0000`;
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function truncateToSecond(ms: number): number {
  return ms - (((ms % 1000) + 1000) % 1000);
}

/** An HTTP date (RFC 9110), as in the `Date` and `Last-Modified` headers. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
