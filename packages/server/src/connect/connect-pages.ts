import type { ConnectionChecklistRun } from "../checklist/connection-checklist.ts";
import type { Verdict } from "../checklist/evaluate.ts";
import { VERDICT_WORDS, verdictCounts } from "../checklist/verdict-words.ts";
import { esc, type PopupPost, page } from "./html.ts";

export interface ChoosePageInput {
  appName: string;
  action: string;
  environment?: string | null;
  myDomain?: string | null;
  /** A problem with the last attempt (bad My Domain, a Salesforce refusal) to show above the form. */
  error?: { message: string; fix?: string } | null;
  /** The customer went to Salesforce earlier and did not come back: they may be stuck. */
  returningAfterStart?: boolean;
}

/** Help for a customer who never came back from Salesforce, often stuck on its own error page. */
export const STUCK_HELP = `
  <div class="warn" id="stuck-help"><strong>Didn't make it back from Salesforce?</strong>
  <p>If Salesforce showed <code>OAUTH_APPROVAL_ERROR_GENERIC</code> or said the app must be installed, your
  Salesforce admin has to let you approve this app first. Ask them to do one of these:</p>
  <ol>
    <li>Install the app in your org: Setup → Quick Find "Connected Apps OAuth Usage" → find the app → <em>Install</em>
    (then manage its policies under Setup → "Manage Connected Apps").</li>
    <li>Or give you the permission <em>Approve Uninstalled Connected Apps</em>: Setup → Quick Find "Permission Sets" →
    a permission set assigned to you → System Permissions → Edit → tick it → Save.
    (Orgs with API Access Control on need <em>Use Any API Client</em> instead.)</li>
  </ol>
  <p>If Salesforce said you are not admin approved, your admin must add your profile or a permission set of yours to
  the app: Setup → "Manage Connected Apps" → the app → Profiles / Permission Sets → Manage.</p>
  <p>Then try again below.</p></div>`;

export function choosePage(input: ChoosePageInput): string {
  const env = input.environment ?? "production";
  const choice = (value: string, title: string, hint: string) => `
    <label class="choice"><input type="radio" name="environment" value="${value}" id="env-${value}" ${env === value ? "checked" : ""}>
      <strong>${title}</strong><br><span class="muted">${hint}</span>
      ${value === "mydomain" ? `<input type="text" name="myDomain" id="myDomain" placeholder="acme.my.salesforce.com" value="${esc(input.myDomain ?? "")}" autocomplete="off">` : ""}
    </label>`;
  const body = `
    <h1>Connect ${esc(input.appName)} to Salesforce</h1>
    <p class="muted">Pick the kind of Salesforce org to connect. You will sign in at Salesforce and approve access.</p>
    ${input.returningAfterStart ? STUCK_HELP : ""}
    ${input.error ? `<div class="error" id="error"><strong>${esc(input.error.message)}</strong>${input.error.fix ? `<p>${esc(input.error.fix)}</p>` : ""}</div>` : ""}
    <form method="post" action="${esc(input.action)}" id="connect-form">
      <fieldset>
        ${choice("production", "Production", "Your company's live org, or a Developer Edition (login.salesforce.com)")}
        ${choice("sandbox", "Sandbox", "A test copy of your org (test.salesforce.com)")}
        ${choice("mydomain", "My Domain", "Your org's own login address, found in Setup → My Domain")}
      </fieldset>
      <button type="submit" id="continue">Continue to Salesforce</button>
    </form>`;
  return page(`Connect ${input.appName}`, body);
}

export interface ResultPageInput {
  ok: boolean;
  title: string;
  message: string;
  /** What the customer or their admin must change, step by step. */
  steps?: string[];
  warning?: string;
  details?: Record<string, string>;
  retryUrl?: string;
  returnUrl?: string | null;
  /**
   * In a popup: posted to the opener, then the window closes itself. With an origin (the
   * returnUrl's) the whole message goes there; without one only `{type, status}` goes to any
   * opener ("*"), never an id.
   */
  popupMessage?: { type: string; status: string; [key: string]: unknown } | null;
  popupTargetOrigin?: string | null;
  /**
   * After the helper's redirect fallback: the page sends the customer back to `returnUrl` (which
   * carries the result) on its own, unless a failure or a failing check is left to read.
   */
  redirectBack?: boolean;
  /** The pre-install checklist run right after connecting: its checks, or why it could not run. */
  checklist?: { run: ConnectionChecklistRun } | { error: string } | null;
  /** Where the "Check again" form posts (carries the re-run token). */
  checkAgainAction?: string | null;
}

const VERDICT_ORDER: Record<Verdict, number> = { fail: 0, warn: 1, unknown: 2, pass: 3 };

