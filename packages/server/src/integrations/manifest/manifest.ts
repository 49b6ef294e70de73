/**
 * The integration manifest: what an integration reads from a customer's Salesforce org and where
 * it sends it, and what it writes into the org. The format is described in manifest-input-schema.ts.
 */

export { CRON_EXAMPLE, cronProblem } from "./cron.ts";
export type { ManifestError } from "./manifest-errors.ts";
export { manifestInputSchema } from "./manifest-input-schema.ts";
export { manifestJsonSchema } from "./manifest-json-schema.ts";
export { manifestRequirements } from "./manifest-requirements.ts";
export { DESTINATION_TYPES, MAX_MANIFEST_BYTES, WRITE_OPERATIONS, type WriteOperationName } from "./manifest-rules.ts";
export {
  type Manifest,
  type ManifestBackfill,
  type ManifestDestination,
  type ManifestObject,
  type ManifestWriteObject,
  type ManifestWrites,
  manifestSchema,
  type PostgresDestination,
  type RecordsDestination,
  type WebhookDestination,
} from "./manifest-schema.ts";
export { type ManifestParseResult, parseManifest } from "./parse-manifest.ts";
export { manifestSecrets, REDACTED, redactManifest, redactUrl } from "./redact-manifest.ts";
export { lookupFieldOf } from "./schema-helpers.ts";
