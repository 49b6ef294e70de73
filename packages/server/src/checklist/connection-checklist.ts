import { OAuthFailure, type ReauthReason } from "@forcelink/salesforce";
import { and, desc, eq } from "drizzle-orm";
import type { ConnectionRow } from "../connections/connection-store.ts";
import { newId } from "../ids.ts";
import { installedIntegrations } from "../integrations/integration-store.ts";
import { manifestRequirements } from "../integrations/manifest/manifest.ts";
import type { ActivityEntry, Platform } from "../platform/platform.ts";
import { getProviderAppById, openProviderAppSecrets } from "../provider-apps/provider-app-store.ts";
import {
  type ObjectRequirement,
  type RequirementAccess,
  type Requirements,
  requirementsSchema,
} from "../provider-apps/requirements.ts";
import { explainRefusedGrant } from "../remedies/grant-refusal.ts";
import type { CheckPointer } from "../remedies/problem.ts";
import { Problem } from "../remedies/problem.ts";
import { checklistRuns, connections } from "../store/schema.ts";
import type { CheckResult, ConnectionFlow, ObservedFailure, Verdict } from "./evaluate.ts";
import type { ApiCallCount } from "./org-snapshot.ts";
import { accessTokenProbe, refreshTokenProbe } from "./refresh-probe.ts";
import { runChecklist } from "./run-checklist.ts";

export interface ChecklistSummary {
  pass: number;
  fail: number;
  warn: number;
  unknown: number;
}

/** A stored run, as the API and the CLI show it. */
export interface ConnectionChecklistRun {
  id: string;
  connectionId: string;
  ranAt: string;
  /** No check failed: warnings and unknowns do not fail a run. */
  passed: boolean;
  summary: ChecklistSummary;
  checks: CheckResult[];
  apiCalls: ApiCallCount;
}

/** The connection's grant is gone: its org cannot be read until the customer connects again. */
export class ConnectionNeedsReauth extends Problem {
  readonly reauth: ReauthReason | null;
  constructor(reauth: ReauthReason | null, check?: CheckPointer) {
    super(
      "customer-action",
      "connection_needs_reauth",
      `The connection needs to be connected again${reauth ? ` (${reauth.error}: ${reauth.description})` : ""}; its org cannot be read.`,
      {
        remedy:
          "Have the customer connect again (POST /v1/connect-sessions with {connectionId}), then run the checklist.",
        check,
        details: { reauth },
      },
    );
    this.reauth = reauth;
  }
}

/** The connection's access token as stored now: the run's own calls may have renewed it. */
async function currentAccessToken(platform: Platform, row: ConnectionRow): Promise<string> {
  const [now] = await platform.db
    .select({ sealed: connections.accessTokenSealed })
    .from(connections)
    .where(eq(connections.id, row.id));
  return platform.sealer.open(now?.sealed ?? row.accessTokenSealed);
}

/** The reason a refused grant carries, as the token lifecycle records it on the connection. */
function reauthFrom(failure: OAuthFailure, at: number): ReauthReason {
  return {
    error: failure.error,
    reason: failure.reason,
    description: failure.description,
    ...(failure.checklistItem ? { checklistItem: failure.checklistItem } : {}),
    ...(failure.remedy ? { remedy: failure.remedy } : {}),
    at,
  };
}

const NO_REQUIREMENTS: Requirements = { objects: [] };

/** The requirements of the manifests of the integrations installed on the connection. */
async function installedRequirements(platform: Platform, connectionId: string): Promise<Requirements[]> {
  return (await installedIntegrations(platform, connectionId)).map((i) => manifestRequirements(i.integration.manifest));
}

/**
 * One object entry per object (names ignore case): accesses united, field lists united. When any
 * entry says which of its fields are written (`writeFields`), the merged entry does too, with the
 * fields every entry writes: an entry without `writeFields` writes all its fields when it may create
 * or edit.
 */
