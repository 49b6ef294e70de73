import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import type { Api } from "./api-client.ts";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  body: Buffer;
  at: number;
  /** What the receiver answered. */
  status: number;
}

/** A webhook event as Forcelink sends it. */
export interface ReceivedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export type Reply = number | { status: number; headers?: Record<string, string>; delayMs?: number };

/**
 * A webhook receiver on 127.0.0.1: keeps every request as received and every JSON body as an
 * event, and answers what `reply` says for the n-th request (0-based).
 */
export async function startReceiver(reply: (n: number, req: Omit<ReceivedRequest, "status">) => Reply = () => 200) {
  const received: ReceivedRequest[] = [];
  const events: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      const answer = reply(received.length, r);
      const { status, headers, delayMs } = typeof answer === "number" ? { status: answer } : answer;
      received.push({ ...r, status });
      try {
        events.push(JSON.parse(r.body.toString("utf8")) as ReceivedEvent);
      } catch {
        // not an event: kept in `received` only
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(status, headers);
        res.end("ok");
      };
      if (delayMs) setTimeout(send, delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    events,
    /** The events of one type, for one connection when given. */
    ofType: (type: string, connectionId?: string) =>
      events.filter((e) => e.type === type && (connectionId === undefined || e.data.connectionId === connectionId)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Registers `url` for every event on the project behind `h.api`; answers the endpoint's id. */
export async function registerWebhook(h: { api: Api }, url: string): Promise<string> {
  const res = await h.api("/v1/webhooks", { method: "POST", body: { url, events: ["*"] } });
  const body = (await res.json()) as { id: string };
  expect(res.status).toBe(201);
  return body.id;
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
