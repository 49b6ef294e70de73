import { createHmac, hash, randomBytes, timingSafeEqual } from "node:crypto";

/** A random token for links and keys: URL-safe, with a readable prefix. */
export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString("base64url")}`;
}

/** Tokens we hand out are stored as their SHA-256: a leaked database does not leak them. */
export function hashToken(token: string): string {
  // The one-shot form: no Hash object per call, which the proxy's hot path does on every request.
  return hash("sha256", token, "hex");
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function hmacSha256Hex(key: string, message: string): string {
  return createHmac("sha256", key).update(message).digest("hex");
}