export function mergeRequirements(all: Requirements[]): Requirements {
  const byName = new Map<string, ObjectRequirement[]>();
  for (const r of all)
    for (const o of r.objects) byName.set(o.name.toLowerCase(), [...(byName.get(o.name.toLowerCase()) ?? []), o]);
  return { objects: [...byName.values()].map(mergeObject) };
}

function mergeObject(entries: ObjectRequirement[]): ObjectRequirement {
  const [first] = entries;
  const access: RequirementAccess[] = [];
  for (const o of entries) for (const a of o.access) if (!access.includes(a)) access.push(a);
  const listed = entries.some((o) => o.fields) ? { fields: distinct(entries.flatMap((o) => o.fields ?? [])) } : {};
  const merged: ObjectRequirement = { name: first.name, access, ...listed };
  if (entries.some((o) => o.writeFields)) {
    const writes = (o: ObjectRequirement) => o.access.some((a) => a === "write" || a === "create" || a === "edit");
    merged.writeFields = distinct(entries.flatMap((o) => o.writeFields ?? (writes(o) ? (o.fields ?? []) : [])));
  }
  return merged;
}

function distinct(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) if (!out.some((x) => x.toLowerCase() === n.toLowerCase())) out.push(n);
  return out;
}

/**
 * Runs the pre-install checklist against a connection's org as its connected user, stores the
 * run and returns it. Makes a handful of API calls (counted in `apiCalls`) and one introspection of
 * the refresh token.
 */
export async function runConnectionChecklist(platform: Platform, row: ConnectionRow): Promise<ConnectionChecklistRun> {
  const reauth = (row.reauth as ReauthReason | null) ?? null;
  if (row.status === "needs_reauth" || reauth) throw await needsReauth(platform, row, reauth);
  const app = await getProviderAppById(platform, row.providerAppId);
  if (!app) throw new Error(`provider app ${row.providerAppId} of connection ${row.id} is gone`);
  // What the provider app declares and what every installed integration's manifest reads; with
  // neither, the object and field checks have nothing to ask and pass.
  const parsed = app.requirements == null ? null : requirementsSchema.safeParse(app.requirements);
  const requirements = mergeRequirements([
    parsed?.success ? parsed.data : NO_REQUIREMENTS,
    ...(await installedRequirements(platform, row.id)),
  ]);
  const client = await platform.tokens.clientFor(row);
  const clientSecret = (await openProviderAppSecrets(platform, app)).clientSecret;
  const run = await runChecklist(client, requirements, {
    userId: row.userId,
    now: platform.clock.now,
    flow: row.authFlow as ConnectionFlow,
    // The provider app's name in Forcelink, used to find the app in the org (ConnectedApplication.Name)
    // and in remedies. It must match the app's name in the customer's org: when nothing there
    // carries it, the installation and refresh-policy checks can only answer "unknown".
    appName: app.name,
    hasRefreshToken: row.refreshTokenSealed !== null,
    observed: observedFrom(row),
    // The refresh token is introspected, never redeemed: a test refresh would go around the token
    // lifecycle's lease and rotate the token where the org rotates them.
    refreshProbe: row.refreshTokenSealed
      ? refreshTokenProbe({
          instanceUrl: row.instanceUrl,
          clientId: app.clientId,
          clientSecret,
          refreshToken: platform.sealer.open(row.refreshTokenSealed),
        })
      : undefined,
    accessProbe: accessTokenProbe({
      instanceUrl: row.instanceUrl,
      clientId: app.clientId,
      clientSecret,
      accessToken: () => currentAccessToken(platform, row),
    }),
  }).catch(async (error: unknown) => {
    // The token lifecycle has already recorded the refusal on the connection; the caller hears
    // the same 409 a second run would give, not whatever the refusal was thrown as.
    if (error instanceof OAuthFailure && error.kind === "terminal")
      throw await needsReauth(platform, row, reauthFrom(error, platform.clock.nowMs()));
    throw error;
  });
  const summary = summarize(run.checks);
  const [stored] = await platform.db
    .insert(checklistRuns)
    .values({
      id: newId("chk"),
      projectId: row.projectId,
      connectionId: row.id,
      ranAt: new Date(run.ranAt),
      passed: summary.fail === 0,
      results: run.checks,
      apiCalls: run.apiCalls,
    })
    .returning();
  const view = viewRun(stored);
  await platform.activity.record(checklistActivity(row, view));
  return view;
}

