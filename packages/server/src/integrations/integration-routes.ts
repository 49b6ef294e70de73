import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findConnection } from "../connections/connection-store.ts";
import { noContent } from "../http/app.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import { installOnConnection, uploadIntegration } from "../install-integration.ts";
import type { Platform } from "../platform/platform.ts";
import { releaseSubscriptions } from "../subscriptions/provision-subscriptions.ts";
import { unscheduleInstallation } from "./installation-schedule.ts";
import {
  deleteIntegration,
  findIntegration,
  installationsOf,
  installationsOfIntegration,
  integrationView,
  listIntegrations,
  removeInstallation,
} from "./integration-store.ts";
import { manifestJsonSchema } from "./manifest/manifest.ts";

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"];
const params = z.object({ id: z.string().min(1).max(200) });
const tags = ["integrations"];

const integrationSchema = z.object({
  id: z.string(),
  name: z.string(),
  manifest: z
    .record(z.string(), z.unknown())
    .describe(`The manifest as validated, in its JSON form (schema at ${"/schemas/integration-manifest.json"})`),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const uploaded = integrationSchema.extend({
  webhookSecrets: z
    .record(z.string(), z.string())
    .describe("Signing secrets of webhook destinations new in this manifest, by destination name. Shown once."),
});
const installationSchema = z.object({
  id: z.string(),
  integrationId: z.string(),
  integration: z.string(),
  connectionId: z.string(),
  createdAt: z.string(),
});

/**
 * The manifest upload is the one route taking YAML (or JSON); every other route takes JSON only.
 * Its body is read as text by the YAML parser, so its schema is only documented (under `consumes`).
 */
const MANIFEST_UPLOAD = {
  schema: {
    tags,
    summary: "Upload a manifest (create the integration, or replace the one of the same name)",
    description:
      "YAML (application/yaml) or JSON. Answers 201 for a new integration, 200 for a changed one; 422 lists every problem with its line and column.",
    response: { 200: uploaded, 201: uploaded },
    documentedBody: {
      mediaTypes: [...YAML_TYPES, "application/json"],
      schema: manifestJsonSchema(),
      description: "The integration's manifest, in YAML or JSON",
    },
  },
  bodyLimit: 512 * 1024,
  config: { bodyTypes: [...YAML_TYPES, "application/json"] },
};

/** Where the manifest's JSON Schema is published, without an API key. */
export const MANIFEST_SCHEMA_PATH = "/schemas/integration-manifest.json";

export function registerManifestSchemaRoute(app: FastifyInstance): void {
  app.get(MANIFEST_SCHEMA_PATH, { schema: { hide: true } }, async (_req, reply) =>
    reply.type("application/schema+json").send(manifestJsonSchema()),
  );
}

/**
 * `/v1/integrations`: upload a manifest (YAML as text, or JSON), read, delete; and
 * `/v1/connections/{id}/integrations`: install an integration on a connection, which schedules
 * its objects and starts their first run.
 */
export function registerIntegrationRoutes(app: FastifyInstance, platform: Platform): void {
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string", bodyLimit: 512 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  registerManifestRoutes(app, platform);
  registerInstallationRoutes(app, platform);
}

/** The integrations themselves: upload a manifest, list, read, delete. */
function registerManifestRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post("/integrations", MANIFEST_UPLOAD, async (req, reply) => {
    if (req.body === undefined || req.body === null || req.body === "")
      throw new HttpError(400, "manifest_missing", "The request has no manifest.", {
        remedy: `Send the manifest as YAML (content-type application/yaml) or as JSON. Its JSON Schema is at ${MANIFEST_SCHEMA_PATH}.`,
      });
    const saved = await uploadIntegration(platform, req.projectId, req.body);
    if (!saved.ok) {
      const first = saved.errors[0];
      throw new HttpError(
        422,
        "invalid_manifest",
        `The manifest has ${saved.errors.length} problem${saved.errors.length === 1 ? "" : "s"}; the first: ${where(first)}${first.message}`,
        {
          remedy: `Fix each problem listed in details (line and column point at it) and upload again. The JSON Schema is at ${MANIFEST_SCHEMA_PATH}.`,
          details: saved.errors,
        },
      );
    }
    return reply.status(saved.created ? 201 : 200).send({
      ...integrationView(saved.row),
      // Shown once: the signing secrets of webhook destinations new in this manifest.
      webhookSecrets: saved.newSecrets,
    });
  });

  r.get(
    "/integrations",
    {
      schema: {
        tags,
        summary: "The project's integrations",
        response: { 200: z.object({ data: z.array(integrationSchema) }) },
      },
    },
    async (req) => ({
      data: (await listIntegrations(platform, req.projectId)).map(integrationView),
    }),
  );

  r.get(
    "/integrations/:id",
    { schema: { tags, summary: "An integration, by id or name", params, response: { 200: integrationSchema } } },
    async (req) => {
      const row = await findIntegration(platform, req.projectId, req.params.id);
      if (!row) throw notFound("integration", req.params.id);
      return integrationView(row);
    },
  );

  r.delete(
    "/integrations/:id",
    { schema: { tags, summary: "Delete an integration and its installations", params, response: { 204: noContent } } },
    async (req, reply) => {
      const row = await findIntegration(platform, req.projectId, req.params.id);
      if (!row) throw notFound("integration", req.params.id);
      for (const inst of await installationsOfIntegration(platform, row.id))
        await unscheduleInstallation(platform, inst.id);
      await deleteIntegration(platform, req.projectId, row.id);
      return reply.status(204).send(null);
    },
  );
}

/** An integration installed on a connection: install (schedule, first run), list, remove. */
function registerInstallationRoutes(app: FastifyInstance, platform: Platform): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/connections/:id/integrations",
    {
      schema: {
        tags,
        summary: "Install an integration on a connection: schedule its objects and start their first run",
        params,
        body: z.object({ integration: z.string().min(1).max(200), startNow: z.boolean().default(true) }).strict(),
        response: { 200: installationSchema, 201: installationSchema },
      },
    },
    async (req, reply) => {
      const conn = await findConnection(platform, req.projectId, req.params.id);
      if (!conn) throw notFound("connection", req.params.id);
      const row = await findIntegration(platform, req.projectId, req.body.integration);
      if (!row) throw notFound("integration", req.body.integration);
      const { row: inst, created } = await installOnConnection(platform, row, conn, req.body.startNow);
      return reply.status(created ? 201 : 200).send({
        id: inst.id,
        integrationId: row.id,
        integration: row.name,
        connectionId: conn.id,
        createdAt: inst.createdAt.toISOString(),
      });
    },
  );

  r.get(
    "/connections/:id/integrations",
    {
      schema: {
        tags,
        summary: "The integrations installed on a connection",
        params,
        response: {
          200: z.object({
            data: z.array(z.object({ id: z.string(), integrationId: z.string(), createdAt: z.string() })),
          }),
        },
      },
    },
    async (req) => {
      const conn = await findConnection(platform, req.projectId, req.params.id);
      if (!conn) throw notFound("connection", req.params.id);
      const rows = await installationsOf(platform, conn.id);
      return {
        data: rows.map((i) => ({ id: i.id, integrationId: i.integrationId, createdAt: i.createdAt.toISOString() })),
      };
    },
  );

  r.delete(
    "/connections/:id/integrations/:installationId",
    {
      schema: {
        tags,
        summary: "Remove an installation: its objects stop syncing",
        params: params.extend({ installationId: z.string().min(1).max(200) }),
        response: { 204: noContent },
      },
    },
    async (req, reply) => {
      const conn = await findConnection(platform, req.projectId, req.params.id);
      if (!conn) throw notFound("connection", req.params.id);
      const found = (await installationsOf(platform, conn.id)).find((i) => i.id === req.params.installationId);
      if (!found) throw notFound("installation", req.params.installationId);
      await unscheduleInstallation(platform, found.id);
      await releaseSubscriptions(platform, conn, found.id);
      await removeInstallation(platform, req.projectId, found.id);
      return reply.status(204).send(null);
    },
  );
}

function where(e: { path: string; line?: number; column?: number }): string {
  return e.line ? `line ${e.line}, column ${e.column ?? 1}: ` : "";
}
