import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "v1";

/**
 * Seals secrets at the store boundary with AES-256-GCM. A sealed value names the key it was sealed
 * with (a short fingerprint), so rotation can tell old from new and a wrong key fails loudly.
 * Format: `v1.<key id>.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class Sealer {
  readonly keyId: string;
  private readonly key: Buffer;
  private readonly previous: Map<string, Buffer>;

  constructor(key: Buffer, previousKeys: Buffer[] = []) {
    if (key.length !== 32) throw new SealingError("the secret key must be 32 bytes");
    this.key = key;
    this.keyId = keyIdOf(key);
    this.previous = new Map(previousKeys.map((k) => [keyIdOf(k), k]));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${this.keyId}`));
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [
      VERSION,
      this.keyId,
      iv.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
      ct.toString("base64url"),
    ].join(".");
  }

  open(sealed: string): string {
    const parts = sealed.split(".");
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SealingError("not a sealed value");
    const [version, keyId, iv, tag, ct] = parts;
    const key = keyId === this.keyId ? this.key : this.previous.get(keyId);
    if (!key)
      throw new SealingError(
        `sealed with key ${keyId}, which is not the configured key; was FORCELINK_SECRET_KEY changed without running 'forcelink keys rotate-secret'?`,
      );
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(`${version}.${keyId}`));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SealingError("a sealed value failed its integrity check: wrong key or tampered data");
    }
  }

  sealedWithCurrentKey(sealed: string): boolean {
    return sealed.split(".")[1] === this.keyId;
  }
}

export class SealingError extends Error {}

function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 8);
}

/** Reads a 32-byte key given as base64, base64url or hex. */
export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const candidates = [
    /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : undefined,
    Buffer.from(trimmed, "base64"),
  ];
  const key = candidates.find((k) => k && k.length === 32);
  if (!key)
    throw new SealingError("FORCELINK_SECRET_KEY must be 32 random bytes, base64 or hex (openssl rand -base64 32)");
  return key;
}

export function generateKey(): Buffer {
  return randomBytes(32);
}
