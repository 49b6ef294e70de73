import type { OAuthFailure, RefreshedInfo, TransientFailureInfo } from "@forcelink/salesforce";
import type { ActivityEntry } from "../platform/platform.ts";

/**
 * The activity rows of a connection's token renewals, one per outcome the token lifecycle reports:
 * renewed, failing (each failed round), recovered, refused for good, the app itself refused.
 */
export const refreshActivity = {
  renewed: (projectId: string, connectionId: string, info: RefreshedInfo): ActivityEntry => ({
    projectId,
    connectionId,
    kind: "token_refresh",
    level: "info",
    message: info.instanceUrlChanged
      ? `Access token renewed; the org moved to ${info.instanceUrl}`
      : "Access token renewed",
    details: {
      outcome: "renewed",
      instanceUrl: info.instanceUrl,
      instanceUrlChanged: info.instanceUrlChanged,
      refreshTokenRotated: info.refreshTokenRotated,
    },
  }),
  refused: (
    projectId: string,
    connectionId: string,
    reason: { error: string; reason?: string; description: string; checklistItem?: string },
  ): ActivityEntry => ({
    projectId,
    connectionId,
    kind: "token_refresh",
    level: "error",
    message: `Salesforce refused the grant: ${reason.description}. The customer must connect again`,
    details: {
      outcome: "needs_reauth",
      error: reason.error,
      reason: reason.reason ?? null,
      checklistItem: reason.checklistItem ?? null,
    },
  }),
  failing: (
    projectId: string,
    connectionId: string,
    info: Pick<TransientFailureInfo, "error" | "description" | "failures" | "nextAttemptAt">,
  ): ActivityEntry => ({
    projectId,
    connectionId,
    kind: "token_refresh",
    level: "warn",
    message: `Renewing the access token failed (${info.description}); tried again at ${new Date(info.nextAttemptAt).toISOString()}`,
    details: {
      outcome: "failing",
      error: info.error,
      failures: info.failures,
      nextAttemptAt: new Date(info.nextAttemptAt).toISOString(),
    },
  }),
  recovered: (
    projectId: string,
    connectionId: string,
    info: { failingSince: number; failures: number },
  ): ActivityEntry => ({
    projectId,
    connectionId,
    kind: "token_refresh",
    level: "info",
    message: `Renewing the access token works again after ${info.failures} failed rounds`,
    details: { outcome: "recovered", failures: info.failures, failingSince: new Date(info.failingSince).toISOString() },
  }),
  appRefused: (projectId: string, connectionId: string, failure: OAuthFailure): ActivityEntry => ({
    projectId,
    connectionId,
    kind: "token_refresh",
    level: "error",
    message: `Salesforce refused the provider app itself (${failure.description}): fix the app's settings`,
    details: { outcome: "app_refused", error: failure.error, reason: failure.reason, status: failure.status },
  }),
};
