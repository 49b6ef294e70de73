import { type Dispatcher, request } from "undici";
import { transportFailureFrom } from "../transport-failure.ts";
import { OAuthFailure, oauthFailureFromAnswer, oauthFailureFromTransport } from "./oauth-failure.ts";

/** How OAuth calls reach Salesforce: a custom undici dispatcher (proxy, pool) and a time limit. */
export interface OAuthCallOptions {
  dispatcher?: Dispatcher;
  /** Time for the whole answer to arrive; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface OAuthAnswer {
  status: number;
  contentType: string;
  text: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * An OAuth endpoint on a Salesforce host. The base must be an http(s) origin; anything after
 * it is ignored, since a pasted URL with a path must not move the endpoint.
 */
export function oauthEndpoint(baseUrl: string, path: string): string {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new TypeError("the Salesforce base URL is not a URL");
  }
  if ((base.protocol !== "https:" && base.protocol !== "http:") || base.username || base.password)
    throw new TypeError("the Salesforce base URL must be an http(s) origin");
  return new URL(path, base.origin).toString();
}

export async function oauthCall(
  method: "GET" | "POST",
  url: string,
  init: { form?: Record<string, string | undefined>; bearer?: string },
  options: OAuthCallOptions = {},
): Promise<OAuthAnswer> {
  const headers: Record<string, string> = { accept: "application/json" };
  let body: string | undefined;
  if (init.form) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(init.form)) if (v !== undefined) form.set(k, v);
    body = form.toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  }
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const res = await request(url, {
      method,
      headers,
      body,
      dispatcher: options.dispatcher,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: options.signal,
    });
    const text = await res.body.text();
    const type = res.headers["content-type"];
    return { status: res.statusCode, contentType: (Array.isArray(type) ? type[0] : type) ?? "", text };
  } catch (error) {
    throw oauthFailureFromTransport(transportFailureFrom(error));
  }
}

/** The JSON of a 2xx answer, or the typed failure of any other. */
export function jsonOrFailure(answer: OAuthAnswer): Record<string, unknown> {
  if (answer.status < 200 || answer.status >= 300)
    throw oauthFailureFromAnswer(answer.status, answer.contentType, answer.text);
  try {
    const parsed: unknown = JSON.parse(answer.text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new OAuthFailure("invalid_response", "Salesforce's answer was not a JSON object", answer.status);
}
