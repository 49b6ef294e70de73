import { z } from "zod";

/**
 * How deliveries are attempted and retried. Retries are pg-boss's own (the retry is scheduled in the
 * same statement that records the failure, so a crash cannot lose it), with exponential backoff and
 * jitter: the wait before retry n (1-based) is retryDelaySeconds × 2^(n-1) × (1 + random), at most
 * maxRetryDelaySeconds. The defaults give 10 attempts over about 1.4 to 2.4 hours.
 */
export const deliverySettingsSchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(50),
    /** Whole seconds: pg-boss schedules retries at second granularity. 0 retries at once. */
    retryDelaySeconds: z.number().int().min(0),
    retryBackoff: z.boolean(),
    maxRetryDelaySeconds: z.number().int().min(1),
    /** For the whole attempt: connect, send, response headers and body. */
    timeoutMs: z.number().int().min(100).max(120_000),
    batchSize: z.number().int().min(2).max(100),
    pollingIntervalSeconds: z.number().min(0.5),
  })
  .strict();

export type WebhookDeliverySettings = z.infer<typeof deliverySettingsSchema>;

export const DEFAULT_DELIVERY_SETTINGS: WebhookDeliverySettings = {
  maxAttempts: 10,
  retryDelaySeconds: 10,
  retryBackoff: true,
  maxRetryDelaySeconds: 3600,
  timeoutMs: 10_000,
  batchSize: 10,
  pollingIntervalSeconds: 1,
};

export function deliverySettings(platform: { webhookDelivery: WebhookDeliverySettings }): WebhookDeliverySettings {
  return platform.webhookDelivery ?? DEFAULT_DELIVERY_SETTINGS;
}

/**
 * Changes the delivery settings of this process. Attempts and backoff apply to deliveries emitted
 * afterwards (they travel with each job); the timeout applies to the next attempt; batch size and
 * polling apply when the worker starts.
 */
export function configureWebhookDelivery(
  platform: { webhookDelivery: WebhookDeliverySettings },
  changes: Partial<WebhookDeliverySettings>,
): WebhookDeliverySettings {
  const settings = deliverySettingsSchema.parse({ ...deliverySettings(platform), ...changes });
  platform.webhookDelivery = settings;
  return settings;
}

/** The pg-boss options every delivery job carries. */
export function jobRetryOptions(s: WebhookDeliverySettings) {
  return {
    retryLimit: s.maxAttempts - 1,
    retryDelay: s.retryDelaySeconds,
    retryBackoff: s.retryBackoff,
    ...(s.retryBackoff ? { retryDelayMax: s.maxRetryDelaySeconds } : {}),
    // A process that dies mid-attempt leaves the job active; pg-boss retries it once this passes.
    expireInSeconds: Math.ceil(s.timeoutMs / 1000) + 30,
  };
}

export type AttemptResult = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

export type DeliveryStatus = "pending" | "delivered" | "failed";

/**
 * What a finished attempt means for the delivery. `retryCount` and `retryLimit` are the job's:
 * the attempt is the last one when retryCount has reached retryLimit.
 */
export function settleAttempt(
  result: AttemptResult,
  job: { retryCount: number; retryLimit: number },
): { status: DeliveryStatus; retry: boolean } {
  if (result.ok) return { status: "delivered", retry: false };
  if (job.retryCount >= job.retryLimit) return { status: "failed", retry: false };
  return { status: "pending", retry: true };
}

/** A response's meaning: 2xx is delivered; a redirect is refused rather than followed. */
export function judgeResponse(statusCode: number, location: string | undefined): AttemptResult {
  if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode };
  if (statusCode >= 300 && statusCode < 400) {
    const where = location ? ` to ${withoutQuery(location)}` : "";
    return {
      ok: false,
      statusCode,
      error: `The endpoint redirected (HTTP ${statusCode})${where}; redirects are not followed: register the final URL.`,
    };
  }
  return { ok: false, statusCode, error: `The endpoint answered HTTP ${statusCode}; only 2xx counts as delivered.` };
}

/** Why a request failed, in words a builder can act on, without query strings (they may hold secrets). */
export function describeRequestError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.code === "UND_ERR_HEADERS_TIMEOUT" || e?.code === "UND_ERR_BODY_TIMEOUT")
    return `The endpoint did not answer within ${timeoutMs} ms.`;
  if (e?.name === "AbortError") return "The attempt was cancelled (the worker stopped or the job expired).";
  const code = e?.code ?? e?.cause?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: "Connection refused: nothing listens at that host and port.",
    ENOTFOUND: "The host name does not resolve.",
    EAI_AGAIN: "The host name could not be resolved just now (DNS).",
    ECONNRESET: "The connection was reset by the endpoint.",
    EHOSTUNREACH: "The host is unreachable.",
    ETIMEDOUT: "Connecting to the endpoint timed out.",
    UND_ERR_CONNECT_TIMEOUT: "Connecting to the endpoint timed out.",
    UND_ERR_SOCKET: "The connection closed before the endpoint answered.",
    CERT_HAS_EXPIRED: "The endpoint's TLS certificate has expired.",
    DEPTH_ZERO_SELF_SIGNED_CERT: "The endpoint's TLS certificate is self-signed.",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "The endpoint's TLS certificate chain cannot be verified.",
    ERR_TLS_CERT_ALTNAME_INVALID: "The endpoint's TLS certificate does not name this host.",
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  const message = withoutQuery(String(e?.message ?? error)).slice(0, 300);
  return code ? `${message} (${code})` : message;
}

function withoutQuery(text: string): string {
  return text.replace(/\?\S*/g, "?…");
}
