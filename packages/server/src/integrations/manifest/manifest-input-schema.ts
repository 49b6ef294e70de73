import { z } from "zod";
import { CRON_EXAMPLE, CRON_EXPECTED, CRON_PATTERN, cronProblem, normaliseCron } from "./cron.ts";
import { destinationInput, postgresInput, recordsInput, webhookInput } from "./destination-input-schema.ts";
import { describeValue, problem, quote, typed } from "./manifest-messages.ts";
import {
  API_NAME,
  DEFAULT_SCHEDULE,
  DESTINATION_NAME,
  EXPECTED,
  MANIFEST_NAME,
  MAX_BACKFILL_DAYS,
  MAX_DESCRIPTION_LENGTH,
  MAX_FIELDS,
  MAX_MANIFEST_BYTES,
  MAX_OBJECTS,
} from "./manifest-rules.ts";
import type { Manifest, ManifestBackfill, ManifestObject } from "./manifest-schema.ts";
import { distinctNames, fieldNameInput, text, withCheck } from "./schema-helpers.ts";
import { writeObjectShape, writesInput, writesShape } from "./writes-input-schema.ts";

// The integration manifest as a person writes it: a YAML document (or JSON, which YAML also reads)
// saying what an integration reads from a customer's Salesforce org and where it sends it, and what
// it writes into the org.
//
//   name: crm-sync                  # required: 1-63 lowercase letters, digits and dashes
//   description: optional text      # at most 2000 characters
//   destinations:                   # required with objects, at least one; keys match [a-z][a-z0-9_-]* (at most 63)
//     warehouse:
//       type: postgres
//       url: postgres://user:pass@host:5432/db   # required; postgres:// or postgresql://
//       schema: salesforce                       # default "public"; lowercase SQL identifier
//       tablePrefix: sf_                         # default ""
//     app:
//       type: webhook
//       url: https://example.com/hooks/salesforce  # required; http:// or https://
//       batchSize: 500                             # 1..10000, default 1000
//     cache:
//       type: records                  # Forcelink's own store, read with the records API; no other keys
//   objects:                           # required unless the manifest only writes; 1 to 200
//     - name: Account                  # Salesforce API name; each object once, ignoring case
//       fields: [Id, Name, Industry]   # field API names, or "all" (the default); no Owner.Name paths
//       schedule: "*/15 * * * *"       # 5-field cron (see cron.ts); default "0 * * * *", hourly
//       backfill: full                 # "full" (default), "90d", or {days: 90}; 1..36500 days
//       deletes: true                  # track deletions (queryAll, IsDeleted); default true
//       destinations: [warehouse, cache]   # keys of destinations; at least one
//       formulaRefresh: "0 3 * * *"    # optional cron: re-read formula fields, which change
//                                      # without touching SystemModstamp
//       subscribe: true                # also deliver changes as they happen (Change Data Capture);
//                                      # default false; {enrichedFields: [Ext_Id__c]} also makes
//                                      # update and delete events carry those fields unchanged
//   writes:                            # optional: what the integration writes (writes-input-schema.ts)
//     strict: true
//     objects:
//       - name: Contact
//         operations: [insert, update, upsert]
//         fields: [FirstName, LastName, Email]
//         externalIdField: Ext_Id__c
//
// Any key not shown here is an error: it is usually a typo. Parsing this schema yields the normalised
// `Manifest` of manifest-schema.ts. Destinations are in destination-input-schema.ts, writes in
// writes-input-schema.ts, the checks across objects and destinations in manifest-references.ts.

const FIELDS_EXPECTED = 'a list of field API names like [Id, Name], or "all"';

const fieldsInput = z
  .union(
    [
      z.literal("all"),
      z
        .array(fieldNameInput("read"))
        .min(1, { error: problem("the list is empty", FIELDS_EXPECTED) })
        .max(MAX_FIELDS, { error: (issue) => problem(`${count(issue.input)} fields`, `at most ${MAX_FIELDS}`) }),
    ],
    { error: typed(FIELDS_EXPECTED) },
  )
  .default("all")
  .meta({ description: 'Fields to read: a list of field API names (Id is always added), or "all" readable fields.' });

