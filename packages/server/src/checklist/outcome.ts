import type { CheckId } from "../remedies/checks.ts";
import type { Refusal } from "./org-snapshot.ts";

/**
 * The shapes the checklist's rules answer in, shared by the rules and the evaluation that turns
 * them into results.
 */
export type Verdict = "pass" | "fail" | "warn" | "unknown";
export type ConnectionFlow = "web_server" | "client_credentials" | "jwt_bearer";

/** A failure seen while using the connection (sign-in, refresh, API call) that points at a check. */
export interface ObservedFailure {
  checklistItem: string;
  code: string;
  message: string;
  at?: string;
}

export interface ChecklistContext {
  flow: ConnectionFlow;
  /** The app's name in Salesforce, for remedies. */
  appName?: string;
  /** What the caller knows of the app's installation when ConnectedApplication cannot tell. */
  appInstalled?: boolean;
  /** Whether the connection holds a refresh token (web-server flow). */
  hasRefreshToken?: boolean;
  observed?: ObservedFailure[];
  /**
   * Change Data Capture entity allocation, when known (Salesforce does not expose it). Default 5;
   * never taken for less than the entities the org has already selected.
   */
  cdcEntityAllocation?: number;
  /** Fail below this share of the daily API quota left (default 0.05), warn below `warnBelow` (0.2). */
  quota?: { failBelow?: number; warnBelow?: number };
}

export interface CheckResult {
  id: CheckId;
  title: string;
  verdict: Verdict;
  evidence: Record<string, unknown>;
  /** Why the verdict is "unknown" or "fail", what a "warn" is about, or a note on a "pass". */
  reason?: string;
  /** Steps for the customer's admin, for every verdict but "pass"; each one an action. */
  remedy?: string[];
}

/** What a rule decides; `finish` turns it into a result. */
export type Outcome = Omit<CheckResult, "id" | "title" | "remedy"> & {
  /** Which of the check's remedies applies, with the values for its placeholders. */
  remedy?: { mode: string; values?: Record<string, string | string[]> };
  /** For an "unknown": the refusal that kept the check from reading, so its steps name the cause. */
  cause?: Pick<Refusal, "code" | "checklistItem">;
};

type Why = { code: string; message: string; checklistItem?: string };

/** Undecided because something could not be read: the steps say what kept it from reading. */
export function unknown(reading: Why, evidence: Record<string, unknown> = {}): Outcome {
  return {
    verdict: "unknown",
    evidence,
    reason: `${reading.code}: ${reading.message}`,
    cause: { code: reading.code, checklistItem: reading.checklistItem },
  };
}

/** Undecided, with the check's own steps instead of the ones naming what kept it from reading. */
export function unknownWithSteps(mode: string, reading: Why, evidence: Record<string, unknown> = {}): Outcome {
  return { verdict: "unknown", evidence, reason: `${reading.code}: ${reading.message}`, remedy: { mode } };
}

export const NOT_APPLICABLE = (why: string): Outcome => ({ verdict: "pass", evidence: { applies: false, why } });
