import type { ChecklistSummary } from "./connection-checklist.ts";
import type { Verdict } from "./outcome.ts";

/**
 * The one vocabulary for verdicts, used by the connect page and by `forcelink doctor` alike (the
 * page shows the badge in capitals through its style, the terminal in capitals as text).
 */
export const VERDICT_WORDS: Record<Verdict, string> = {
  pass: "Pass",
  fail: "Fail",
  warn: "Warning",
  unknown: "Unknown",
};

/** The run's counts in the same words: "1 failed, 2 warnings, 1 unknown, 12 passed". */
export function verdictCounts(summary: ChecklistSummary): string {
  return [
    summary.fail ? `${summary.fail} failed` : "",
    summary.warn ? `${summary.warn} warning${summary.warn === 1 ? "" : "s"}` : "",
    summary.unknown ? `${summary.unknown} unknown` : "",
    `${summary.pass} passed`,
  ]
    .filter(Boolean)
    .join(", ");
}
