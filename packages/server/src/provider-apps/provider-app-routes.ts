import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { connectionsOfApp, disconnectAll, forceFlag } from "../connections/disconnect.ts";
import { noContent } from "../http/app.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import type { Platform } from "../platform/platform.ts";
import { createProviderAppInput, rotateSecretInput, updateProviderAppInput } from "./provider-app-input.ts";
import { PROVIDER_APP_KINDS, type ProviderAppKind } from "./provider-app-rules.ts";
import { deleteProviderApp, getProviderApp, listProviderApps, type ProviderAppRow } from "./provider-app-store.ts";
import {
  createProviderApp,
  type ProviderAppOutcome,
  rotateProviderAppSecret,
  updateProviderApp,
} from "./provider-apps.ts";
import { REQUIREMENT_ACCESS, type Requirements } from "./requirements.ts";
import { providerAppCallbackUrl, setupSteps } from "./setup-guide.ts";

/** Apps carry a PEM key and a requirements list at most; anything larger is a mistake. */
const APP_BODY_LIMIT = 512 * 1024;
const SECRET_BODY_LIMIT = 4 * 1024;

const providerAppView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(PROVIDER_APP_KINDS),
  clientId: z.string(),
  scopes: z.array(z.string()),
  pkce: z.boolean(),
  clientCredentialsEnabled: z.boolean(),
  jwt: z
    .object({ username: z.string(), configured: z.literal(true), keyFingerprint: z.string().nullable() })
    .nullable(),
  requirements: z
    .object({
      objects: z.array(
        z.object({
          name: z.string(),
          access: z.array(z.enum(REQUIREMENT_ACCESS)),
          fields: z.array(z.string()).optional(),
        }),
      ),
    })
    .nullable(),
  callbackUrl: z.string(),
  setup: z.array(z.string()),
  createdAt: z.date(),
  updatedAt: z.date(),
});
type ProviderAppView = z.infer<typeof providerAppView>;

