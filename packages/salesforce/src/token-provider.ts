/** What a request needs from whoever owns the token: the token and where the org lives. */
export interface AccessGrant {
  accessToken: string;
  instanceUrl: string;
}

/**
 * The seam between the API client and the token lifecycle. The client asks for the current
 * grant before each call, and after a 401 asks once for a better one than the token that was
 * rejected (which may simply be one another caller already obtained).
 */
export interface TokenProvider {
  current(): Promise<AccessGrant>;
  /**
   * current()'s grant when it needs no waiting (a known token, not due for refresh), else undefined: a hot path
   * (the proxy) then skips a promise per call. Optional; without it the client always asks current().
   */
  currentNow?(): AccessGrant | undefined;
  refreshAfterRejection(rejectedToken: string): Promise<AccessGrant>;
}

/** A token that cannot be refreshed (a script, a test): a 401 surfaces as the API error. */
export function fixedToken(grant: AccessGrant): TokenProvider {
  return {
    current: async () => grant,
    refreshAfterRejection: async () => {
      throw new Error("this access token cannot be refreshed");
    },
  };
}
