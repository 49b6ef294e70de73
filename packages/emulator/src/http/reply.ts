import type { Readable } from "node:stream";

/** What a route handler answers; the server writes it and adds the common headers. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON with Salesforce's content type. */
  json?: unknown;
  /** Sent as is; set content-type in headers. */
  body?: string | Buffer;
  stream?: Readable;
}

export const json = (json: unknown, status = 200, headers?: Record<string, string>): Reply => ({
  status,
  json,
  headers,
});
export const empty = (status = 204, headers?: Record<string, string>): Reply => ({ status, headers });
export const html = (body: string, status = 200, headers?: Record<string, string>): Reply => ({
  status,
  body,
  headers: { "content-type": "text/html; charset=utf-8", ...headers },
});
export const redirect = (location: string): Reply => ({ status: 302, headers: { location } });
export const csv = (body: string, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  headers: { "content-type": "text/csv", ...headers },
});
