/** Scopes that make Salesforce issue a refresh token. */
const REFRESH_SCOPES = ["refresh_token", "offline_access"];

/** Splits a space-separated scope parameter, dropping repeats. */
export function parseScopes(text: string | undefined | null): string[] {
  if (!text) return [];
  return [...new Set(text.split(/\s+/).filter((s) => s !== ""))];
}

/**
 * The scopes a request ends up with: none asked means everything the app is configured for;
 * otherwise what was asked and the app allows. Salesforce quietly drops the rest: an app whose
 * selected scopes lack refresh_token still signs the user in, without a refresh token.
 */
export function effectiveScopes(requested: string[], appScopes: string[]): string[] | undefined {
  if (requested.length === 0) return [...appScopes];
  const granted = requested.filter((s) => appScopes.includes(s));
  return granted.length > 0 ? granted : undefined;
}

export function grantsRefreshToken(scopes: string[]): boolean {
  return scopes.some((s) => REFRESH_SCOPES.includes(s));
}

/** Whether an earlier approval already covers every scope asked now. */
export function approvalCovers(approved: ReadonlySet<string> | undefined, requested: string[]): boolean {
  return approved !== undefined && requested.every((s) => approved.has(s));
}