const cronInput = (description: string) =>
  z
    .string({ error: typed(CRON_EXPECTED) })
    .superRefine(withCheck(cronProblem))
    .meta({ description, pattern: CRON_PATTERN, examples: [CRON_EXAMPLE] });

const BACKFILL_EXPECTED = `"full", a number of days like "90d", or {days: 90}`;
const DAYS_EXPECTED = `a whole number of days from 1 to ${MAX_BACKFILL_DAYS}`;

const backfillInput = z
  .union(
    [
      z.string().superRefine(withCheck(backfillTextProblem)).meta({ pattern: "^(full|[0-9]+d)$" }),
      z.strictObject({
        days: z
          .int({ error: typed(DAYS_EXPECTED) })
          .min(1, { error: typed(DAYS_EXPECTED) })
          .max(MAX_BACKFILL_DAYS, { error: typed(DAYS_EXPECTED) })
          .meta({ description: "Days of history to read on the first run." }),
      }),
    ],
    { error: typed(BACKFILL_EXPECTED) },
  )
  .default("full")
  .meta({ description: 'How much history the first run reads: "full", "<n>d", or {days: n}.' });

function backfillTextProblem(value: string): string | undefined {
  if (value === "full") return undefined;
  const days = /^(\d+)d$/.exec(value);
  if (!days) return problem(`${quote(value)} is not a backfill`, BACKFILL_EXPECTED);
  const n = Number(days[1]);
  return n >= 1 && n <= MAX_BACKFILL_DAYS ? undefined : problem(`${quote(value)} is out of range`, DAYS_EXPECTED);
}

const OBJECT_DESTINATIONS_EXPECTED = "a list of names defined under destinations, like [warehouse]";

const objectShape = z
  .strictObject(
    {
      name: text(EXPECTED.apiName, API_NAME).meta({
        description: "API name of the Salesforce object (Account, Invoice__c). Each object may appear once.",
      }),
      fields: fieldsInput,
      schedule: cronInput("When to read changes: a 5-field cron expression.").default(DEFAULT_SCHEDULE),
      backfill: backfillInput,
      deletes: z
        .boolean({ error: typed("true or false") })
        .default(true)
        .meta({ description: "Whether deleted records are tracked (queryAll and IsDeleted)." }),
      destinations: z
        .array(z.string({ error: typed(EXPECTED.destinationName) }).meta({ pattern: DESTINATION_NAME.source }), {
          error: typed(OBJECT_DESTINATIONS_EXPECTED),
        })
        .min(1, { error: problem("the list is empty", OBJECT_DESTINATIONS_EXPECTED) })
        .meta({ description: "Destinations this object's records go to: keys of the top-level destinations." }),
      formulaRefresh: cronInput(
        "When to re-read formula fields, whose values change without SystemModstamp changing: a cron expression.",
      ).optional(),
      subscribe: z
        .union(
          [
            z.boolean(),
            z.strictObject({
              enrichedFields: z
                .array(fieldNameInput("read"))
                .min(1, { error: problem("the list is empty", "a list of field API names") })
                .max(MAX_FIELDS)
                .meta({
                  description:
                    "Fields every update and delete event carries even when unchanged (Change Data Capture enrichment), e.g. an external id; each among the object's fields.",
                }),
            }),
          ],
          { error: typed("true, false, or {enrichedFields: [Field, …]}") },
        )
        .default(false)
        .meta({
          description:
            "Also deliver its changes as they happen: Forcelink selects the object for Change Data Capture and subscribes over the Pub/Sub API. {enrichedFields: […]} subscribes with enrichment.",
        }),
    },
    { error: typed("a mapping like {name: Account, destinations: [warehouse]}") },
  )
  .meta({ description: "A Salesforce object to read, and how." });

const objectInput = objectShape.transform(normaliseObject);

