import { z } from "zod";
import { cronProblem } from "./cron.ts";
import { referenceProblems } from "./manifest-references.ts";
import {
  API_NAME,
  DESTINATION_NAME,
  httpUrlProblem,
  MANIFEST_NAME,
  MAX_BACKFILL_DAYS,
  MAX_BATCH_SIZE,
  MAX_DESCRIPTION_LENGTH,
  MAX_FIELDS,
  MAX_OBJECTS,
  PG_SCHEMA_NAME,
  postgresUrlProblem,
  TABLE_PREFIX,
  WRITE_OPERATIONS,
} from "./manifest-rules.ts";

/**
 * The normalised integration manifest: what `parseManifest` returns, with every default filled
 * in, so code running an integration never re-derives one. This schema checks a manifest that is
 * already normalised (one read back from the store, say); people write the looser form in
 * manifest-input-schema.ts.
 */

const checked = (find: (value: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const message = find(value);
  if (message) ctx.addIssue({ code: "custom", message });
};

export const postgresDestinationSchema = z.strictObject({
  type: z.literal("postgres"),
  url: z.string().superRefine(checked(postgresUrlProblem)),
  schema: z.string().regex(PG_SCHEMA_NAME),
  tablePrefix: z.string().regex(TABLE_PREFIX),
});

export const webhookDestinationSchema = z.strictObject({
  type: z.literal("webhook"),
  url: z.string().superRefine(checked(httpUrlProblem)),
  batchSize: z.int().min(1).max(MAX_BATCH_SIZE),
});

/** Forcelink's own record store, read back through the records API. */
export const recordsDestinationSchema = z.strictObject({ type: z.literal("records") });

export const destinationSchema = z.discriminatedUnion("type", [
  postgresDestinationSchema,
  webhookDestinationSchema,
  recordsDestinationSchema,
]);

export const backfillSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("full") }),
  z.strictObject({ kind: z.literal("days"), days: z.int().min(1).max(MAX_BACKFILL_DAYS) }),
]);

const cron = z.string().superRefine(checked(cronProblem));

export const manifestObjectSchema = z.strictObject({
  name: z.string().regex(API_NAME),
  /** "all" readable fields, or the listed ones: Id always among them, no name twice (ignoring case). */
  fields: z.union([z.literal("all"), z.array(z.string().regex(API_NAME)).min(1).max(MAX_FIELDS)]),
  schedule: cron,
  backfill: backfillSchema,
  deletes: z.boolean(),
  destinations: z.array(z.string().regex(DESTINATION_NAME)).min(1),
  formulaRefresh: cron.optional(),
  /** Also hear its changes as they happen (Change Data Capture over the Pub/Sub API). */
  subscribe: z.boolean().optional(),
  /** Fields Change Data Capture adds to every update and delete event (enrichment); each among `fields`. */
  enrichedFields: z.array(z.string().regex(API_NAME)).min(1).max(MAX_FIELDS).optional(),
});

/** An object the integration writes: its operations (each once, in WRITE_OPERATIONS order) and the fields they set. */
export const manifestWriteObjectSchema = z.strictObject({
  name: z.string().regex(API_NAME),
  operations: z.array(z.enum(WRITE_OPERATIONS)).min(1),
  /** The fields set, without Id, the external id field among them; empty for an object only deleted. */
  fields: z.array(z.string().regex(API_NAME)).max(MAX_FIELDS),
  externalIdField: z.string().regex(API_NAME).optional(),
});

export const manifestWritesSchema = z.strictObject({
  /** Refuse writes outside `objects` on the connections the integration is installed on. */
  strict: z.boolean(),
  objects: z.array(manifestWriteObjectSchema).min(1).max(MAX_OBJECTS),
});

/**
 * `objects` (what is read) is empty for an integration that only writes; `writes` is there only
 * when the manifest declares writes. One of the two says something.
 */
export const manifestSchema = z
  .strictObject({
    name: z.string().regex(MANIFEST_NAME),
    description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
    destinations: z.record(z.string().regex(DESTINATION_NAME), destinationSchema),
    objects: z.array(manifestObjectSchema).max(MAX_OBJECTS),
    writes: manifestWritesSchema.optional(),
  })
  .superRefine((manifest, ctx) => {
    for (const { path, message } of referenceProblems(manifest)) ctx.addIssue({ code: "custom", path, message });
    if (manifest.objects.length === 0 && !manifest.writes)
      ctx.addIssue({ code: "custom", path: ["objects"], message: "the manifest neither reads nor writes an object" });
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestObject = z.infer<typeof manifestObjectSchema>;
export type ManifestDestination = z.infer<typeof destinationSchema>;
export type PostgresDestination = z.infer<typeof postgresDestinationSchema>;
export type WebhookDestination = z.infer<typeof webhookDestinationSchema>;
export type RecordsDestination = z.infer<typeof recordsDestinationSchema>;
export type ManifestBackfill = z.infer<typeof backfillSchema>;
export type ManifestWrites = z.infer<typeof manifestWritesSchema>;
export type ManifestWriteObject = z.infer<typeof manifestWriteObjectSchema>;
