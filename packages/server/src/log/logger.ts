import pino, { type Logger } from "pino";

/** Paths pino blanks out wherever they appear: no token or secret reaches a log line. */
export const REDACTED_PATHS = [
  "accessToken",
  "refreshToken",
  "clientSecret",
  "secret",
  "password",
  "privateKey",
  "apiKey",
  "token",
  "code",
  "code_verifier",
  "*.accessToken",
  "*.refreshToken",
  "*.clientSecret",
  "*.secret",
  "*.password",
  "*.privateKey",
  "*.apiKey",
  "*.token",
  "*.access_token",
  "*.refresh_token",
  "*.client_secret",
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { pid: process.pid },
      serializers: {
        err: (err: Error) => withoutQueryParameters(pino.stdSerializers.err(err)),
        req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }),
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}

/** Connect links (and their "Check again" forms) carry a secret in their path and OAuth callbacks in their query: log neither. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  const path = (q < 0 ? url : url.slice(0, q)).replace(/^\/connect\/(checklist\/)?[^/]+/, "/connect/$1[redacted]");
  return q < 0 ? path : `${path}?[redacted]`;
}

/**
 * A failed query's error carries the query's parameters (its `params`, and a `params:` line in its
 * message): what callers sent, ids, hashes, sealed values. The log keeps the query and the cause only.
 */
export function withoutQueryParameters<T extends { message?: string; stack?: string }>(err: T): T {
  if (!err || typeof err !== "object" || !("params" in err)) return err;
  const { params: _params, ...rest } = err as T & { params: unknown };
  const scrub = (text?: string) => text?.replace(/\nparams: .*/g, "\nparams: [redacted]");
  return { ...rest, message: scrub(err.message), stack: scrub(err.stack) } as unknown as T;
}

export type { Logger };
