import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configureWebhookDelivery } from "../src/webhooks/delivery-policy.ts";
import { DELIVERY_DEAD_LETTER_QUEUE } from "../src/webhooks/delivery-queue.ts";
import { requeueNeverAttempted } from "../src/webhooks/delivery-worker.ts";
import { emitEvent, UnsafeEventDataError } from "../src/webhooks/emit.ts";
import { parseSignatureHeader, verifyWebhookSignature } from "../src/webhooks/signing.ts";
import { jsonApiWith } from "./support/api-client.ts";
import { FAST_DELIVERY, type ServerHarness, startHarness } from "./support/harness.ts";
import { closedPort, type ReceivedRequest, startReceiver } from "./support/receiver.ts";
import { suiteBackends } from "./support/test-database.ts";
import { waitFor } from "./support/wait.ts";

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

const connectionData = {
  connectionId: "conn_123",
  endUserId: "customer-42",
  orgId: "00D000000000001EAA",
  instanceUrl: "https://acme.my.salesforce.com",
};

describe("webhook delivery", () => {
  for (const backend of suiteBackends()) {
    describe(`on ${backend}`, () => {
      let t: ServerHarness;
      let projectB: { projectId: string; key: string };
      let a: ReturnType<typeof jsonApiWith>;
      const receivers: Array<{ close(): Promise<void> }> = [];
      const secrets: string[] = [];

      beforeAll(async () => {
        t = await startHarness({ emulator: false, backend, delivery: FAST_DELIVERY, logs: true });
        projectB = await t.addProject("B");
        a = jsonApiWith(t.server.url, t.apiKey);
      });
      beforeEach(() => {
        configureWebhookDelivery(t.server.platform, FAST_DELIVERY);
      });
      // Each test sees only its own endpoints: an endpoint left behind would receive later events.
      afterEach(async () => {
        for (const key of [t.apiKey, projectB.key]) {
          const client = jsonApiWith(t.server.url, key);
          for (const e of (await client("GET", "/v1/webhooks")).body.data)
            await client("DELETE", `/v1/webhooks/${e.id}`);
        }
      });
      afterAll(async () => {
        for (const r of receivers) await r.close();
        await t?.close();
      });

      async function receiver(reply?: Parameters<typeof startReceiver>[0]) {
        const r = await startReceiver(reply);
        receivers.push(r);
        return r;
      }
      async function endpoint(url: string, events: string[] = ["*"], client = a) {
        const res = await client("POST", "/v1/webhooks", { url, events });
        expect(res.status).toBe(201);
        secrets.push(res.body.secret);
        return res.body as { id: string; secret: string };
      }
      /** The endpoint's delivery named by its id or its event's id, once it is no longer pending. */
      async function settled(endpointId: string, ref: string): Promise<Delivery> {
        return waitFor(async () => {
          const res = await a("GET", `/v1/webhooks/${endpointId}/deliveries?limit=100`);
          const d = (res.body.data as Delivery[]).find((x) => x.id === ref || x.eventId === ref);
          return d && d.status !== "pending" ? d : undefined;
        }, `delivery ${ref} to settle`);
      }
      function verify(secret: string, r: ReceivedRequest) {
        return verifyWebhookSignature(secret, r.headers["forcelink-signature"] as string, r.body);
      }

      it("delivers a signed event to each subscribed, enabled endpoint of the project, and only those", async () => {
        const hits = await receiver();
        const wanted = await endpoint(`${hits.url}/all`, ["*"]);
        const exact = await endpoint(`${hits.url}/exact`, ["connection.created"]);
        await endpoint(`${hits.url}/other-event`, ["connection.deleted"]);
        const disabled = await endpoint(`${hits.url}/disabled`, ["*"]);
        await a("PATCH", `/v1/webhooks/${disabled.id}`, { enabled: false });
        await endpoint(`${hits.url}/other-project`, ["*"], jsonApiWith(t.server.url, projectB.key));

        const { event, deliveryIds } = await emitEvent(
          t.server.platform,
          t.projectId,
          "connection.created",
          connectionData,
        );
        expect(deliveryIds).toHaveLength(2);
        const outcomes = await Promise.all([settled(wanted.id, event.id), settled(exact.id, event.id)]);
        for (const d of outcomes) {
          expect(d).toMatchObject({
            status: "delivered",
            attempts: 1,
            lastStatusCode: 200,
            lastError: null,
            eventId: event.id,
          });
          expect(d.deliveredAt).not.toBeNull();
        }
        await new Promise((r) => setTimeout(r, 1500));
        expect(hits.received.map((r) => r.path).sort()).toEqual(["/hooks/all", "/hooks/exact"]);

        for (const r of hits.received) {
          const secret = r.path === "/hooks/all" ? wanted.secret : exact.secret;
          expect(verify(secret, r).timestamp).toBeGreaterThan(Date.now() / 1000 - 60);
          expect(() => verify(r.path === "/hooks/all" ? exact.secret : wanted.secret, r)).toThrow(
            /No signature matches/,
          );
          expect(r.method).toBe("POST");
          expect(r.headers["content-type"]).toBe("application/json");
          expect(r.headers["forcelink-event-id"]).toBe(event.id);
          expect(r.headers["forcelink-event-type"]).toBe("connection.created");
          expect(r.headers["forcelink-delivery-id"]).toMatch(/^whd_/);
          const payload = JSON.parse(r.body.toString());
          expect(Object.keys(payload)).toEqual(["id", "type", "createdAt", "projectId", "data"]);
          expect(payload).toEqual({
            id: event.id,
            type: "connection.created",
            createdAt: event.createdAt,
            projectId: t.projectId,
            data: connectionData,
          });
        }
      });

      it("retries a receiver that fails twice, and records 3 attempts when it then succeeds", async () => {
        const flaky = await receiver((n) => (n < 2 ? 503 : 200));
        const e = await endpoint(flaky.url);
        const { deliveryIds } = await emitEvent(t.server.platform, t.projectId, "connection.refresh_failed", {
          connectionId: "c",
        });
        const d = await settled(e.id, deliveryIds[0]);
        expect(d).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200, lastError: null });
        expect(flaky.received).toHaveLength(3);
        expect(flaky.received.map((r) => r.headers["forcelink-delivery-attempt"])).toEqual(["1", "2", "3"]);
        // Every attempt carries the same event, byte for byte, each freshly signed.
        expect(new Set(flaky.received.map((r) => r.body.toString())).size).toBe(1);
        for (const r of flaky.received) expect(() => verify(e.secret, r)).not.toThrow();
      });

      it("gives up after the configured attempts on a receiver that always answers 500", async () => {
        const broken = await receiver(() => 500);
        const e = await endpoint(broken.url);
        const { deliveryIds } = await emitEvent(t.server.platform, t.projectId, "connection.needs_reauth", {
          connectionId: "c",
        });
        const d = await settled(e.id, deliveryIds[0]);
        expect(d).toMatchObject({ status: "failed", attempts: 3, lastStatusCode: 500, deliveredAt: null });
        expect(d.lastError).toMatch(/answered HTTP 500/);
        await new Promise((r) => setTimeout(r, 2000));
        expect(broken.received).toHaveLength(3);
        // pg-boss hands the finished job to the dead-letter queue, which leaves a settled delivery alone.
        const dead = await t.sql("SELECT data FROM pgboss.job WHERE name = $1", [DELIVERY_DEAD_LETTER_QUEUE]);
        expect(dead.map((j) => (j.data as { deliveryId: string }).deliveryId)).toContain(deliveryIds[0]);
        expect((await settled(e.id, deliveryIds[0])).lastError).toMatch(/HTTP 500/);
      });

      it("records a receiver that is down as failed, with the connection error", async () => {
        const e = await endpoint(`http://127.0.0.1:${await closedPort()}/hooks`);
        const { deliveryIds } = await emitEvent(t.server.platform, t.projectId, "connection.deleted", {
          connectionId: "c",
        });
        const d = await settled(e.id, deliveryIds[0]);
        expect(d).toMatchObject({ status: "failed", attempts: 3, lastStatusCode: null });
        expect(d.lastError).toMatch(/Connection refused.*ECONNREFUSED/);
      });

      it("times out a receiver that does not answer", async () => {
        configureWebhookDelivery(t.server.platform, { maxAttempts: 1, timeoutMs: 500 });
        const slow = await receiver(() => ({ status: 200, delayMs: 3000 }));
        const e = await endpoint(slow.url);
        const { deliveryIds } = await emitEvent(t.server.platform, t.projectId, "connection.recovered", {
          connectionId: "c",
        });
        const d = await settled(e.id, deliveryIds[0]);
        expect(d).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: null });
        expect(d.lastError).toBe("The endpoint did not answer within 500 ms.");
      });

      it("does not follow redirects", async () => {
        configureWebhookDelivery(t.server.platform, { maxAttempts: 1 });
        const elsewhere = await receiver();
        const redirecting = await receiver(() => ({
          status: 307,
          headers: { location: `${elsewhere.url}?token=abc` },
        }));
        const e = await endpoint(redirecting.url);
        const { deliveryIds } = await emitEvent(t.server.platform, t.projectId, "connection.created", {
          connectionId: "c",
        });
        const d = await settled(e.id, deliveryIds[0]);
        expect(d).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 307 });
        expect(d.lastError).toMatch(
          /redirected \(HTTP 307\) to http:\/\/127\.0\.0\.1:\d+\/hooks\?…; redirects are not followed/,
        );
        expect(elsewhere.received).toHaveLength(0);
      });

      it("backs off exponentially between attempts", async () => {
        configureWebhookDelivery(t.server.platform, {
          maxAttempts: 3,
          retryDelaySeconds: 1,
          retryBackoff: true,
          maxRetryDelaySeconds: 60,
        });
        const flaky = await receiver((n) => (n < 2 ? 500 : 204));
        const e = await endpoint(flaky.url);
        const { deliveryIds } = await emitEvent(t.server.platform, t.projectId, "connection.created", {
          connectionId: "c",
        });
        const d = await settled(e.id, deliveryIds[0]);
        expect(d).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 204 });
        const [first, second, third] = flaky.received.map((r) => r.at);
        // pg-boss waits retryDelay × 2^(n-1) × (1 + random) before retry n.
        expect(second - first).toBeGreaterThanOrEqual(900);
        expect(third - second).toBeGreaterThanOrEqual(1900);
      });

      it("sends webhook.test to one endpoint, whatever it subscribes to", async () => {
        const hits = await receiver();
        const e = await endpoint(hits.url, ["connection.deleted"]);
        const other = await endpoint(`${hits.url}/other`, ["*"]);
        const res = await a("POST", `/v1/webhooks/${e.id}/test`);
        expect(res.status).toBe(202);
        expect(res.body).toMatchObject({ eventType: "webhook.test", status: "pending" });
        const d = await settled(e.id, res.body.deliveryId);
        expect(d).toMatchObject({ status: "delivered", eventType: "webhook.test", attempts: 1 });
        expect(hits.received).toHaveLength(1);
        verify(e.secret, hits.received[0]);
        expect(JSON.parse(hits.received[0].body.toString())).toMatchObject({
          id: res.body.eventId,
          type: "webhook.test",
          projectId: t.projectId,
          data: { endpointId: e.id },
        });
        expect((await a("GET", `/v1/webhooks/${other.id}/deliveries`)).body.data).toEqual([]);
      });

      it("signs with the old and the new secret during a rotation grace period, and with the new one alone after", async () => {
        const hits = await receiver();
        const e = await endpoint(hits.url);
        const graced = (await a("POST", `/v1/webhooks/${e.id}/rotate-secret`, { previousSecretValidSeconds: 600 }))
          .body;
        const first = await a("POST", `/v1/webhooks/${e.id}/test`);
        await settled(e.id, first.body.deliveryId);
        const during = hits.received[0];
        expect(parseSignatureHeader(during.headers["forcelink-signature"] as string)?.signatures).toHaveLength(2);
        verify(graced.secret, during);
        verify(e.secret, during);

        const immediate = (await a("POST", `/v1/webhooks/${e.id}/rotate-secret`)).body;
        const second = await a("POST", `/v1/webhooks/${e.id}/test`);
        await settled(e.id, second.body.deliveryId);
        const after = hits.received[1];
        expect(parseSignatureHeader(after.headers["forcelink-signature"] as string)?.signatures).toHaveLength(1);
        verify(immediate.secret, after);
        expect(() => verify(graced.secret, after)).toThrow();
        secrets.push(graced.secret, immediate.secret);
      });

      it("refuses event data that looks like a secret, before recording anything", async () => {
        const hits = await receiver();
        const e = await endpoint(hits.url);
        await expect(
          emitEvent(t.server.platform, t.projectId, "connection.created", {
            connectionId: "c",
            accessToken: "00Dxx!secret",
          }),
        ).rejects.toThrow(UnsafeEventDataError);
        // @ts-expect-error: not an event type
        await expect(emitEvent(t.server.platform, t.projectId, "connection.exploded", {})).rejects.toThrow(
          /WEBHOOK_EVENT_TYPES/,
        );
        expect((await a("GET", `/v1/webhooks/${e.id}/deliveries`)).body.data).toEqual([]);
      });

      it("queues again, once, a delivery recorded but never queued", async () => {
        const hits = await receiver();
        const e = await endpoint(hits.url);
        const payload = {
          id: "evt_lost1",
          type: "connection.created",
          createdAt: new Date().toISOString(),
          projectId: t.projectId,
          data: { connectionId: "c" },
        };
        await t.sql(
          `INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, event_type, payload, status, created_at)
           VALUES ('whd_lost1', $1, $2, 'evt_lost1', 'connection.created', $3::jsonb, 'pending', now() - interval '1 hour')`,
          [t.projectId, e.id, JSON.stringify(payload)],
        );
        expect(await requeueNeverAttempted(t.server.platform)).toBeGreaterThanOrEqual(1);
        await requeueNeverAttempted(t.server.platform);
        const d = await settled(e.id, "whd_lost1");
        expect(d).toMatchObject({ status: "delivered", attempts: 1, eventId: "evt_lost1" });
        await new Promise((r) => setTimeout(r, 1500));
        expect(hits.received).toHaveLength(1);
        verify(e.secret, hits.received[0]);
      });

      it("settles as failed a delivery whose last attempt never finished", async () => {
        const e = await endpoint("http://127.0.0.1:9/unused");
        await t.sql(
          `INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, event_type, payload, status, attempts)
           VALUES ('whd_dead1', $1, $2, 'evt_dead1', 'connection.created', '{}'::jsonb, 'pending', 2)`,
          [t.projectId, e.id],
        );
        await t.server.platform.boss.send(DELIVERY_DEAD_LETTER_QUEUE, { deliveryId: "whd_dead1" });
        const d = await settled(e.id, "whd_dead1");
        expect(d).toMatchObject({ status: "failed", attempts: 2 });
        expect(d.lastError).toMatch(/last attempt did not finish/);
      });

      it("keeps signing secrets out of logs, delivery rows and error text", async () => {
        expect(secrets.length).toBeGreaterThan(5);
        const logs = t.logs();
        expect(logs).toContain("webhook delivered");
        const rows = JSON.stringify(await t.sql("SELECT * FROM webhook_deliveries"));
        for (const s of secrets) {
          expect(logs).not.toContain(s);
          expect(rows).not.toContain(s);
        }
      });
    });
  }
});
