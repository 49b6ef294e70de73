import SwaggerParser from "@apidevtools/swagger-parser";
import type { FastifyInstance, RouteOptions } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpApp, OPENAPI_PATH, registeredRoutes } from "../src/http/app.ts";
import { createLogger } from "../src/log/logger.ts";
import { WEBHOOK_EVENT_TYPES } from "../src/webhooks/event-types.ts";
import { type ServerHarness, startHarness } from "./support/harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
type Json = any;

/**
 * Routes that may stay out of the document with `hide`: pages and files (connect pages, the
 * console, scripts, schemas) and the document itself. Every other `/v1` route is the API.
 */
const mayHide = (url: string) => !url.startsWith("/v1/") || url === "/v1/openapi.json";

/** `/v1/connections/:id` as the document spells it. */
const documentPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** The 2xx statuses a handler names in `reply.status(…)`: what it sends, read from its code. */
function statusesSent(route: RouteOptions): number[] {
  const source = String(route.handler);
  const found = new Set<number>();
  for (const call of source.matchAll(/\.status\(([^)]*)\)/g))
    for (const n of call[1].matchAll(/\b(2\d\d)\b/g)) found.add(Number(n[1]));
  return [...found].sort();
}

/** Every way a registered route can be missing from the document or undocumented there. */
function undocumented(routes: readonly RouteOptions[], doc: Json): string[] {
  const problems: string[] = [];
  for (const route of routes) {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== "HEAD");
    for (const method of methods) {
      const name = `${method} ${route.url}`;
      if ((route.schema as { hide?: boolean } | undefined)?.hide) {
        if (!mayHide(route.url)) problems.push(`${name} is hidden from the document`);
        continue;
      }
      const operation = doc.paths?.[documentPath(route.url)]?.[method.toLowerCase()];
      if (!operation) {
        problems.push(`${name} is missing from the document`);
        continue;
      }
      const documented = Object.keys(operation.responses ?? {})
        .filter((s) => /^2\d\d$/.test(s))
        .map(Number)
        .sort();
      if (documented.length === 0) problems.push(`${name} documents no success response`);
      for (const status of documented) {
        const response = operation.responses[String(status)];
        if (status !== 204 && !response.content?.["application/json"]?.schema)
          problems.push(`${name} documents ${status} without a response schema`);
        if (status === 204 && response.content) problems.push(`${name} documents a body for 204`);
      }
      const sent = statusesSent(route);
      const expected = sent.length > 0 ? sent : [200];
      for (const status of expected)
        if (!documented.includes(status)) problems.push(`${name} sends ${status}, documented ${documented.join(",")}`);
      if (sent.length > 0)
        for (const status of documented)
          if (!sent.includes(status)) problems.push(`${name} documents ${status} but never sends it`);
      if (operation.responses["4XX"]?.content?.["application/json"]?.schema?.$ref !== "#/components/schemas/Error")
        problems.push(`${name} does not document its errors with the Error component`);
    }
  }
  return problems;
}

describe("the OpenAPI document", () => {
  let h: ServerHarness;
  let doc: Json;

  beforeAll(async () => {
    h = await startHarness({ emulator: false });
    const res = await fetch(`${h.server.url}${OPENAPI_PATH}`);
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(() => h?.close());

  it("documents every registered route: its response schemas and the statuses it sends", () => {
    const routes = registeredRoutes(h.server.app);
    expect(routes.filter((r) => r.url.startsWith("/v1/")).length).toBeGreaterThan(35);
    expect(undocumented(routes, doc)).toEqual([]);
  });

  it("passes an independent OpenAPI 3.1 validator", async () => {
    expect(doc.openapi).toBe("3.1.0");
    // The validator dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it("has one error component that every operation answers its failures with", () => {
    const error = doc.components.schemas.Error;
    expect(error.properties.error.required).toEqual(["code", "message"]);
    expect(Object.keys(error.properties.error.properties)).toEqual(["code", "message", "remedy", "check", "details"]);
  });

  it("documents the real status codes where routes answer 201, 202 or 204", () => {
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    expect(statuses("/v1/connect-sessions", "post")).toContain("201");
    expect(statuses("/v1/connections/{id}/syncs/{object}", "post")).toEqual(expect.arrayContaining(["200", "202"]));
    expect(statuses("/v1/api-keys/{id}", "delete")).toContain("204");
    expect(statuses("/v1/api-keys/{id}", "delete")).not.toContain("200");
  });

  it("describes the manifest upload's body and the proxy", () => {
    const upload = doc.paths["/v1/integrations"].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(
      expect.arrayContaining(["application/yaml", "application/json"]),
    );
    expect(upload.requestBody.content["application/json"].schema.properties.objects).toBeDefined();
    const proxy = doc.paths["/v1/connections/{id}/proxy/{path}"];
    expect(Object.keys(proxy)).toEqual(["get", "post", "put", "patch", "delete"]);
  });

  it("describes every webhook event's payload under `webhooks`", () => {
    const types = [...Object.keys(WEBHOOK_EVENT_TYPES), "webhook.test"];
    expect(Object.keys(doc.webhooks).sort()).toEqual(types.sort());
    for (const type of types) {
      const body = doc.webhooks[type].post.requestBody.content["application/json"].schema;
      expect(body.properties.type.const).toBe(type);
      expect(body.properties.data.type).toBe("object");
    }
    const synced = doc.webhooks["sync.completed"].post.requestBody.content["application/json"].schema;
    expect(synced.properties.data.properties.run.properties.counts).toBeDefined();
  });
});

describe("the document check itself", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await createHttpApp(createLogger("silent"), { publicUrl: "http://127.0.0.1", version: "0" });
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get("/v1/undescribed", async () => ({ ok: true }));
    r.post("/v1/created", { schema: { response: { 200: z.object({ id: z.string() }) } } }, async (_req, reply) =>
      // @ts-expect-error: the route sends a status its schema does not document, which the check must catch
      reply.status(201).send({ id: "x" }),
    );
    r.get("/v1/hidden", { schema: { hide: true } }, async () => ({}));
    await app.ready();
  });
  afterAll(() => app?.close());

  it("fails for a route without a response schema, a status documented wrong, and a hidden API route", async () => {
    const doc = app.swagger() as Json;
    const problems = undocumented(registeredRoutes(app), doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        "GET /v1/undescribed documents 200 without a response schema",
        "POST /v1/created sends 201, documented 200",
        "POST /v1/created documents 200 but never sends it",
        "GET /v1/hidden is hidden from the document",
      ]),
    );
  });
});