/**
 * The refusal explained with what the connection's last run read of the app's policy, which
 * tells a revoked grant from one the policy expired.
 */
async function needsReauth(
  platform: Platform,
  row: ConnectionRow,
  reauth: ReauthReason | null,
): Promise<ConnectionNeedsReauth> {
  if (!reauth) return new ConnectionNeedsReauth(null);
  const lastRun = await latestChecklistRun(platform, row.projectId, row.id);
  const user = row.username ? `the user ${row.username}` : undefined;
  const policy = lastRun?.checks.find((c) => c.id === "refresh-token-policy") ?? null;
  return new ConnectionNeedsReauth(reauth, explainRefusedGrant(reauth, policy, { user }));
}

/** The latest stored run of a connection of a project, or null. */
export async function latestChecklistRun(
  platform: Platform,
  projectId: string,
  connectionId: string,
): Promise<ConnectionChecklistRun | null> {
  const [row] = await platform.db
    .select()
    .from(checklistRuns)
    .where(and(eq(checklistRuns.projectId, projectId), eq(checklistRuns.connectionId, connectionId)))
    .orderBy(desc(checklistRuns.ranAt), desc(checklistRuns.id))
    .limit(1);
  return row ? viewRun(row) : null;
}

/** A stored checklist run as the API shows it. */
export function viewRun(row: typeof checklistRuns.$inferSelect): ConnectionChecklistRun {
  const checks = row.results as CheckResult[];
  return {
    id: row.id,
    connectionId: row.connectionId,
    ranAt: row.ranAt.toISOString(),
    passed: row.passed,
    summary: summarize(checks),
    checks,
    apiCalls: row.apiCalls as ApiCallCount,
  };
}

/**
 * The failure the connection last met, when it names a checklist item, so the matching check
 * fails with it. Today a connection carrying a reason needs re-auth and is refused (409) before
 * any run, so this yields nothing yet; it is here for when runs are allowed on such connections.
 */
function observedFrom(row: ConnectionRow): ObservedFailure[] {
  const reauth = (row.reauth as ReauthReason | null) ?? null;
  if (!reauth?.checklistItem) return [];
  return [
    {
      checklistItem: reauth.checklistItem,
      code: reauth.error,
      message: reauth.description,
      at: new Date(reauth.at).toISOString(),
    },
  ];
}

export function summarize(checks: CheckResult[]): ChecklistSummary {
  const summary: Record<Verdict, number> = { pass: 0, fail: 0, warn: 0, unknown: 0 };
  for (const c of checks) summary[c.verdict]++;
  return summary;
}

/** The activity row of a checklist run: passed or not, and which checks failed or warned. */
function checklistActivity(row: ConnectionRow, run: ConnectionChecklistRun): ActivityEntry {
  const failing = run.checks.filter((c) => c.verdict === "fail").map((c) => c.id);
  const warning = run.checks.filter((c) => c.verdict === "warn").map((c) => c.id);
  return {
    projectId: row.projectId,
    connectionId: row.id,
    kind: "checklist_run",
    level: failing.length > 0 ? "warn" : "info",
    message:
      failing.length > 0
        ? `Checklist ran: ${failing.length} check${failing.length === 1 ? "" : "s"} failed (${failing.join(", ")})`
        : "Checklist ran: nothing blocks the app",
    details: { runId: run.id, passed: run.passed, summary: run.summary, failing, warning, apiCalls: run.apiCalls },
  };
}
