import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findConnection } from "../connections/connection-store.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { getProviderAppForProject } from "../provider-apps/provider-app-store.ts";
import { CONNECT_LINK_TTL_MS, createConnectSession, sessionById, sessionView } from "./connect-session-store.ts";
import { chooseLoginHost } from "./start-authorize.ts";

const createBody = z
  .object({
    providerAppId: z.string().min(1),
    /** Your own id for the customer; connections carry it. */
    endUserId: z.string().min(1).max(200).optional(),
    /** Preselects the choice on the connect page. */
    environment: z.enum(["production", "sandbox", "mydomain"]).optional(),
    myDomain: z.string().max(255).optional(),
    /** Where the result page sends the customer back (with ?connection_id=…). */
    returnUrl: z
      .string()
      .url()
      .refine((u) => /^https?:/.test(u), "returnUrl must be an http(s) URL")
      .optional(),
    /** Reconnect an existing connection (one that needs re-authorization) instead of making a new one. */
    connectionId: z.string().optional(),
  })
  .strict()
  .refine((b) => b.endUserId !== undefined || b.connectionId !== undefined, {
    message: "endUserId is required (or connectionId to reconnect)",
    path: ["endUserId"],
  });

const sessionSchema = z.object({
  id: z.string(),
  providerAppId: z.string(),
  endUserId: z.string(),
  status: z.string().describe("pending, authorizing, completed, failed, expired or stalled"),
  environment: z.string().nullable(),
  myDomain: z.string().nullable(),
  connectionId: z.string().nullable().describe("The connection made (or renewed), once completed"),
  error: z.object({ code: z.string(), message: z.string() }).nullable().describe("Why the session failed, when it did"),
  hint: z.string().nullable(),
  expiresAt: z.string(),
  createdAt: z.string(),
});
const createdSession = sessionSchema.extend({
  url: z.string().describe("The single-use connect link to give the customer"),
  popupUrl: z.string().describe("The same link for a popup window (see @forcelink/connect)"),
  expiresInSeconds: z.number(),
});

export function registerConnectSessionRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/connect-sessions",
    {
      schema: {
        tags: ["connect sessions"],
        summary: "Make a connect link for a customer (or to reconnect a connection)",
        body: createBody,
        response: { 201: createdSession },
      },
    },
    async (req, reply) => {
      const body = req.body;
      if (body.myDomain !== undefined) {
        // The connect page's own rule: a My Domain it would refuse is refused here, with its words.
        const choice = chooseLoginHost(platform.hosts, "mydomain", body.myDomain);
        if (!choice.ok)
          throw new HttpError(400, "invalid_my_domain", `myDomain: ${choice.message}`, { remedy: choice.fix });
      }
      const appRow = await getProviderAppForProject(platform, req.projectId, body.providerAppId);
      if (!appRow) throw notFound("provider app", body.providerAppId);
      let endUserId = body.endUserId;
      if (body.connectionId) {
        const existing = await findConnection(platform, req.projectId, body.connectionId);
        if (!existing || existing.providerAppId !== appRow.id) throw notFound("connection", body.connectionId);
        endUserId ??= existing.endUserId;
      }
      const created = await createConnectSession(platform, {
        projectId: req.projectId,
        providerAppId: appRow.id,
        endUserId: endUserId!,
        environment: body.environment,
        myDomain: body.myDomain,
        returnUrl: body.returnUrl,
        reconnectConnectionId: body.connectionId,
      });
      return reply.status(201).send({
        ...sessionView(created.row, platform.clock.nowMs()),
        url: created.url,
        popupUrl: `${created.url}?display=popup`,
        expiresInSeconds: CONNECT_LINK_TTL_MS / 1000,
      });
    },
  );

  r.get(
    "/connect-sessions/:id",
    {
      schema: {
        tags: ["connect sessions"],
        summary: "A connect session's status",
        params: z.object({ id: z.string() }),
        response: { 200: sessionSchema },
      },
    },
    async (req) => {
      const row = await sessionById(platform, req.projectId, req.params.id);
      if (!row) throw notFound("connect session", req.params.id);
      return sessionView(row, platform.clock.nowMs());
    },
  );
}
