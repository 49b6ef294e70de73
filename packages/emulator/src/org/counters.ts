export type CallKind = "rest" | "bulk" | "tooling" | "oauth" | "identity" | "control";

/** Counts every API call the emulator answers, by endpoint and by kind. */
export class CallCounters {
  private readonly byEndpoint = new Map<string, number>();
  private readonly byKind = new Map<CallKind, number>();

  record(kind: CallKind, endpoint: string): void {
    this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }

  snapshot(): { total: number; byKind: Record<string, number>; byEndpoint: Record<string, number> } {
    const byKind = Object.fromEntries(this.byKind);
    const total = [...this.byKind.entries()].filter(([k]) => k !== "control").reduce((s, [, n]) => s + n, 0);
    return { total, byKind, byEndpoint: Object.fromEntries([...this.byEndpoint].sort()) };
  }

  reset(): void {
    this.byEndpoint.clear();
    this.byKind.clear();
  }
}
