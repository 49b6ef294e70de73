import { z } from "zod";
import { closestWord } from "./closest-word.ts";
import { describeValue, problem, typed } from "./manifest-messages.ts";
import {
  API_NAME,
  EXPECTED,
  FIELD_WRITING_OPERATIONS,
  MAX_FIELDS,
  MAX_OBJECTS,
  WRITE_OPERATIONS,
  type WriteOperationName,
} from "./manifest-rules.ts";
import type { ManifestWriteObject, ManifestWrites } from "./manifest-schema.ts";
import { distinctNames, fieldNameInput, text } from "./schema-helpers.ts";

// What an integration writes into a customer's org, as a person writes it in a manifest:
//
//   writes:
//     strict: true                   # refuse writes outside this list (a 422 naming the manifest); default false
//     objects:                       # required, 1 to 200
//       - name: Contact              # Salesforce API name; each object once, ignoring case
//         operations: [insert, update, upsert]   # insert, update, upsert, delete; at least one
//         fields: [FirstName, LastName, Email]   # the fields the writes set; required unless the
//                                                # object is only deleted. Id needs no listing.
//         externalIdField: Ext_Id__c # optional, with upsert: the field upserts match on (added to fields)
//
// An object that is only written needs no sync schedule or destination. The pre-install checklist
// checks Create (insert, upsert), Edit (update, upsert) and Delete (delete) on each object, and
// that each listed field is editable. Checks across entries are in manifest-references.ts.

const OPERATIONS_EXPECTED = `a list of operations from ${WRITE_OPERATIONS.join(", ")}, like [insert, update]`;
const WRITE_FIELDS_EXPECTED = `${EXPECTED.writeFields} (leave fields out for an object that is only deleted)`;

const operationInput = z
  .enum(WRITE_OPERATIONS, {
    error: (issue) => {
      const guess = typeof issue.input === "string" ? closestWord(issue.input, WRITE_OPERATIONS) : undefined;
      return problem(
        `${describeValue(issue.input)} is not a write operation${guess ? ` (did you mean ${guess}?)` : ""}`,
        EXPECTED.writeOperation,
      );
    },
  })
  .meta({ description: "What the write does to each record." });

const count = (value: unknown): number => (Array.isArray(value) ? value.length : 0);

export const writeObjectShape = z
  .strictObject(
    {
      name: text(EXPECTED.apiName, API_NAME).meta({
        description: "API name of the Salesforce object written (Contact, Invoice__c). Each object may appear once.",
      }),
      operations: z
        .array(operationInput, { error: typed(OPERATIONS_EXPECTED) })
        .min(1, { error: problem("the list is empty", OPERATIONS_EXPECTED) })
        .meta({
          description: "The operations the integration performs on the object: insert, update, upsert, delete.",
        }),
      fields: z
        .array(fieldNameInput("write"), { error: typed(WRITE_FIELDS_EXPECTED) })
        .min(1, { error: problem("the list is empty", WRITE_FIELDS_EXPECTED) })
        .max(MAX_FIELDS, { error: (issue) => problem(`${count(issue.input)} fields`, `at most ${MAX_FIELDS}`) })
        .optional()
        .meta({
          description:
            "The fields the writes set (each must be editable by the connected user); required unless the object is only deleted. Id needs no listing.",
        }),
      externalIdField: text(EXPECTED.apiName, API_NAME)
        .optional()
        .meta({ description: "With upsert: the external id field records are matched on; it is written too." }),
    },
    { error: typed("a mapping like {name: Contact, operations: [insert], fields: [LastName]}") },
  )
  .meta({ description: "A Salesforce object the integration writes, and how." });

const WRITE_OBJECTS_EXPECTED = `a list of 1 to ${MAX_OBJECTS} objects written, like [{name: Contact, operations: [insert], fields: [LastName]}]`;

export const writesShape = z
  .strictObject(
    {
      strict: z
        .boolean({ error: typed("true or false") })
        .default(false)
        .meta({
          description:
            "Refuse, with a 422 naming this manifest, a write to the connection that this list does not declare.",
        }),
      objects: z
        .array(writeObjectShape.transform(normaliseWriteObject), { error: typed(WRITE_OBJECTS_EXPECTED) })
        .min(1, { error: problem("the list is empty", WRITE_OBJECTS_EXPECTED) })
        .max(MAX_OBJECTS, { error: (issue) => problem(`${count(issue.input)} objects`, `at most ${MAX_OBJECTS}`) })
        .meta({ description: "The Salesforce objects the integration writes." }),
    },
    { error: typed("a mapping like {strict: true, objects: [{name: Contact, operations: [insert]}]}") },
  )
  .meta({ description: "What the integration writes into the org: objects, operations and fields." });

export const writesInput = writesShape.transform((input): ManifestWrites => ({ ...input }));

/**
 * Operations once each in their canonical order; fields once each (ignoring case) without Id,
 * which update and delete records carry to say which record, and with the external id field.
 */
function normaliseWriteObject(input: z.output<typeof writeObjectShape>): ManifestWriteObject {
  const operations = WRITE_OPERATIONS.filter((o) => input.operations.includes(o));
  const listed = [...(input.fields ?? []), ...(input.externalIdField ? [input.externalIdField] : [])];
  return {
    name: input.name,
    operations,
    fields: distinctNames(listed).filter((f) => f.toLowerCase() !== "id"),
    ...(input.externalIdField === undefined ? {} : { externalIdField: input.externalIdField }),
  };
}

/** Whether the operations set field values, so the fields they set must be listed. */
export function writesFields(operations: readonly WriteOperationName[]): boolean {
  return operations.some((o) => FIELD_WRITING_OPERATIONS.includes(o));
}
