import type { ChecklistItemId } from "./error-table.ts";

/** Why a connection needs its customer to connect again; safe to show and to put in a webhook. */
export interface ReauthReason {
  error: string;
  description: string;
  /** The error table's id for the cause; absent on reasons recorded before ids existed. */
  reason?: string;
  checklistItem?: ChecklistItemId;
  /** What to do about it, for the builder. */
  remedy?: string;
  /** Epoch ms. */
  at: number;
}

/** Refreshes failing for reasons that pass (network, 5xx), shared so every process backs off. */
export interface RefreshFailing {
  since: number;
  failures: number;
  lastAt: number;
  /** No process tries again before this. */
  nextAttemptAt: number;
  error: string;
  description: string;
}

/** A connection's tokens as the store keeps them (sealed at rest by the store, never by us). */
export interface StoredCredentials {
  accessToken: string;
  refreshToken?: string;
  instanceUrl: string;
  identityUrl: string;
  orgId: string;
  userId: string;
  scopes: string[];
  /** Salesforce's `issued_at`, epoch ms on Salesforce's clock. */
  issuedAt: number;
  /** When we obtained the access token, on our clock: expiry estimates stay on one clock. */
  obtainedAt?: number;
  /** The org's session timeout, learned by introspecting this access token. */
  sessionTimeoutMs?: number;
  /** Set when Salesforce refused the grant for good; nothing refreshes until the customer reconnects. */
  needsReauth?: ReauthReason;
  refreshFailing?: RefreshFailing;
  /**
   * Set by the store on read: bumped by every write. A write that carries it succeeds only while
   * the stored credentials are still the ones read.
   */
  version?: number;
}

/** Whether a write landed: `lost` when another process took the lease (or wrote) meanwhile. */
export type WriteOutcome = "won" | "lost";

/**
 * Where credentials live, shared by every process. The lease is what makes one refresh per
 * connection across processes: a row with an owner token and an expiry.
 */
export interface CredentialStore {
  read(connectionId: string): Promise<StoredCredentials | null>;
  /**
   * Stores credentials only while `owner` holds the connection's lease (and, when the credentials
   * carry a version, while it is still the stored one). Otherwise nothing is written: `lost`, and
   * the winner's credentials are in the store.
   */
  write(connectionId: string, credentials: StoredCredentials, owner: string): Promise<WriteOutcome>;
  /**
   * Takes the lease when it is free, expired, or already `owner`'s (which extends it). A lease
   * another owner holds and that has not expired blocks.
   */
  tryAcquireLease(connectionId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the lease only when `owner` still holds it. */
  releaseLease(connectionId: string, owner: string): Promise<void>;
}
