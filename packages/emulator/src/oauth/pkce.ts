import { createHash } from "node:crypto";

export type PkceMethod = "S256" | "plain";

/**
 * Reads code_challenge_method. jsforce sends a challenge without a method, so a missing one means
 * S256, not RFC 7636's `plain`.
 */
export function pkceMethod(text: string | undefined | null): PkceMethod | undefined {
  if (!text) return "S256";
  if (text === "S256" || text === "plain") return text;
  return undefined;
}

/** No length limit on the verifier: jsforce's are about 171 characters, past RFC 7636's 128. */
export function verifierMatches(challenge: string, method: PkceMethod, verifier: string): boolean {
  const computed = method === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
  return computed === challenge;
}
