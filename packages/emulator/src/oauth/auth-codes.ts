import { randomBytes } from "node:crypto";
import type { Org } from "../org/org.ts";
import type { PkceMethod } from "./pkce.ts";

/** An authorization code and everything the token exchange must check it against. */
export interface AuthCode {
  code: string;
  appId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  challenge: { value: string; method: PkceMethod } | null;
  nonce: string | null;
  issuedAt: number;
  used: boolean;
}

export type CodeRedemption = { ok: true; code: AuthCode } | { ok: false; reason: "invalid" | "expired" };

/** Single-use codes, valid for the org's code TTL, bound to the app that asked for them. */
export class AuthCodeStore {
  private readonly codes = new Map<string, AuthCode>();
  private readonly now: () => number;
  private readonly ttlSeconds: () => number;
  constructor(now: () => number, ttlSeconds: () => number) {
    this.now = now;
    this.ttlSeconds = ttlSeconds;
  }

  issue(fields: Omit<AuthCode, "code" | "issuedAt" | "used">): AuthCode {
    this.sweep();
    // 49 random bytes encode to base64 ending in "==", as real codes often do: clients must URL-encode them.
    const code: AuthCode = {
      ...fields,
      code: `aPrx${randomBytes(49).toString("base64")}`,
      issuedAt: this.now(),
      used: false,
    };
    this.codes.set(code.code, code);
    return code;
  }

  /** Uses up the code: a second exchange fails even if the first one failed a later check. */
  redeem(code: string, appId: string): CodeRedemption {
    const found = this.codes.get(code);
    if (!found || found.used || found.appId !== appId) return { ok: false, reason: "invalid" };
    found.used = true;
    if (this.now() - found.issuedAt >= this.ttlSeconds() * 1000) return { ok: false, reason: "expired" };
    return { ok: true, code: found };
  }

  /** Whether the code was issued with a PKCE challenge, without using it up. */
  peek(code: string): AuthCode | undefined {
    return this.codes.get(code);
  }

  /** Every code still remembered, to save with the org. */
  saved(): AuthCode[] {
    return [...this.codes.values()];
  }

  restore(saved: AuthCode[]): void {
    for (const c of saved) this.codes.set(c.code, c);
  }

  /** Forgets codes long past their TTL so the map does not grow without bound. */
  private sweep(): void {
    const cutoff = this.now() - Math.max(this.ttlSeconds() * 1000 * 4, 3_600_000);
    for (const [key, c] of this.codes) if (c.issuedAt < cutoff) this.codes.delete(key);
  }
}

export function authCodesOf(org: Org): AuthCodeStore {
  return org.extension(
    "oauth.authCodes",
    () =>
      new AuthCodeStore(
        () => org.clock.now(),
        () => org.settings.authCodeTtlSeconds,
      ),
  );
}