/** The checklist section of the result page: what is wrong first, each with its remedy. */
export function checklistSection(
  checklist: NonNullable<ResultPageInput["checklist"]>,
  checkAgainAction?: string | null,
): string {
  const again = checkAgainAction
    ? `<form method="post" action="${esc(checkAgainAction)}" id="check-again-form"><button type="submit" id="check-again">Check again</button> <span class="muted">after your admin has made the changes.</span></form>`
    : "";
  if ("error" in checklist) {
    return `<section id="checklist" data-passed="error"><h2>Checks on your org</h2>
      <div class="warn" id="checklist-error"><strong>The checks could not run.</strong><p>${esc(checklist.error)}</p></div>${again}</section>`;
  }
  const { run } = checklist;
  const { summary } = run;
  const checks = [...run.checks].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict]);
  const counts = verdictCounts(summary);
  const headline = run.passed
    ? summary.warn || summary.unknown
      ? "Nothing blocks the app; have a look at the notes below."
      : "Everything the app needs is in place."
    : "Some settings in your org will stop the app from working. Ask your Salesforce admin to make the changes below, then check again.";
  const items = checks
    .map((c) => {
      // A passing check shows only its note; any other shows why, then the numbered steps.
      const detail =
        c.verdict === "pass"
          ? c.reason
            ? `<p class="reason">${esc(c.reason)}</p>`
            : ""
          : `${c.reason ? `<p class="reason">${esc(c.reason)}</p>` : ""}${
              c.remedy?.length
                ? `<ol class="remedy">${c.remedy.map((step) => `<li>${esc(step)}</li>`).join("")}</ol>`
                : ""
            }`;
      return `<li class="check check-${esc(c.verdict)}" data-check="${esc(c.id)}" data-verdict="${esc(c.verdict)}"><span class="verdict">${esc(VERDICT_WORDS[c.verdict] ?? c.verdict)}</span> <span class="check-title">${esc(c.title)}</span>${detail}</li>`;
    })
    .join("");
  return `<section id="checklist" data-passed="${run.passed ? "true" : "false"}" data-run="${esc(run.id)}">
    <h2>Checks on your org</h2>
    <div class="${run.passed ? "ok" : "error"}" id="checklist-summary"><strong>${esc(headline)}</strong><br><span class="muted">${esc(counts)} · checked ${esc(new Date(run.ranAt).toUTCString())}</span></div>
    <ul class="checks">${items}</ul>${again}</section>`;
}

export function resultPage(input: ResultPageInput): string {
  const details = input.details
    ? `<dl>${Object.entries(input.details)
        .map(
          ([k, v]) =>
            `<dt class="muted">${esc(k)}</dt><dd id="detail-${esc(k.toLowerCase().replace(/\s+/g, "-"))}">${esc(v)}</dd>`,
        )
        .join("")}</dl>`
    : "";
  const body = `
    <h1 id="result-title">${esc(input.title)}</h1>
    <div class="${input.ok ? "ok" : "error"}" id="result" data-status="${input.ok ? "connected" : "failed"}">${esc(input.message)}</div>
    ${input.warning ? `<div class="warn" id="warning">${esc(input.warning)}</div>` : ""}
    ${input.steps?.length ? `<p><strong>What to change:</strong></p><ol id="remedy">${input.steps.map((s) => `<li>${esc(s)}</li>`).join("")}</ol>` : ""}
    ${details}
    ${input.checklist ? checklistSection(input.checklist, input.checkAgainAction) : ""}
    ${input.retryUrl ? `<p><a href="${esc(input.retryUrl)}" id="retry">Try again</a></p>` : ""}
    ${input.returnUrl ? `<p><a href="${esc(input.returnUrl)}" id="return">Back to the app</a></p>` : ""}`;
  // The popup closes itself only when there is nothing left to read: a failing check keeps it open.
  const nothingToRead = input.ok && !(input.checklist && (!("run" in input.checklist) || !input.checklist.run.passed));
  if (input.redirectBack && input.returnUrl)
    return page(input.title, body, nothingToRead ? { returnTo: input.returnUrl } : null);
  const popup: PopupPost | null = input.popupMessage
    ? input.popupTargetOrigin
      ? { message: input.popupMessage, targetOrigin: input.popupTargetOrigin, close: nothingToRead }
      : {
          message: { type: input.popupMessage.type, status: input.popupMessage.status },
          targetOrigin: "*",
          close: nothingToRead,
        }
    : null;
  return page(input.title, body, popup);
}

/** What the connect helper resolves with about the checks run at connection time (posted to the opener). */
export type ChecklistResult =
  | { passed: boolean; runId: string; summary: Record<Verdict, number>; failing: string[] }
  | { passed: null; error: string };

export function checklistResult(checklist: ResultPageInput["checklist"]): ChecklistResult | null {
  if (!checklist) return null;
  if ("error" in checklist) return { passed: null, error: checklist.error };
  const { run } = checklist;
  return {
    passed: run.passed,
    runId: run.id,
    summary: { pass: run.summary.pass, warn: run.summary.warn, fail: run.summary.fail, unknown: run.summary.unknown },
    failing: run.checks.filter((c) => c.verdict === "fail").map((c) => c.id),
  };
}
