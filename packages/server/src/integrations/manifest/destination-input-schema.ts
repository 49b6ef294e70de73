import { z } from "zod";
import { closestWord } from "./closest-word.ts";
import { describeValue, problem, typed } from "./manifest-messages.ts";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_PG_SCHEMA,
  DESTINATION_TYPES,
  EXPECTED,
  httpUrlProblem,
  MAX_BATCH_SIZE,
  PG_SCHEMA_NAME,
  postgresUrlProblem,
  TABLE_PREFIX,
} from "./manifest-rules.ts";
import { text, withCheck } from "./schema-helpers.ts";

/** The destinations as written in a manifest (see manifest-input-schema.ts); parsing fills in their defaults. */

export const postgresInput = z
  .strictObject(
    {
      type: z.literal("postgres").meta({ description: "Kind of destination." }),
      url: z
        .string({ error: typed(EXPECTED.postgresUrl) })
        .superRefine(withCheck(postgresUrlProblem))
        .meta({
          description: "Connection URL of the Postgres database (postgres:// or postgresql://). Treated as a secret.",
          format: "uri",
          pattern: "^postgres(ql)?://",
        }),
      schema: text(EXPECTED.pgSchema, PG_SCHEMA_NAME)
        .default(DEFAULT_PG_SCHEMA)
        .meta({ description: "Schema the tables are written to." }),
      tablePrefix: text(EXPECTED.tablePrefix, TABLE_PREFIX)
        .default("")
        .meta({ description: "Prefix of every table name, like sf_ for sf_account." }),
    },
    { error: typed("a mapping") },
  )
  .meta({ description: "A Postgres database Forcelink writes one table per object to." });

export const webhookInput = z
  .strictObject(
    {
      type: z.literal("webhook").meta({ description: "Kind of destination." }),
      url: z
        .string({ error: typed(EXPECTED.httpUrl) })
        .superRefine(withCheck(httpUrlProblem))
        .meta({ description: "Address the changed records are POSTed to.", format: "uri", pattern: "^https?://" }),
      batchSize: z
        .int({ error: typed(`a whole number from 1 to ${MAX_BATCH_SIZE}`) })
        .min(1, { error: typed(`a whole number from 1 to ${MAX_BATCH_SIZE}`) })
        .max(MAX_BATCH_SIZE, { error: typed(`a whole number from 1 to ${MAX_BATCH_SIZE}`) })
        .default(DEFAULT_BATCH_SIZE)
        .meta({ description: "Most records in one request." }),
    },
    { error: typed("a mapping") },
  )
  .meta({ description: "An HTTP endpoint Forcelink POSTs batches of changed records to." });

export const recordsInput = z
  .strictObject(
    { type: z.literal("records").meta({ description: "Kind of destination." }) },
    { error: typed("a mapping") },
  )
  .meta({ description: "Forcelink's own record store, read back with the records API." });

const DESTINATION_EXPECTED = `a mapping with a type: ${DESTINATION_TYPES.join(", ")}`;

export const destinationInput = z
  .discriminatedUnion("type", [postgresInput, webhookInput, recordsInput], {
    error: (issue) => {
      const input: unknown = issue.input;
      if (typeof input !== "object" || input === null || Array.isArray(input))
        return problem(`got ${describeValue(input)}`, DESTINATION_EXPECTED);
      const type = (input as { type?: unknown }).type;
      if (type === undefined) return problem("missing", `one of ${DESTINATION_TYPES.join(", ")}`);
      const guess = typeof type === "string" ? closestWord(type, DESTINATION_TYPES) : undefined;
      return problem(
        `${describeValue(type)} is not a destination type${guess ? ` (did you mean ${guess}?)` : ""}`,
        `one of ${DESTINATION_TYPES.join(", ")}`,
      );
    },
  })
  .meta({ description: "Where records go; `type` says which kind of destination." });
