import { z } from "zod";
import { OBJECT_PERMISSIONS, SYSTEM_PERMISSIONS } from "../schema/setup-objects.ts";

/** The shapes the control surface and seed files accept, with errors that say what is expected. */

const systemPermission = z.enum(SYSTEM_PERMISSIONS);
const objectPermission = z.enum(OBJECT_PERMISSIONS);

export const permissionChangeSpec = z
  .object({
    /** System permissions to turn on (true) or off (false). */
    system: z.partialRecord(systemPermission, z.boolean()).optional(),
    /** Object name to the object permissions it grants (replacing what was granted); [] removes access. */
    objects: z.record(z.string(), z.array(objectPermission)).optional(),
    /** "Object.Field" or "Object.*" to "edit", "read" or "none". */
    fields: z.record(z.string(), z.enum(["edit", "read", "none"])).optional(),
  })
  .strict();
export type PermissionChange = z.infer<typeof permissionChangeSpec>;

export const permissionSetSpec = permissionChangeSpec.extend({
  name: z.string().min(1),
  label: z.string().optional(),
});

export const profileSpec = permissionChangeSpec.extend({
  name: z.string().min(1),
  license: z
    .enum(["Salesforce", "Salesforce Platform", "Salesforce Integration", "Chatter Free"])
    .default("Salesforce"),
});

export const userSpec = z
  .object({
    username: z.string().min(3),
    password: z.string().min(1),
    profile: z.string().default("Standard User"),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    email: z.string().optional(),
    active: z.boolean().optional(),
    permissionSets: z.array(z.string()).optional(),
  })
  .strict();

export const userPatchSpec = z
  .object({
    active: z.boolean().optional(),
    password: z.string().min(1).optional(),
    profile: z.string().optional(),
    addPermissionSets: z.array(z.string()).optional(),
    removePermissionSets: z.array(z.string()).optional(),
  })
  .strict();

const refreshTokenPolicy = z.discriminatedUnion("type", [
  z.object({ type: z.literal("until_revoked") }),
  z.object({ type: z.literal("immediately") }),
  z.object({ type: z.literal("lifetime"), seconds: z.number().positive() }),
  z.object({ type: z.literal("idle"), seconds: z.number().positive() }),
]);

const appFields = {
  name: z.string().min(1),
  kind: z.enum(["ConnectedApp", "ExternalClientApp"]),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  callbackUrls: z.array(z.string().url()),
  scopes: z.array(z.string()),
  pkceRequired: z.boolean(),
  requireSecretForWebServerFlow: z.boolean(),
  requireSecretForRefresh: z.boolean(),
  installed: z.boolean(),
  permittedUsers: z.enum(["all_self_authorize", "admin_approved"]),
  /** Profile or permission set names pre-authorized for an admin-approved app. */
  preauthorized: z.array(z.string()),
  refreshTokenPolicy,
  rotateRefreshTokens: z.boolean(),
  ipRelaxation: z.enum(["enforce", "relax", "relax_refresh"]),
  clientCredentialsEnabled: z.boolean(),
  clientCredentialsUser: z.string().nullable(),
  jwtCertificate: z.string().nullable(),
  introspectAllTokens: z.boolean(),
  highAssuranceRequired: z.boolean(),
};

export const appSpec = z
  .object(appFields)
  .partial()
  .required({ name: true, clientId: true, clientSecret: true })
  .strict();
export const appPatchSpec = z.object(appFields).partial().omit({ clientId: true }).strict();

const fieldTypes = [
  "string",
  "textarea",
  "boolean",
  "int",
  "double",
  "currency",
  "percent",
  "date",
  "datetime",
  "picklist",
  "multipicklist",
  "reference",
  "email",
  "phone",
  "url",
] as const;

export const customFieldSpec = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, "custom field names end in __c, e.g. External_Id__c"),
    type: z.enum(fieldTypes),
    label: z.string().optional(),
    length: z.number().int().positive().optional(),
    required: z.boolean().optional(),
    unique: z.boolean().optional(),
    externalId: z.boolean().optional(),
    referenceTo: z.string().optional(),
    relationshipName: z.string().optional(),
    picklistValues: z.array(z.string()).optional(),
    restricted: z.boolean().optional(),
    /** A formula over other fields of the record, as `a + b` of number fields only; read-only. */
    formula: z.string().optional(),
  })
  .strict();
