import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";
import { writeConnection } from "./support/write-connection.ts";

/**
 * The proxy's large answers: an answer too large to buffer (over 64 KiB) streams through as
 * Salesforce sends it, and callers that hang up in the middle of one leave the proxy serving (the
 * client library's own test shows the call to Salesforce ends and frees its socket).
 */

const ACCOUNTS = 2_000;
const FIELDS = "Id, Name, Type, Industry, BillingStreet, BillingCity, BillingCountry, Phone, Website, Description";
const QUERY = `/services/data/v67.0/query?q=${encodeURIComponent(`SELECT ${FIELDS} FROM Account ORDER BY Id`)}`;
/** More hung-up callers than the proxy keeps sockets to one instance (64). */
const HANG_UPS = 80;

let h: Harness;
let connectionId: string;

beforeAll(async () => {
  h = await startHarness({ accounts: ACCOUNTS });
  connectionId = await writeConnection(h);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** A proxied GET read by node:http, which ends after `firstBytes` bytes when given (the caller hangs up). */
function proxiedGet(path: string, firstBytes?: number): Promise<{ status: number; length: number; bytes: number }> {
  const url = new URL(`${h.server.url}/v1/connections/${connectionId}/proxy${path}`);
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${h.apiKey}` }, agent: false }, (res) => {
      let bytes = 0;
      const done = () => resolve({ status: res.statusCode ?? 0, length: Number(res.headers["content-length"]), bytes });
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (firstBytes !== undefined && bytes >= firstBytes) {
          req.destroy();
          done();
        }
      });
      res.on("end", done);
      res.on("error", () => undefined);
    });
    req.on("error", (e) => (firstBytes === undefined ? reject(e) : undefined));
    req.end();
  });
}

describe("a large answer through the proxy", () => {
  it("streams through whole: every byte Salesforce sent, every record", async () => {
    const res = await h.api(`/v1/connections/${connectionId}/proxy${QUERY}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBeGreaterThan(256 * 1024);
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(text));
    const page = JSON.parse(text) as { totalSize: number; done: boolean; records: Array<{ Id: string }> };
    expect([page.totalSize, page.done, page.records.length]).toEqual([ACCOUNTS, true, ACCOUNTS]);
    expect(new Set(page.records.map((r) => r.Id)).size).toBe(ACCOUNTS);
  });

  it("keeps serving when its callers hang up in the middle of answers", async () => {
    const hungUp = await Promise.all(Array.from({ length: HANG_UPS }, () => proxiedGet(QUERY, 1)));
    for (const r of hungUp) {
      expect(r.status).toBe(200);
      expect(r.bytes).toBeLessThan(r.length);
    }
    const after = await Promise.all(Array.from({ length: HANG_UPS }, () => proxiedGet(QUERY)));
    for (const r of after) expect([r.status, r.bytes]).toEqual([200, r.length]);
  }, 60_000);
});
