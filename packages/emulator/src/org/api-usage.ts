const HOUR_MS = 3600_000;

/** The rolling 24-hour count of API requests behind `Sforce-Limit-Info` and REQUEST_LIMIT_EXCEEDED. */
export class ApiUsage {
  private readonly hours = new Map<number, number>();
  private readonly now: () => number;
  limit: number;
  constructor(now: () => number, limit: number) {
    this.now = now;
    this.limit = limit;
  }

  used(): number {
    const current = Math.floor(this.now() / HOUR_MS);
    let total = 0;
    for (const [hour, n] of this.hours) {
      if (hour > current - 24) total += n;
      else this.hours.delete(hour);
    }
    return total;
  }

  remaining(): number {
    return Math.max(0, this.limit - this.used());
  }

  exhausted(): boolean {
    return this.used() >= this.limit;
  }

  count(n = 1): void {
    const hour = Math.floor(this.now() / HOUR_MS);
    this.hours.set(hour, (this.hours.get(hour) ?? 0) + n);
  }

  /** Sets the number used in the current window, as a test or seed asks. */
  setUsed(n: number): void {
    this.hours.clear();
    if (n > 0) this.hours.set(Math.floor(this.now() / HOUR_MS), n);
  }

  /** Requests counted by hour, to save with the org. */
  saved(): Array<[number, number]> {
    return [...this.hours];
  }

  restore(hours: Array<[number, number]>): void {
    this.hours.clear();
    for (const [hour, n] of hours) this.hours.set(hour, n);
  }

  header(): string {
    return `api-usage=${this.used()}/${this.limit}`;
  }
}
