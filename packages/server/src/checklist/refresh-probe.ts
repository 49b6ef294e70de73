import { introspectToken } from "@forcelink/salesforce";

export interface RefreshProbeInput {
  /** Where the connection's org answers OAuth calls (its instance or My Domain). */
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * Asks Salesforce, as the app, whether the connection's refresh token can still be redeemed:
 * introspection answers `active: false` for a token the app's policy has already expired (the
 * "expire immediately" policy reads like "valid until revoked" everywhere else).
 *
 * It only looks: unlike a test refresh, it neither goes around the token lifecycle's lease nor
 * rotates the token, and it does not count against the org's daily API quota.
 */
export function refreshTokenProbe(input: RefreshProbeInput): () => Promise<void> {
  return async () => {
    const answer = await introspectToken({
      baseUrl: input.instanceUrl,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      token: input.refreshToken,
      tokenTypeHint: "refresh_token",
    });
    if (!answer.active) {
      throw Object.assign(new Error("Salesforce reports the connection's refresh token as no longer usable"), {
        code: "refresh_token_inactive",
        checklistItem: "refresh-token-policy",
      });
    }
  };
}

export interface AccessProbeInput {
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  /** The connection's access token as it is now (the run may have renewed it). */
  accessToken: () => Promise<string>;
}

/**
 * Asks Salesforce, as the app, when the connection's access token expires: the answer's `exp`
 * is what the token lifecycle renews by; without it Forcelink assumes a two-hour session.
 */
export function accessTokenProbe(input: AccessProbeInput): () => Promise<{ expiresAt: number | null }> {
  return async () => {
    const answer = await introspectToken({
      baseUrl: input.instanceUrl,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      token: await input.accessToken(),
      tokenTypeHint: "access_token",
    });
    return { expiresAt: answer.active && answer.expiresAt !== undefined ? answer.expiresAt : null };
  };
}
