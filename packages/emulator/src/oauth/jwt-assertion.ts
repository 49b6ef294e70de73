export const PRODUCTION_AUDIENCE = "https://login.salesforce.com";
export const SANDBOX_AUDIENCE = "https://test.salesforce.com";

/**
 * The `aud` values a JWT bearer assertion may carry: Salesforce's real login host for the org's
 * environment, or the emulator's stand-in for it, so unmodified clients work either way.
 */
export function acceptedAudiences(isSandbox: boolean, emulatorLoginUrl: string): string[] {
  return [isSandbox ? SANDBOX_AUDIENCE : PRODUCTION_AUDIENCE, emulatorLoginUrl];
}

/** `aud` may be one string or an array (RFC 7519); a trailing slash is tolerated. */
export function audienceMatches(aud: unknown, accepted: string[]): boolean {
  const values = Array.isArray(aud) ? aud : [aud];
  const wanted = new Set(accepted.map(stripSlash));
  return values.some((v) => typeof v === "string" && wanted.has(stripSlash(v)));
}

/** A missing or non-numeric `exp` counts as expired: Salesforce requires the claim. */
export function assertionExpired(exp: unknown, nowMs: number): boolean {
  return typeof exp !== "number" || exp * 1000 <= nowMs;
}

function stripSlash(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}