function count(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** Field names once each (first spelling wins, ignoring case), with Id in front when missing. */
export function normaliseFields(fields: "all" | readonly string[]): "all" | string[] {
  if (fields === "all") return "all";
  const distinct = distinctNames(fields);
  return distinct.some((f) => f.toLowerCase() === "id") ? distinct : ["Id", ...distinct];
}

function normaliseBackfill(backfill: string | { days: number }): ManifestBackfill {
  if (typeof backfill === "object") return { kind: "days", days: backfill.days };
  return backfill === "full" ? { kind: "full" } : { kind: "days", days: Number(backfill.slice(0, -1)) };
}

function normaliseObject(input: z.output<typeof objectShape>): ManifestObject {
  return {
    name: input.name,
    fields: normaliseFields(input.fields),
    schedule: normaliseCron(input.schedule),
    backfill: normaliseBackfill(input.backfill),
    deletes: input.deletes,
    destinations: [...new Set(input.destinations)],
    ...(input.formulaRefresh === undefined ? {} : { formulaRefresh: normaliseCron(input.formulaRefresh) }),
    ...(input.subscribe ? { subscribe: true } : {}),
    ...(typeof input.subscribe === "object" ? { enrichedFields: distinctNames(input.subscribe.enrichedFields) } : {}),
  };
}

// The manifest

const OBJECTS_EXPECTED = EXPECTED.objects;
const DESTINATIONS_EXPECTED = EXPECTED.destinations;
const MANIFEST_EXPECTED =
  "a mapping with name, destinations and objects (or name and writes, for an integration that only writes)";

const manifestShape = z
  .strictObject(
    {
      name: text(EXPECTED.manifestName, MANIFEST_NAME).meta({ description: "Name of the integration." }),
      description: z
        .string({ error: typed(`text of at most ${MAX_DESCRIPTION_LENGTH} characters`) })
        .max(MAX_DESCRIPTION_LENGTH, {
          error: (issue) =>
            problem(`the text is ${String(issue.input).length} characters long`, `at most ${MAX_DESCRIPTION_LENGTH}`),
        })
        .optional()
        .meta({ description: "What the integration is for." }),
      destinations: z
        .record(
          z.string().regex(DESTINATION_NAME, {
            error: (issue) => problem(`${describeValue(issue.input)} is not a valid name`, EXPECTED.destinationName),
          }),
          destinationInput,
          { error: typed(DESTINATIONS_EXPECTED) },
        )
        .refine((destinations) => Object.keys(destinations).length > 0, {
          error: problem("the mapping is empty", "at least one destination, like warehouse: {type: records}"),
        })
        .optional()
        .meta({
          description: "Where records go, by name. Objects refer to these names; required when objects are read.",
          minProperties: 1,
        }),
      objects: z
        .array(objectInput, { error: typed(OBJECTS_EXPECTED) })
        .min(1, { error: problem("the list is empty", OBJECTS_EXPECTED) })
        .max(MAX_OBJECTS, { error: (issue) => problem(`${count(issue.input)} objects`, `at most ${MAX_OBJECTS}`) })
        .optional()
        .meta({ description: "The Salesforce objects to read; required unless the integration only writes." }),
      writes: writesInput.optional(),
    },
    { error: typed(MANIFEST_EXPECTED) },
  )
  .meta({
    title: "Forcelink integration manifest",
    description: `What an integration reads from a Salesforce org and where it sends it, and what it writes into the org. At most ${MAX_MANIFEST_BYTES / 1024} KiB.`,
    // Read objects need somewhere to send their records; an integration that only writes needs neither.
    anyOf: [{ required: ["objects", "destinations"] }, { required: ["writes"] }],
  });

export const manifestInputSchema = manifestShape.transform(
  (input): Manifest => ({
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    destinations: input.destinations ?? {},
    objects: input.objects ?? [],
    ...(input.writes === undefined ? {} : { writes: input.writes }),
  }),
);

/** The keys each kind of mapping allows, for "did you mean" on an unknown one. */
export const KNOWN_KEYS = {
  manifest: Object.keys(manifestShape.shape),
  object: Object.keys(objectShape.shape),
  writes: Object.keys(writesShape.shape),
  writeObject: Object.keys(writeObjectShape.shape),
  backfill: ["days"],
  destination: {
    postgres: Object.keys(postgresInput.shape),
    webhook: Object.keys(webhookInput.shape),
    records: Object.keys(recordsInput.shape),
  },
} as const;
