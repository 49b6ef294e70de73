import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures, Stripe-style, so receivers can reuse what they know:
 * `Forcelink-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The HMAC key is the whole secret string as shown (`whsec_…`), UTF-8. Signing the timestamp
 * with the body lets receivers refuse old deliveries replayed by someone who captured one.
 * During a secret rotation grace period the header carries one `v1=` per valid secret.
 */

export const SIGNATURE_HEADER = "Forcelink-Signature";
export const EVENT_ID_HEADER = "Forcelink-Event-Id";
export const EVENT_TYPE_HEADER = "Forcelink-Event-Type";
export const DELIVERY_ID_HEADER = "Forcelink-Delivery-Id";

export const SECRET_PREFIX = "whsec_";
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function computeSignature(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
}

/** The header value for a body sent at `timestamp` (unix seconds), signed with every secret given. */
export function signatureHeader(secrets: readonly string[], timestamp: number, rawBody: string | Uint8Array): string {
  if (secrets.length === 0) throw new Error("signing needs at least one secret");
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${computeSignature(s, timestamp, rawBody)}`)].join(",");
}

export type SignatureFailure = "malformed_header" | "timestamp_outside_tolerance" | "no_matching_signature";

export class WebhookSignatureError extends Error {
  readonly reason: SignatureFailure;
  constructor(reason: SignatureFailure, message: string) {
    super(message);
    this.name = "WebhookSignatureError";
    this.reason = reason;
  }
}

export interface VerifyOptions {
  /** How far the signed timestamp may be from now, either way (replay protection). Default 300. */
  toleranceSeconds?: number;
  /** The receiver's clock; tests pass a fixed time. */
  now?: Date;
}

/**
 * For receivers: checks a `Forcelink-Signature` header against the raw request body (the exact
 * bytes received, before any JSON parsing). Returns the signed timestamp; throws
 * WebhookSignatureError when the header is malformed, too old or too new, or no signature matches.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  options: VerifyOptions = {},
): { timestamp: number } {
  const parsed = parseSignatureHeader(header);
  if (!parsed)
    throw new WebhookSignatureError(
      "malformed_header",
      `The ${SIGNATURE_HEADER} header is missing or not of the form t=<unix seconds>,v1=<hex>.`,
    );
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - parsed.timestamp) > tolerance)
    throw new WebhookSignatureError(
      "timestamp_outside_tolerance",
      `The signature's timestamp is ${now - parsed.timestamp} s from now, beyond the ${tolerance} s tolerance: a replay, or a clock out of sync.`,
    );
  const expected = Buffer.from(computeSignature(secret, parsed.timestamp, rawBody), "hex");
  // Compare against every candidate without stopping early, in constant time each.
  let match = false;
  for (const candidate of parsed.signatures) {
    if (timingSafeEqual(expected, Buffer.from(candidate, "hex"))) match = true;
  }
  if (!match)
    throw new WebhookSignatureError(
      "no_matching_signature",
      "No signature matches this body and secret: check the secret, and sign the raw body bytes, not re-serialized JSON.",
    );
  return { timestamp: parsed.timestamp };
}

/** `t=…,v1=…[,v1=…]`; unknown schemes are ignored so a future `v2=` does not break old receivers. */
export function parseSignatureHeader(
  header: string | null | undefined,
): { timestamp: number; signatures: string[] } | null {
  if (!header) return null;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === "v1") {
      if (!/^[0-9a-f]{64}$/.test(value)) return null;
      signatures.push(value);
    }
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}
