import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonApiWith } from "./support/api-client.ts";
import { FAST_DELIVERY, type ServerHarness, startHarness } from "./support/harness.ts";
import { suiteBackends } from "./support/test-database.ts";

describe("webhooks API", () => {
  for (const backend of suiteBackends()) {
    describe(`on ${backend}`, () => {
      let t: ServerHarness;
      let projectB: { projectId: string; key: string };
      let a: ReturnType<typeof jsonApiWith>;
      let b: ReturnType<typeof jsonApiWith>;
      beforeAll(async () => {
        t = await startHarness({ emulator: false, backend, delivery: FAST_DELIVERY, logs: true });
        projectB = await t.addProject("B");
        a = jsonApiWith(t.server.url, t.apiKey);
        b = jsonApiWith(t.server.url, projectB.key);
      });
      afterAll(async () => {
        await t?.close();
      });

      it("registers an endpoint and shows its secret once, sealed at rest and absent from logs", async () => {
        const created = await a("POST", "/v1/webhooks", {
          url: "https://example.com/hooks",
          events: ["connection.created", "connection.deleted"],
          description: "CRM sync",
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          url: "https://example.com/hooks",
          events: ["connection.created", "connection.deleted"],
          description: "CRM sync",
          enabled: true,
          previousSecretExpiresAt: null,
        });
        expect(created.body.id).toMatch(/^wh_/);
        expect(created.body.secret).toMatch(/^whsec_/);

        const got = await a("GET", `/v1/webhooks/${created.body.id}`);
        expect(got.status).toBe(200);
        expect(got.body).not.toHaveProperty("secret");
        expect(got.body).toMatchObject({ id: created.body.id, url: "https://example.com/hooks" });
        const list = await a("GET", "/v1/webhooks");
        expect(list.body.data.map((e: { id: string }) => e.id)).toContain(created.body.id);
        expect(JSON.stringify(list.body)).not.toContain("whsec_");

        const [row] = await t.sql("SELECT * FROM webhook_endpoints WHERE id = $1", [created.body.id]);
        expect(JSON.stringify(row)).not.toContain(created.body.secret);
        expect(String(row.secret_sealed)).toMatch(/^v1\./);
        expect(t.server.platform.sealer.open(String(row.secret_sealed))).toBe(created.body.secret);
        expect(t.logs()).not.toContain(created.body.secret);
      });

      it("stores ['*'] for all events and collapses duplicates", async () => {
        const all = await a("POST", "/v1/webhooks", {
          url: "https://example.com/all",
          events: ["connection.created", "*"],
        });
        expect(all.body.events).toEqual(["*"]);
        const dup = await a("POST", "/v1/webhooks", {
          url: "https://example.com/dup",
          events: ["connection.created", "connection.created"],
        });
        expect(dup.body.events).toEqual(["connection.created"]);
      });

      it.each<[string, unknown, RegExp, string]>([
        ["an ftp URL", { url: "ftp://example.com/x", events: ["*"] }, /must use https \(or http\); 'ftp'/, "body.url"],
        ["a relative URL", { url: "/hooks", events: ["*"] }, /absolute URL/, "body.url"],
        [
          "credentials in the URL",
          { url: "https://u:p@example.com/", events: ["*"] },
          /user name or password/,
          "body.url",
        ],
        ["no URL", { events: ["*"] }, /body\.url/, "body.url"],
        [
          "an unknown event",
          { url: "https://example.com/", events: ["connection.exploded"] },
          /body\.events\.0/,
          "body.events.0",
        ],
        ["no events", { url: "https://example.com/", events: [] }, /body\.events/, "body.events"],
        ["events not a list", { url: "https://example.com/", events: "*" }, /body\.events/, "body.events"],
        ["an unknown field", { url: "https://example.com/", events: ["*"], secret: "mine" }, /secret/, "body"],
      ])("refuses %s with 400 naming the field", async (_name, body, message, where) => {
        const res = await a("POST", "/v1/webhooks", body);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe("invalid_request");
        expect(res.body.error.message).toMatch(message);
        expect(res.body.error.details.map((d: { where: string }) => d.where)).toContain(where);
      });

      it("refuses a body that is not JSON in the one error shape", async () => {
        const res = await fetch(`${t.server.url}/v1/webhooks`, {
          method: "POST",
          headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
          body: "{not json",
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
      });

      it("needs an API key", async () => {
        const res = await fetch(`${t.server.url}/v1/webhooks`);
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
      });

      it("changes URL, events, description and enabled; refuses bad changes", async () => {
        const { body: e } = await a("POST", "/v1/webhooks", { url: "https://example.com/a", events: ["*"] });
        const patched = await a("PATCH", `/v1/webhooks/${e.id}`, {
          url: "http://127.0.0.1:9/b",
          events: ["connection.needs_reauth"],
          enabled: false,
          description: "paused",
        });
        expect(patched.status).toBe(200);
        expect(patched.body).toMatchObject({
          url: "http://127.0.0.1:9/b",
          events: ["connection.needs_reauth"],
          enabled: false,
          description: "paused",
        });
        expect(new Date(patched.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(e.updatedAt).getTime());
        expect((await a("PATCH", `/v1/webhooks/${e.id}`, { description: null })).body.description).toBeNull();
        const bad = await a("PATCH", `/v1/webhooks/${e.id}`, { url: "gopher://x" });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].where).toBe("body.url");
        expect((await a("PATCH", `/v1/webhooks/${e.id}`, { enabled: "yes" })).body.error.details[0].where).toBe(
          "body.enabled",
        );
      });

      it("rotates the secret: new one shown once, old one kept only for the grace asked", async () => {
        const { body: e } = await a("POST", "/v1/webhooks", { url: "https://example.com/r", events: ["*"] });
        const rotated = await a("POST", `/v1/webhooks/${e.id}/rotate-secret`);
        expect(rotated.status).toBe(200);
        expect(rotated.body.secret).toMatch(/^whsec_/);
        expect(rotated.body.secret).not.toBe(e.secret);
        expect(rotated.body.previousSecretExpiresAt).toBeNull();
        const graced = await a("POST", `/v1/webhooks/${e.id}/rotate-secret`, { previousSecretValidSeconds: 3600 });
        expect(graced.status).toBe(200);
        const expires = new Date(graced.body.previousSecretExpiresAt).getTime();
        expect(expires).toBeGreaterThan(Date.now() + 3500_000);
        expect(expires).toBeLessThan(Date.now() + 3700_000);
        const [row] = await t.sql("SELECT secret_sealed, previous_secret_sealed FROM webhook_endpoints WHERE id = $1", [
          e.id,
        ]);
        expect(t.server.platform.sealer.open(String(row.secret_sealed))).toBe(graced.body.secret);
        expect(t.server.platform.sealer.open(String(row.previous_secret_sealed))).toBe(rotated.body.secret);
        const tooLong = await a("POST", `/v1/webhooks/${e.id}/rotate-secret`, {
          previousSecretValidSeconds: 99_999_999,
        });
        expect(tooLong.status).toBe(400);
        expect(tooLong.body.error.details[0].where).toBe("body.previousSecretValidSeconds");
      });

      it("deletes an endpoint, then answers 404", async () => {
        const { body: e } = await a("POST", "/v1/webhooks", { url: "https://example.com/d", events: ["*"] });
        expect((await a("DELETE", `/v1/webhooks/${e.id}`)).status).toBe(204);
        const again = await a("DELETE", `/v1/webhooks/${e.id}`);
        expect(again.status).toBe(404);
        expect(again.body.error).toMatchObject({
          code: "not_found",
          message: `No webhook with id '${e.id}' in this project.`,
        });
        expect(again.body.error.remedy).toContain("GET /v1/webhooks");
      });

      it("lists deliveries newest first, filtered by status, with limit", async () => {
        const { body: e } = await a("POST", "/v1/webhooks", {
          url: "http://127.0.0.1:9/never",
          events: ["*"],
          description: "x",
        });
        // Deliveries recorded as the worker would leave them; the delivery suite covers the worker.
        for (const [i, status] of ["failed", "delivered", "pending"].entries()) {
          await t.sql(
            `INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, event_type, payload, status, attempts, last_status_code, last_error, created_at)
             VALUES ($1, $2, $3, $4, 'connection.created', '{}'::jsonb, $5, $6, $7, $8, now() + ($9 || ' seconds')::interval)`,
            [
              `whd_list${i}`,
              t.projectId,
              e.id,
              `evt_list${i}`,
              status,
              i + 1,
              status === "failed" ? 500 : 200,
              status === "failed" ? "HTTP 500" : null,
              String(i),
            ],
          );
        }
        const all = await a("GET", `/v1/webhooks/${e.id}/deliveries`);
        expect(all.status).toBe(200);
        expect(all.body.data.map((d: { id: string }) => d.id)).toEqual(["whd_list2", "whd_list1", "whd_list0"]);
        expect(all.body.data[2]).toMatchObject({
          endpointId: e.id,
          eventId: "evt_list0",
          eventType: "connection.created",
          status: "failed",
          attempts: 1,
          lastStatusCode: 500,
          lastError: "HTTP 500",
          deliveredAt: null,
        });
        expect(all.body.data[2]).not.toHaveProperty("payload");
        const failed = await a("GET", `/v1/webhooks/${e.id}/deliveries?status=failed`);
        expect(failed.body.data.map((d: { id: string }) => d.id)).toEqual(["whd_list0"]);
        const one = await a("GET", `/v1/webhooks/${e.id}/deliveries?limit=1`);
        expect(one.body.data.map((d: { id: string }) => d.id)).toEqual(["whd_list2"]);
        const bad = await a("GET", `/v1/webhooks/${e.id}/deliveries?status=lost&limit=0`);
        expect(bad.status).toBe(400);
        expect(bad.body.error.details.map((d: { where: string }) => d.where).sort()).toEqual([
          "querystring.limit",
          "querystring.status",
        ]);
      });

      it("keeps projects apart: another project's endpoints and deliveries are 404 and never listed", async () => {
        const { body: mine } = await a("POST", "/v1/webhooks", { url: "https://example.com/mine", events: ["*"] });
        const { body: theirs } = await b("POST", "/v1/webhooks", { url: "https://example.com/theirs", events: ["*"] });
        expect((await b("GET", "/v1/webhooks")).body.data.map((e: { id: string }) => e.id)).toEqual([theirs.id]);
        expect((await a("GET", "/v1/webhooks")).body.data.map((e: { id: string }) => e.id)).not.toContain(theirs.id);
        for (const [method, path, body] of [
          ["GET", `/v1/webhooks/${mine.id}`, undefined],
          ["PATCH", `/v1/webhooks/${mine.id}`, { enabled: false }],
          ["DELETE", `/v1/webhooks/${mine.id}`, undefined],
          ["POST", `/v1/webhooks/${mine.id}/rotate-secret`, undefined],
          ["GET", `/v1/webhooks/${mine.id}/deliveries`, undefined],
          ["POST", `/v1/webhooks/${mine.id}/test`, undefined],
        ] as const) {
          const res = await b(method, path, body);
          expect(res.status, `${method} ${path}`).toBe(404);
          expect(res.body.error.code).toBe("not_found");
        }
        // Untouched by the other project's attempts.
        expect((await a("GET", `/v1/webhooks/${mine.id}`)).body).toMatchObject({ enabled: true });
        for (const path of ["/v1/webhooks/wh_nope", "/v1/webhooks/wh_nope/deliveries"]) {
          expect((await a("GET", path)).status).toBe(404);
        }
      });

      it("describes the routes in the OpenAPI document", async () => {
        const doc = (await (await fetch(`${t.server.url}/v1/openapi.json`)).json()) as {
          paths: Record<string, unknown>;
        };
        expect(Object.keys(doc.paths)).toEqual(
          expect.arrayContaining([
            "/v1/webhooks",
            "/v1/webhooks/{id}",
            "/v1/webhooks/{id}/rotate-secret",
            "/v1/webhooks/{id}/deliveries",
            "/v1/webhooks/{id}/test",
          ]),
        );
      });
    });
  }
});
