import type { StoredCredentials } from "./credential-store.ts";

/**
 * When an access token dies, estimated without `expires_in`: the org's session timeout (learned
 * by introspection, else assumed) after the token's last use, since Salesforce slides it.
 */
export interface ExpiryRules {
  /** Assumed when introspection did not teach the real one; Salesforce's default is 2 hours. */
  defaultSessionTimeoutMs: number;
  /** Refresh this long before the estimated expiry. */
  refreshMarginMs: number;
}

export function estimatedExpiry(
  creds: Pick<StoredCredentials, "issuedAt" | "obtainedAt" | "sessionTimeoutMs">,
  lastUsedAt: number | undefined,
  rules: ExpiryRules,
): number {
  const obtained = creds.obtainedAt ?? creds.issuedAt;
  return Math.max(obtained, lastUsedAt ?? obtained) + (creds.sessionTimeoutMs ?? rules.defaultSessionTimeoutMs);
}

export function dueForRefresh(
  creds: Pick<StoredCredentials, "issuedAt" | "obtainedAt" | "sessionTimeoutMs">,
  lastUsedAt: number | undefined,
  now: number,
  rules: ExpiryRules,
): boolean {
  return now >= estimatedExpiry(creds, lastUsedAt, rules) - rules.refreshMarginMs;
}

/**
 * The session timeout an introspection reveals. Introspected before first use, `exp` is the
 * issue time plus the timeout; both are on Salesforce's clock. Implausible answers are ignored.
 */
export function learnedSessionTimeout(issuedAt: number, expiresAt: number | undefined): number | undefined {
  if (expiresAt === undefined) return undefined;
  const timeout = expiresAt - issuedAt;
  // Salesforce's shortest session timeout is 15 minutes, its longest 24 hours; allow rounding.
  return timeout >= 10 * 60_000 && timeout <= 25 * 3_600_000 ? timeout : undefined;
}