export type CustomFieldSpec = z.infer<typeof customFieldSpec>;

export const objectSpec = z
  .object({
    /** A standard object to extend (Account) or a custom object to create (Invoice__c). */
    name: z.string().min(1),
    label: z.string().optional(),
    labelPlural: z.string().optional(),
    fields: z.array(customFieldSpec).default([]),
    /** Profiles or permission sets that get full access to the object and its new fields. */
    grantTo: z.array(z.string()).optional(),
  })
  .strict();

export const orgPatchSpec = z
  .object({
    name: z.string().optional(),
    edition: z.string().optional(),
    isSandbox: z.boolean().optional(),
    myDomain: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .optional(),
    apiEnabled: z.boolean().optional(),
    apiAccessControl: z.boolean().optional(),
    clientIpTrusted: z.boolean().optional(),
    sessionTimeoutSeconds: z.number().int().positive().optional(),
    locatorTtlSeconds: z.number().int().positive().optional(),
    maxOpenLocatorsPerUser: z.number().int().min(0).optional(),
    authCodeTtlSeconds: z.number().int().positive().optional(),
    bulkResultsNotReadyStatus: z.number().int().min(400).max(499).optional(),
    introspectBadClientStatus: z.number().int().min(400).max(499).optional(),
    ipRestrictedDescription: z.string().optional(),
    sessionLevelRefusal: z.string().min(1).optional(),
    queryAllLocatorPath: z.enum(["query", "queryAll"]).optional(),
    bulkJobProcessingMs: z.number().int().min(0).optional(),
    cdcEntityAllocation: z.number().int().min(0).optional(),
    allowPasswordFlow: z.boolean().optional(),
  })
  .strict();
export type OrgPatch = z.infer<typeof orgPatchSpec>;

export const quotaSpec = z
  .object({ limit: z.number().int().positive().optional(), used: z.number().int().min(0).optional() })
  .strict();

export const faultSpec = z
  .object({
    errorRate: z.number().min(0).max(1).optional(),
    errorStatus: z.union([z.literal(500), z.literal(503)]).optional(),
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    dropRate: z.number().min(0).max(1).optional(),
    dropAfterServeRate: z.number().min(0).max(1).optional(),
    unableToLockRow: z.number().int().min(0).optional(),
    unableToLockRowRate: z.number().min(0).max(1).optional(),
    queryTimeout: z.number().int().min(0).optional(),
    pathContains: z.string().optional(),
    seed: z.number().int().optional(),
  })
  .strict();

export const validationRuleSpec = z
  .object({
    object: z.string().min(1),
    name: z.string().min(1),
    /** ISBLANK(Field), NOT(ISBLANK(Field)), or Field <op> literal. */
    condition: z.string().min(1),
    errorMessage: z.string().min(1),
    errorField: z.string().optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const seedSpec = z
  .object({
    org: orgPatchSpec.extend({ dailyApiLimit: z.number().int().positive().optional() }).optional(),
    admin: z.object({ username: z.string(), password: z.string() }).strict().optional(),
    objects: z.array(objectSpec).optional(),
    profiles: z.array(profileSpec).optional(),
    permissionSets: z.array(permissionSetSpec).optional(),
    /** Changes to existing profiles or permission sets, by name. */
    permissions: z.record(z.string(), permissionChangeSpec).optional(),
    users: z.array(userSpec).optional(),
    apps: z.array(appSpec).optional(),
    /** Records to insert as they are, by object name. */
    records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
    /** How many records the deterministic generator makes, by object name. */
    generate: z.record(z.string(), z.number().int().min(0)).optional(),
    validationRules: z.array(validationRuleSpec).optional(),
    faults: faultSpec.optional(),
    quota: quotaSpec.optional(),
  })
  .strict();
export type SeedSpec = z.infer<typeof seedSpec>;

/** Parses input against a spec, or throws an error listing each problem with its path. */
export function parseSpec<T extends z.ZodType>(spec: T, input: unknown, what: string): z.infer<T> {
  const result = spec.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  throw new SpecError(`${what} is not valid:\n  - ${problems.join("\n  - ")}`);
}

export class SpecError extends Error {}
