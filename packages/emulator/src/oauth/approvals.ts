import type { Org } from "../org/org.ts";

/** Which scopes each user has approved for each app, so the approval page shows only once. */
export class Approvals {
  private readonly approved = new Map<string, Set<string>>();

  get(userId: string, appId: string): ReadonlySet<string> | undefined {
    return this.approved.get(`${userId}:${appId}`);
  }

  /** Every approval as [user:app, scopes], to save with the org. */
  saved(): Array<[string, string[]]> {
    return [...this.approved].map(([key, scopes]) => [key, [...scopes]]);
  }

  restore(saved: Array<[string, string[]]>): void {
    for (const [key, scopes] of saved) this.approved.set(key, new Set(scopes));
  }

  record(userId: string, appId: string, scopes: string[]): void {
    const key = `${userId}:${appId}`;
    const set = this.approved.get(key) ?? new Set<string>();
    for (const s of scopes) set.add(s);
    this.approved.set(key, set);
  }
}

export function approvalsOf(org: Org): Approvals {
  return org.extension("oauth.approvals", () => new Approvals());
}
