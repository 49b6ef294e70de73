import type { CredentialStore, StoredCredentials, WriteOutcome } from "./credential-store.ts";

/**
 * A CredentialStore in memory, with the lease semantics a database store must have. Reads and
 * writes copy, as a database would, so no caller shares an object with another.
 */
export class MemoryCredentialStore implements CredentialStore {
  private readonly rows = new Map<string, StoredCredentials>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async read(connectionId: string): Promise<StoredCredentials | null> {
    const row = this.rows.get(connectionId);
    return row ? structuredClone(row) : null;
  }

  async write(connectionId: string, credentials: StoredCredentials, owner: string): Promise<WriteOutcome> {
    if (this.leases.get(connectionId)?.owner !== owner) return "lost";
    const stored = this.rows.get(connectionId);
    if (credentials.version !== undefined && stored?.version !== credentials.version) return "lost";
    this.rows.set(connectionId, { ...structuredClone(credentials), version: (stored?.version ?? 0) + 1 });
    return "won";
  }

  async tryAcquireLease(connectionId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const lease = this.leases.get(connectionId);
    if (lease && lease.owner !== owner && lease.expiresAt > now) return false;
    this.leases.set(connectionId, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(connectionId: string, owner: string): Promise<void> {
    if (this.leases.get(connectionId)?.owner === owner) this.leases.delete(connectionId);
  }

  /** Who holds a connection's lease, for tests. */
  leaseHolder(connectionId: string): string | undefined {
    const lease = this.leases.get(connectionId);
    return lease && lease.expiresAt > this.now() ? lease.owner : undefined;
  }
}
