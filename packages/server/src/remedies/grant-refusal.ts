import { type CheckPointer, explainGrantFailure, type GrantFailure } from "./explain-failure.ts";

/** What a checklist run concluded of the app's refresh-token policy (its `refresh-token-policy` check). */
export interface PolicyReading {
  verdict: string;
  evidence: Record<string, unknown>;
}

/** A pointer for a refused grant; its `reason` says what Forcelink concluded about why. */
export type GrantRefusal = CheckPointer;

/** The item a refresh token an admin or the user revoked points to; the checklist cannot verify it. */
export const GRANT_REVOKED = "grant-revoked";

/**
 * Salesforce answers the same `invalid_grant: expired access/refresh token` whether the app's
 * policy expired the refresh token or someone revoked it. What the connection's last checklist
 * run read of the policy (`policy`, null when none ran) tells them apart: under "valid until revoked" (confirmed by an active
 * introspection) the token can only have been revoked; under an idle or lifetime policy it most
 * likely expired.
 */
export function explainRefusedGrant(
  failure: GrantFailure,
  policy: PolicyReading | null,
  names: { user?: string } = {},
): GrantRefusal | undefined {
  const pointer = explainGrantFailure(failure, names);
  if (failure.checklistItem !== "refresh-token-policy" || !pointer) return pointer;
  if (!policy)
    return {
      ...pointer,
      reason:
        "Salesforce does not say whether the refresh token was revoked or expired under the app's policy, and the checklist has not read the policy for this connection yet; run it after connecting again to learn which.",
    };
  if (policy.verdict === "pass" && policy.evidence.applies !== false) return revoked(names.user);
  const hours = policy.evidence.RefreshTokenValidityPeriod;
  const period = typeof hours === "number" ? `${hours} hour${hours === 1 ? "" : "s"}` : "a set time";
  const reason =
    policy.evidence.OptionsRefreshTokenValidityMetric === true
      ? `The refresh token expired: the app's policy ends refresh tokens left unused for ${period}.`
      : typeof hours === "number"
        ? `The refresh token expired: the app's policy ends refresh tokens ${period} after they are issued.`
        : "The refresh token was refused: the app's policy may expire refresh tokens, or someone revoked the app's access.";
  return { ...pointer, reason };
}

function revoked(user = "the connected user"): GrantRefusal {
  return {
    id: GRANT_REVOKED,
    title: "The app's access was revoked in the org",
    checklist: false,
    reason:
      "The app's policy keeps refresh tokens valid until revoked, so this one was revoked: an admin revoked the app's access (or blocked the app), the user revoked it in their own settings, or a sixth connection of the same user to the app made Salesforce revoke the oldest.",
    remedy: [
      "Connect the org again through the integration's connect link; the checklist can run once the connection is back.",
      `Ask the org's admin not to revoke the app's access for ${user} while the integration should run (in Setup, Quick Find 'Connected Apps OAuth Usage': the app's Block button and the user's Revoke links both end the connection).`,
      "Connect each user to the app at most five times: Salesforce keeps five refresh tokens per user and app and revokes the oldest when a sixth is issued.",
    ],
  };
}
