import { createHash, randomBytes } from "node:crypto";

export interface PkcePair {
  /** Kept server-side until the token exchange; never put in a URL. */
  verifier: string;
  /** base64url(SHA-256(verifier)), sent on the authorize URL. */
  challenge: string;
  method: "S256";
}

/** 64 random bytes give an 86-character verifier: inside RFC 7636's 43–128. */
export function createPkcePair(random: (size: number) => Buffer = randomBytes): PkcePair {
  const verifier = random(64).toString("base64url");
  return { verifier, challenge: pkceChallenge(verifier), method: "S256" };
}

export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}
