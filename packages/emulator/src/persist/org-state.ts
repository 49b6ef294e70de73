import { createPrivateKey, createPublicKey } from "node:crypto";
import { BulkJobRegistry } from "../bulk/job-registry.ts";
import type { BulkJob, QueryJob } from "../bulk/job-types.ts";
import { addValidationRule } from "../control/apply.ts";
import { applyObjectSpec } from "../control/custom-schema.ts";
import type { ValidationRule } from "../dml/validation-rules.ts";
import { type Approvals, approvalsOf } from "../oauth/approvals.ts";
import { type AuthCode, authCodesOf } from "../oauth/auth-codes.ts";
import type { SigningKey } from "../oauth/signing-key.ts";
import { OrgAdmin } from "../org/admin.ts";
import type { ConnectedApp } from "../org/connected-app.ts";
import type { CustomSchemaEntry, Org } from "../org/org.ts";
import type { Grant, Session } from "../org/sessions.ts";
import type { OrgSettings } from "../org/settings.ts";
import type { SoqlResult } from "../soql/types.ts";
import type { StoredRecord } from "../store/record-store.ts";

/** Everything of an org that is not a record: small, so it is written whole whenever it changes. */
export interface OrgMeta {
  format: 1;
  organizationId: string;
  createdAt: number;
  schemaChangedAt: number;
  myDomain: string;
  clockOffsetMs: number;
  settings: OrgSettings;
  ids: Record<string, number>;
  apiUsage: { limit: number; hours: Array<[number, number]> };
  schema: CustomSchemaEntry[];
  validationRules: ValidationRule[];
  passwords: Array<[string, string]>;
  apps: ConnectedApp[];
  /** lastUsedAt is null for a session the control surface expired (-Infinity, which JSON cannot hold). */
  sessions: Array<Omit<Session, "lastUsedAt"> & { lastUsedAt: number | null }>;
  grants: Grant[];
  approvals: Array<[string, string[]]>;
  authCodes: AuthCode[];
  signingKey: { kid: string; privateKeyPem: string } | null;
}

export function captureMeta(org: Org): OrgMeta {
  const approvals = org.extensions.get("oauth.approvals") as Approvals | undefined;
  const key = org.extensions.get("oauth.signingKey") as SigningKey | undefined;
  return {
    format: 1,
    organizationId: org.organizationId,
    createdAt: org.createdAt,
    schemaChangedAt: org.schemaChangedAt,
    myDomain: org.myDomain,
    clockOffsetMs: org.clock.offset,
    settings: org.settings,
    ids: org.ids.saved(),
    apiUsage: { limit: org.apiUsage.limit, hours: org.apiUsage.saved() },
    schema: org.schemaLog,
    validationRules: org.validationRules.map((r) => r.rule),
    passwords: [...org.passwords],
    apps: [...org.apps.values()],
    sessions: [...org.sessions.sessions.values()].map((s) => ({
      ...s,
      lastUsedAt: Number.isFinite(s.lastUsedAt) ? s.lastUsedAt : null,
    })),
    grants: [...org.sessions.grants.values()],
    approvals: approvals?.saved() ?? [],
    authCodes: org.extensions.has("oauth.authCodes") ? authCodesOf(org).saved() : [],
    signingKey: key
      ? { kid: key.kid, privateKeyPem: key.privateKey.export({ format: "pem", type: "pkcs8" }).toString() }
      : null,
  };
}

/** Makes the saved custom objects and fields again, before their records are loaded. */
export function restoreSchema(org: Org, meta: OrgMeta): void {
  const admin = new OrgAdmin(org);
  // Their permissions are records, loaded with the others: nothing is granted here.
  for (const entry of meta.schema) applyObjectSpec(org, admin, { ...entry, grantTo: [] });
}

/** Puts back everything else, once the records are loaded. */
export function restoreMeta(org: Org, meta: OrgMeta): void {
  if (meta.organizationId !== org.organizationId)
    throw new Error(
      `the saved org ${meta.organizationId} does not match the org this emulator makes (${org.organizationId})`,
    );
  org.createdAt = meta.createdAt;
  org.schemaChangedAt = meta.schemaChangedAt;
  org.myDomain = meta.myDomain;
  org.clock.restore(meta.clockOffsetMs);
  Object.assign(org.settings, meta.settings);
  org.ids.restore(meta.ids);
  org.apiUsage.limit = meta.apiUsage.limit;
  org.apiUsage.restore(meta.apiUsage.hours);
  for (const rule of meta.validationRules) addValidationRule(org, rule);
  for (const [userId, password] of meta.passwords) org.passwords.set(userId, password);
  org.apps.clear();
  for (const app of meta.apps) org.apps.set(app.id, app);
  for (const s of meta.sessions)
    org.sessions.sessions.set(s.accessToken, { ...s, lastUsedAt: s.lastUsedAt ?? Number.NEGATIVE_INFINITY });
  for (const g of meta.grants) org.sessions.grants.set(g.refreshToken, g);
  approvalsOf(org).restore(meta.approvals);
  authCodesOf(org).restore(meta.authCodes);
  if (meta.signingKey) {
    const privateKey = createPrivateKey(meta.signingKey.privateKeyPem);
    const saved: SigningKey = { kid: meta.signingKey.kid, privateKey, publicKey: createPublicKey(privateKey) };
    org.extensions.set("oauth.signingKey", saved);
  }
}

/** The org's Bulk 2.0 jobs, without purging expired ones (reading must not change the org). */
export function bulkJobs(org: Org): BulkJobRegistry {
  return org.extension("bulk.jobs", () => new BulkJobRegistry());
}

/** A completed query job keeps its rows as CSV values: they were captured when it completed. */
type SavedJob = Omit<BulkJob, "validated" | "snapshot"> & {
  snapshot?: { columns: string[]; rows: string[][] } | null;
};

export function saveJob(job: BulkJob): SavedJob {
  if (job.kind === "ingest") return job;
  const { validated: _cache, snapshot, ...rest } = job;
  return {
    ...rest,
    snapshot: snapshot ? { columns: snapshot.columns, rows: snapshot.records.map((r) => snapshot.toCsvRow(r)) } : null,
  };
}

export function loadJob(org: Org, saved: SavedJob): BulkJob {
  if (saved.kind === "ingest") return saved as BulkJob;
  const { snapshot, ...rest } = saved;
  const def = org.objectDef(saved.object);
  return {
    ...(rest as Omit<QueryJob, "validated" | "snapshot">),
    validated: null,
    snapshot: snapshot && def ? frozenResult(def, snapshot.columns, snapshot.rows) : null,
  };
}

/** What changes when a job changes, without its (possibly large) upload and results. */
export function jobFingerprint(job: BulkJob): string {
  return JSON.stringify(job, (key, value) => {
    if (key === "upload" || key === "result") return typeof value === "string" ? value.length : value ? "set" : null;
    if (key === "snapshot") return value ? (value as SoqlResult).records.length : null;
    if (key === "validated") return undefined;
    return value;
  });
}

function frozenResult(def: SoqlResult["def"], columns: string[], rows: string[][]): SoqlResult {
  const records = rows.map((values, i) => ({ Id: String(i), values }) as unknown as StoredRecord);
  return {
    def,
    columns,
    records,
    totalSize: records.length,
    isCount: false,
    aggregate: false,
    hasSubquery: false,
    hasOffset: false,
    toJson: (r) => Object.fromEntries(columns.map((c, i) => [c, (r.values as string[])[i]])),
    toCsvRow: (r) => r.values as string[],
  };
}
