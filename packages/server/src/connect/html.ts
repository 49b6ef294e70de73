import { createHash } from "node:crypto";

/** Escapes text for HTML: every value from outside goes through here. */
export function esc(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export const STYLE = `
  body { font: 15px/1.5 system-ui, sans-serif; background: #f4f6f9; color: #1b2430; margin: 0; }
  main { max-width: 34rem; margin: 3rem auto; background: #fff; border-radius: 10px; padding: 2rem 2.25rem; box-shadow: 0 2px 10px rgba(0,0,0,.06); }
  h1 { font-size: 1.35rem; margin: 0 0 .5rem; }
  .muted { color: #5b6675; }
  fieldset { border: 0; padding: 0; margin: 1.25rem 0; }
  label.choice { display: block; border: 1px solid #d7dde5; border-radius: 8px; padding: .75rem 1rem; margin: .5rem 0; cursor: pointer; }
  label.choice:has(input:checked) { border-color: #0b5cad; background: #eef5fd; }
  input[type=text] { width: 100%; box-sizing: border-box; padding: .55rem .7rem; border: 1px solid #b9c2cd; border-radius: 6px; font: inherit; margin-top: .35rem; }
  button { background: #0b5cad; color: #fff; border: 0; border-radius: 6px; padding: .65rem 1.3rem; font: inherit; cursor: pointer; }
  .error { background: #fdecec; border: 1px solid #f3b5b5; border-radius: 8px; padding: .75rem 1rem; margin: 1rem 0; }
  .ok { background: #e9f7ef; border: 1px solid #a8dcbc; border-radius: 8px; padding: .75rem 1rem; margin: 1rem 0; }
  .warn { background: #fff7e6; border: 1px solid #f1d19a; border-radius: 8px; padding: .75rem 1rem; margin: 1rem 0; }
  ol { padding-left: 1.2rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  ul.checks { list-style: none; padding: 0; margin: .75rem 0; }
  li.check { border: 1px solid #d7dde5; border-left-width: 4px; border-radius: 6px; padding: .55rem .8rem; margin: .45rem 0; }
  li.check-fail { border-left-color: #c23934; }
  li.check-warn { border-left-color: #dd7a01; }
  li.check-unknown { border-left-color: #8a94a3; }
  li.check-pass { border-left-color: #2e844a; }
  .verdict { display: inline-block; font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; border-radius: 4px; padding: 0 .4rem; margin-right: .3rem; background: #eef1f5; }
  .check-fail .verdict { background: #fdecec; color: #a61a14; }
  .check-warn .verdict { background: #fff7e6; color: #8c4b02; }
  .check-pass .verdict { background: #e9f7ef; color: #1f6b38; }
  li.check .reason { margin: .35rem 0 0; color: #3e4856; }
  li.check ol.remedy { margin: .35rem 0 0; font-size: .93rem; }
  code { background: #f0f2f5; padding: 0 .25rem; border-radius: 3px; }
`;

/**
 * The pages' one script, the same bytes on every page so the Content-Security-Policy can allow it
 * by hash: in a popup it posts the result to the opener and may close the window. What it posts
 * comes from a JSON data block, which browsers never run.
 */
const POPUP_SCRIPT = `(function () {
  var data = document.getElementById("popup-message");
  if (!data) return;
  var m = JSON.parse(data.textContent);
  if (m.returnTo) {
    setTimeout(function () { window.location.replace(m.returnTo); }, 1500);
    return;
  }
  if (!window.opener) return;
  window.opener.postMessage(m.message, m.targetOrigin);
  if (m.close) setTimeout(function () { window.close(); }, 1500);
})();`;

/**
 * What a popup's result page posts to its opener, and to which origin; or, after a redirect
 * (`display=redirect`, the connect helper's fallback when popups are blocked), where the page
 * sends the customer back to on its own.
 */
export type PopupPost =
  | {
      message: Record<string, unknown>;
      targetOrigin: string;
      /** Close the window after posting (nothing left to read). */
      close: boolean;
    }
  | { returnTo: string };

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * The headers every connect page is sent with: no framing (clickjacking), no script or style but
 * the pages' own (by hash), forms only to this server and to Salesforce's login hosts (the connect
 * form's answer is a redirect there), no plugins, no <base>.
 */
export function pageSecurityHeaders(formTargets: readonly string[]): Record<string, string> {
  const policy = [
    "default-src 'none'",
    `script-src ${sha256(POPUP_SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    `form-action 'self' ${formTargets.join(" ")}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
  return {
    "content-security-policy": policy,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}

export function page(title: string, body: string, popup: PopupPost | null = null): string {
  const data = popup ? JSON.stringify(popup).replace(/</g, "\\u003c") : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main>${
    popup ? `<script type="application/json" id="popup-message">${data}</script><script>${POPUP_SCRIPT}</script>` : ""
  }</body></html>`;
}