/** What the API shows of an app: everything but its secrets, plus what to set in Salesforce. */
function view(app: ProviderAppRow, publicUrl: string): ProviderAppView {
  const callbackUrl = providerAppCallbackUrl(publicUrl);
  const kind = app.kind as ProviderAppKind;
  const jwt = app.jwtUsername
    ? { username: app.jwtUsername, configured: true as const, keyFingerprint: app.jwtKeyFingerprint }
    : null;
  return {
    id: app.id,
    name: app.name,
    kind,
    clientId: app.clientId,
    scopes: app.scopes,
    pkce: app.pkce,
    clientCredentialsEnabled: app.clientCredentialsEnabled,
    jwt,
    requirements: (app.requirements as Requirements | null) ?? null,
    callbackUrl,
    setup: setupSteps(
      { kind, scopes: app.scopes, pkce: app.pkce, clientCredentialsEnabled: app.clientCredentialsEnabled, jwt },
      callbackUrl,
    ),
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}

function settled(outcome: ProviderAppOutcome, id: string): ProviderAppRow {
  if (outcome.status === "ok") return outcome.app;
  if (outcome.status === "not_found") throw notFound("provider app", id);
  const { problems } = outcome;
  throw new HttpError(400, "invalid_provider_app", problems.map((p) => `${p.field}: ${p.message}`).join(" "), {
    remedy: problems.map((p) => p.remedy).join(" "),
    details: problems,
  });
}

const idParams = z.object({ id: z.string().min(1).max(100) });
const tags = ["provider apps"];

export function registerProviderAppRoutes(app: FastifyInstance, platform: Platform): void {
  registerProviderAppCreateAndReads(app, platform);
  registerProviderAppChanges(app, platform);
  registerProviderAppDelete(app, platform);
}

function registerProviderAppCreateAndReads(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const publicUrl = () => platform.config.publicUrl;

  r.post(
    "/provider-apps",
    {
      bodyLimit: APP_BODY_LIMIT,
      schema: {
        tags,
        summary: "Register a Salesforce Connected App or External Client App",
        body: createProviderAppInput,
        response: { 201: providerAppView },
      },
    },
    async (req, reply) => {
      const created = settled(await createProviderApp(platform, req.projectId, req.body), "");
      return reply.status(201).send(view(created, publicUrl()));
    },
  );

  r.get(
    "/provider-apps",
    {
      schema: {
        tags,
        summary: "The project's provider apps",
        response: { 200: z.object({ data: z.array(providerAppView) }) },
      },
    },
    async (req) => ({ data: (await listProviderApps(platform, req.projectId)).map((a) => view(a, publicUrl())) }),
  );

  r.get(
    "/provider-apps/:id",
    { schema: { tags, summary: "A provider app", params: idParams, response: { 200: providerAppView } } },
    async (req) => {
      const found = await getProviderApp(platform, req.projectId, req.params.id);
      if (!found) throw notFound("provider app", req.params.id);
      return view(found, publicUrl());
    },
  );
}

function registerProviderAppChanges(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const publicUrl = () => platform.config.publicUrl;

  r.patch(
    "/provider-apps/:id",
    {
      bodyLimit: APP_BODY_LIMIT,
      schema: {
        tags,
        summary: "Change a provider app",
        params: idParams,
        body: updateProviderAppInput,
        response: { 200: providerAppView },
      },
    },
    async (req) => {
      const outcome = await updateProviderApp(platform, req.projectId, req.params.id, req.body);
      return view(settled(outcome, req.params.id), publicUrl());
    },
  );

  r.post(
    "/provider-apps/:id/rotate-secret",
    {
      bodyLimit: SECRET_BODY_LIMIT,
      schema: {
        tags,
        summary: "Store the consumer secret regenerated in Salesforce",
        params: idParams,
        body: rotateSecretInput,
        response: { 200: providerAppView },
      },
    },
    async (req) => {
      const outcome = await rotateProviderAppSecret(platform, req.projectId, req.params.id, req.body.clientSecret);
      return view(settled(outcome, req.params.id), publicUrl());
    },
  );
}

/** Deleting an app would delete its connections too, so that takes ?force=true. */
function registerProviderAppDelete(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.delete(
    "/provider-apps/:id",
    {
      schema: {
        tags,
        summary: "Delete a provider app; with ?force=true, also disconnect every connection made through it",
        params: idParams,
        querystring: z.object({ force: forceFlag }),
        response: {
          200: z
            .object({
              id: z.string(),
              deleted: z.literal(true),
              connectionsDeleted: z.number().int(),
              notRevoked: z
                .array(z.object({ connectionId: z.string(), reason: z.string() }))
                .describe("Connections deleted whose grant Salesforce did not confirm revoked"),
            })
            .describe("Deleted with ?force=true, with the connections made through it"),
          204: noContent.describe("Deleted; no connection was made through it"),
        },
      },
    },
    async (req, reply) => {
      const found = await getProviderApp(platform, req.projectId, req.params.id);
      if (!found) throw notFound("provider app", req.params.id);
      const rows = await connectionsOfApp(platform, req.projectId, found.id);
      if (rows.length > 0 && !req.query.force)
        throw new HttpError(
          409,
          "provider_app_has_connections",
          `${rows.length} connection${rows.length === 1 ? " was" : "s were"} made through this provider app; deleting it would delete them.`,
          {
            remedy:
              "Delete the connections first (DELETE /v1/connections/{id}), or pass ?force=true to revoke and delete them all with the app.",
            details: { connections: rows.length },
          },
        );
      const notRevoked = await disconnectAll(platform, rows);
      if (!(await deleteProviderApp(platform, req.projectId, found.id))) throw notFound("provider app", found.id);
      if (rows.length === 0) return reply.status(204).send(null);
      return reply.status(200).send({ id: found.id, deleted: true, connectionsDeleted: rows.length, notRevoked });
    },
  );
}
