import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { noContent } from "../http/app.ts";
import { notFound } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { DELIVERY_STATUSES, listDeliveries } from "./delivery-store.ts";
import { redeliver, sendTestEvent } from "./emit.ts";
import {
  createEndpoint,
  deleteEndpoint,
  endpointUrlProblem,
  getEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
} from "./endpoints.ts";
import { ALL_EVENTS, TEST_EVENT_TYPE, webhookEventTypes } from "./event-types.ts";

const tags = ["webhooks"];

const url = z
  .string()
  .describe("Where deliveries are POSTed: an http or https URL")
  .superRefine((value, ctx) => {
    const problem = endpointUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
const events = z
  .array(z.enum([...webhookEventTypes, ALL_EVENTS]))
  .min(1)
  .describe(`Event types to receive, or ["${ALL_EVENTS}"] for all of them, including future ones`);
const description = z.string().max(500);

const endpointView = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  previousSecretExpiresAt: z
    .date()
    .nullable()
    .describe("After a rotation with a grace period: until when the old secret still signs"),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const withSecret = endpointView.extend({
  secret: z.string().describe("The signing secret (whsec_…). Shown once: store it now."),
});
const deliveryView = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  lastAttemptAt: z.date().nullable(),
  deliveredAt: z.date().nullable(),
  updatedAt: z.date(),
});
const params = z.object({ id: z.string() });

/** `/v1/webhooks`: endpoints of the key's project, their secrets and their deliveries. */
export function registerWebhookRoutes(app: FastifyInstance, platform: Platform): void {
  registerEndpointRoutes(app, platform);
  registerSecretRotationRoute(app, platform);
  registerDeliveryRoutes(app, platform);
  registerRedeliveryRoute(app, platform);
}

/** Register, list, read, change and delete endpoints. */
function registerEndpointRoutes(app: FastifyInstance, platform: Platform): void {
  const { db, sealer } = platform;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/webhooks",
    {
      schema: {
        tags,
        summary: "Register a webhook endpoint",
        body: z.object({ url, events, description: description.optional() }).strict(),
        response: { 201: withSecret },
      },
    },
    async (req, reply) => {
      const created = await createEndpoint(db, sealer, req.projectId, req.body);
      return reply.status(201).send({ ...created.endpoint, secret: created.secret });
    },
  );

  r.get(
    "/webhooks",
    {
      schema: { tags, summary: "List webhook endpoints", response: { 200: z.object({ data: z.array(endpointView) }) } },
    },
    async (req) => ({ data: await listEndpoints(db, req.projectId) }),
  );

  r.get(
    "/webhooks/:id",
    { schema: { tags, summary: "A webhook endpoint", params, response: { 200: endpointView } } },
    async (req) => {
      const endpoint = await getEndpoint(db, req.projectId, req.params.id);
      if (!endpoint) throw notFound("webhook", req.params.id);
      return endpoint;
    },
  );

  r.patch(
    "/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Change a webhook endpoint's URL, events, description, or turn it on or off",
        params,
        body: z.object({ url, events, enabled: z.boolean(), description: description.nullable() }).partial().strict(),
        response: { 200: endpointView },
      },
    },
    async (req) => {
      const endpoint = await updateEndpoint(db, req.projectId, req.params.id, req.body, platform.clock.now());
      if (!endpoint) throw notFound("webhook", req.params.id);
      return endpoint;
    },
  );

  r.delete(
    "/webhooks/:id",
    { schema: { tags, summary: "Delete a webhook endpoint", params, response: { 204: noContent } } },
    async (req, reply) => {
      if (!(await deleteEndpoint(db, req.projectId, req.params.id))) throw notFound("webhook", req.params.id);
      return reply.status(204).send(null);
    },
  );
}

function registerSecretRotationRoute(app: FastifyInstance, platform: Platform): void {
  const { db, sealer } = platform;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/webhooks/:id/rotate-secret",
    {
      schema: {
        tags,
        summary: "Replace the signing secret (the new one is shown once)",
        params,
        body: z
          .object({
            previousSecretValidSeconds: z
              .number()
              .int()
              .min(0)
              .max(7 * 24 * 3600)
              .describe("Keep signing with the old secret too for this long (default 0: it stops at once)"),
          })
          .partial()
          .strict()
          .nullish(),
        response: { 200: withSecret },
      },
    },
    async (req) => {
      const rotated = await rotateEndpointSecret(db, sealer, req.projectId, req.params.id, {
        previousSecretValidSeconds: req.body?.previousSecretValidSeconds ?? 0,
        now: platform.clock.now(),
      });
      if (!rotated) throw notFound("webhook", req.params.id);
      return { ...rotated.endpoint, secret: rotated.secret };
    },
  );
}

/** An endpoint's deliveries, and a test event to check it receives them. */
function registerDeliveryRoutes(app: FastifyInstance, platform: Platform): void {
  const { db } = platform;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/webhooks/:id/deliveries",
    {
      schema: {
        tags,
        summary: "An endpoint's deliveries, newest first",
        params,
        querystring: z
          .object({
            status: z.enum(DELIVERY_STATUSES).optional(),
            limit: z.coerce.number().int().min(1).max(100).default(20),
          })
          .strict(),
        response: { 200: z.object({ data: z.array(deliveryView) }) },
      },
    },
    async (req) => {
      if (!(await getEndpoint(db, req.projectId, req.params.id))) throw notFound("webhook", req.params.id);
      const rows = await listDeliveries(db, req.projectId, req.params.id, req.query);
      return { data: rows.map((row) => ({ ...row, status: row.status as (typeof DELIVERY_STATUSES)[number] })) };
    },
  );

  r.post(
    "/webhooks/:id/test",
    {
      schema: {
        tags,
        summary: `Send a ${TEST_EVENT_TYPE} event to this endpoint`,
        params,
        response: {
          202: z.object({
            deliveryId: z.string(),
            eventId: z.string(),
            eventType: z.string(),
            status: z.literal("pending"),
          }),
        },
      },
    },
    async (req, reply) => {
      if (!(await getEndpoint(db, req.projectId, req.params.id))) throw notFound("webhook", req.params.id);
      const { event, deliveryId } = await sendTestEvent(platform, req.projectId, req.params.id);
      return reply
        .status(202)
        .send({ deliveryId, eventId: event.id, eventType: event.type, status: "pending" as const });
    },
  );
}

/** A delivery sent again: the same event (id and body) as a new delivery with attempts of its own. */
function registerRedeliveryRoute(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/webhooks/:id/deliveries/:deliveryId/redeliver",
    {
      schema: {
        tags,
        summary: "Send a delivery's event again to its endpoint, as a new delivery",
        params: params.extend({ deliveryId: z.string() }),
        response: { 202: z.object({ deliveryId: z.string(), redeliveryOf: z.string(), status: z.literal("pending") }) },
      },
    },
    async (req, reply) => {
      const again = await redeliver(platform, req.projectId, req.params.deliveryId);
      if (!again || again.endpointId !== req.params.id) throw notFound("webhook delivery", req.params.deliveryId);
      return reply
        .status(202)
        .send({ deliveryId: again.deliveryId, redeliveryOf: req.params.deliveryId, status: "pending" as const });
    },
  );
}
