import { createHmac, timingSafeEqual } from "node:crypto";
import { WebhookVerificationError } from "./errors.ts";
import type { WebhookEvent } from "./types.ts";

/**
 * Checks a delivery as Forcelink signs it: `Forcelink-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<raw body>")>`, one `v1=` per secret valid during a rotation.
 */
export const SIGNATURE_HEADER = "forcelink-signature";
/** How far the signed time may be from now, either way, before a delivery counts as replayed. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  toleranceSeconds?: number;
  /** The receiver's clock (tests pass a fixed time). */
  now?: Date;
}

/**
 * Verifies a webhook delivery and answers its event. `body` is the raw request body (the exact
 * bytes received, before any JSON parsing); `headers` the request's headers (Node's or fetch's).
 * Throws WebhookVerificationError when the signature is missing or malformed, signed too long ago
 * or too far ahead (a replay, or a clock out of sync), or made with another secret.
 */
export function verifyWebhook(
  body: string | Uint8Array,
  headers: HeaderSource,
  secret: string,
  options: VerifyWebhookOptions = {},
): WebhookEvent {
  const signed = parseSignature(headerValue(headers, SIGNATURE_HEADER));
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - signed.timestamp) > tolerance)
    throw new WebhookVerificationError(
      "timestamp_outside_tolerance",
      `The delivery was signed ${now - signed.timestamp} s from now, beyond the ${tolerance} s window: a replay, or a clock out of sync.`,
    );
  const expected = createHmac("sha256", secret).update(`${signed.timestamp}.`).update(body).digest();
  let match = false;
  for (const candidate of signed.signatures) if (timingSafeEqual(expected, Buffer.from(candidate, "hex"))) match = true;
  if (!match)
    throw new WebhookVerificationError(
      "no_matching_signature",
      "No signature matches this body and secret: check the secret, and pass the raw body bytes, not re-serialized JSON.",
    );
  try {
    return JSON.parse(typeof body === "string" ? body : Buffer.from(body).toString("utf8")) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError("bad_body", "The signed body is not JSON.");
  }
}

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers))
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(",") : value;
  return undefined;
}

function parseSignature(header: string | undefined): { timestamp: number; signatures: string[] } {
  const malformed = () =>
    new WebhookVerificationError(
      "malformed_header",
      "The Forcelink-Signature header is missing or not of the form t=<unix seconds>,v1=<hex>.",
    );
  if (!header) throw malformed();
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value = ""] = part.split("=", 2).map((s) => s.trim());
    if (key === "t" && timestamp === null && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "t") throw malformed();
    else if (key === "v1" && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
    else if (key === "v1") throw malformed();
    // Other schemes (a future v2=) are skipped, so old receivers keep working.
  }
  if (timestamp === null || signatures.length === 0) throw malformed();
  return { timestamp, signatures };
}
