import type { SalesforceClient } from "@forcelink/salesforce";
import type { Requirements } from "../provider-apps/requirements.ts";
import { type ChecklistContext, type CheckResult, evaluateChecklist } from "./evaluate.ts";
import { needsFrom } from "./needs.ts";
import { type ApiCallCount, type OrgSnapshot, takeOrgSnapshot } from "./org-snapshot.ts";

export interface RunChecklistContext extends ChecklistContext {
  /** The connected user (005…), as the connection recorded it. */
  userId: string;
  /** Redeems the connection's refresh token once, throwing Salesforce's refusal (an OAuthFailure). */
  refreshProbe?: () => Promise<void>;
  /** Introspects the connection's access token as the app, for its expiry. */
  accessProbe?: () => Promise<{ expiresAt: number | null }>;
  now: () => Date;
}

export interface ChecklistRun {
  ranAt: string;
  checks: CheckResult[];
  /** Calls made: `api` counts against the org's daily quota, `oauth` (the refresh-token introspection) does not. */
  apiCalls: ApiCallCount;
  snapshot: OrgSnapshot;
}

/** Reads the org as the connected user and judges every check against the declared requirements. */
export async function runChecklist(
  client: SalesforceClient,
  requirements: Requirements,
  context: RunChecklistContext,
): Promise<ChecklistRun> {
  const needs = needsFrom(requirements);
  const { userId, refreshProbe, accessProbe, now, ...judging } = context;
  const { snapshot, calls } = await takeOrgSnapshot(client, needs, {
    userId,
    appName: context.appName,
    refreshProbe,
    accessProbe,
    now,
  });
  return { ranAt: snapshot.takenAt, checks: evaluateChecklist(snapshot, needs, judging), apiCalls: calls, snapshot };
}
