import { createHash } from "node:crypto";
import { esc, STYLE } from "../connect/html.ts";

/**
 * The console's look: the connect pages' styles, widened for tables and a navigation bar, and
 * narrowed again on a phone. No script at all: the pages are forms and links, so nothing a page
 * runs could ever read the session.
 */
const CONSOLE_STYLE = `${STYLE}
  main { max-width: 72rem; margin: 1.25rem auto; padding: 1.5rem 1.75rem; }
  header.top { background: #0b2545; color: #fff; }
  header.top nav { max-width: 72rem; margin: 0 auto; padding: .6rem 1.75rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
  header.top a { color: #dce8f5; text-decoration: none; padding: .2rem 0; }
  header.top a[aria-current=page] { color: #fff; font-weight: 600; border-bottom: 2px solid #7fb2e5; }
  header.top .brand { font-weight: 700; color: #fff; margin-right: .75rem; }
  header.top form { margin-left: auto; }
  header.top button { background: transparent; border: 1px solid #7fb2e5; padding: .25rem .8rem; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .93rem; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e3e7ec; vertical-align: top; }
  th { color: #5b6675; font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .75rem; margin: 1rem 0; }
  .card { border: 1px solid #d7dde5; border-radius: 8px; padding: .75rem 1rem; }
  .card .num { font-size: 1.6rem; font-weight: 700; }
  .status { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; font-weight: 600; background: #eef1f5; }
  .status-active, .status-completed, .status-delivered, .status-idle { background: #e9f7ef; color: #1f6b38; }
  .status-needs_reauth, .status-failed, .status-error { background: #fdecec; color: #a61a14; }
  .status-paused, .status-pending, .status-queued, .status-running, .status-warn { background: #fff7e6; color: #8c4b02; }
  form.inline { display: inline; }
  form.stack label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
  form.stack input[type=text], form.stack input[type=password], form.stack input[type=url], form.stack select, form.stack textarea { width: 100%; max-width: 36rem; box-sizing: border-box; padding: .5rem .65rem; border: 1px solid #b9c2cd; border-radius: 6px; font: inherit; }
  form.stack .hint { color: #5b6675; font-size: .88rem; margin: .15rem 0; }
  form.stack button { margin-top: .8rem; }
  form.stack textarea { max-width: 100%; font: .88rem/1.45 ui-monospace, monospace; }
  pre { background: #f0f2f5; border-radius: 6px; padding: .75rem; overflow-x: auto; font-size: .85rem; }
  button.secondary { background: #fff; color: #0b5cad; border: 1px solid #0b5cad; padding: .35rem .9rem; }
  button.danger { background: #c23934; }
  input.copy { width: 100%; max-width: 40rem; font: .9rem ui-monospace, monospace; padding: .45rem; border: 1px solid #b9c2cd; border-radius: 6px; background: #f7f9fb; }
  .filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
  .filters label { font-size: .85rem; color: #5b6675; }
  .filters input, .filters select { display: block; padding: .4rem .5rem; border: 1px solid #b9c2cd; border-radius: 6px; font: inherit; }
  progress { width: 100%; max-width: 20rem; height: .7rem; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dl.facts dt { color: #5b6675; } dl.facts dd { margin: 0; word-break: break-all; }
  @media (max-width: 40rem) {
    main { margin: 0; border-radius: 0; padding: 1rem; }
    header.top nav { padding: .5rem 1rem; }
    header.top form { margin-left: 0; }
    dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .4rem; }
  }
`;

const styleHash = `'sha256-${createHash("sha256").update(CONSOLE_STYLE, "utf8").digest("base64")}'`;

/** No script, no framing, styles by hash, forms only to this server. */
export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": [
    "default-src 'none'",
    "script-src 'none'",
    `style-src ${styleHash}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; "),
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

/** The pages in the navigation bar, in order; each page module names its own path. */
export const NAV: ReadonlyArray<{ path: string; title: string }> = [
  { path: "/", title: "Overview" },
  { path: "/apps", title: "Provider apps" },
  { path: "/connections", title: "Connections" },
  { path: "/integrations", title: "Integrations" },
  { path: "/webhooks", title: "Webhooks" },
  { path: "/writes", title: "Writes" },
  { path: "/keys", title: "API keys" },
];

/**
 * What a change did, shown on the page it redirects to (`?done=<key>`): only these fixed sentences,
 * so nothing in the address is ever shown back.
 */
export const DONE: Readonly<Record<string, string>> = {
  checked: "The checklist ran again.",
  "connection-deleted": "The connection was deleted.",
  installed: "The integration is installed.",
  "key-revoked": "The key was revoked.",
  paused: "The object's sync is paused: its runs are skipped until you resume it.",
  redelivered: "The event is being delivered again as a new delivery.",
  resumed: "The object's sync is resumed.",
  "run-queued": "The run is queued; refresh to follow it.",
  "secret-rotated": "The new consumer secret is stored.",
  "subscription-resumed": "The subscription's checks pass: it runs again from its checkpoint.",
  "test-sent": "A test event is on its way.",
};

export function doneNotice(key: string | undefined): string {
  const text = key ? DONE[key] : undefined;
  return text ? `<div class="ok" id="done" data-done="${esc(key)}">${esc(text)}</div>` : "";
}

export interface Frame {
  /** Which navigation entry is the current page. */
  section: string;
  /** The session's CSRF token, for the sign-out form; none on the sign-in page. */
  csrf?: string;
  /** The `done` key of the change that led here. */
  done?: string;
}

export function layout(title: string, body: string, frame: Frame | null): string {
  const nav = frame
    ? `<header class="top"><nav><span class="brand">Forcelink</span>${NAV.map(
        (n) =>
          `<a href="${n.path}"${n.path === frame.section ? ' aria-current="page"' : ""} id="nav-${esc(n.path.slice(1) || "overview")}">${esc(n.title)}</a>`,
      ).join(
        "",
      )}${frame.csrf ? `<form method="post" action="/sign-out">${csrfField(frame.csrf)}<button type="submit" id="sign-out">Sign out</button></form>` : ""}</nav></header>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Forcelink</title><style>${CONSOLE_STYLE}</style></head>
<body>${nav}<main>${doneNotice(frame?.done)}${body}</main></body></html>`;
}

export function csrfField(token: string): string {
  return `<input type="hidden" name="csrf" value="${esc(token)}">`;
}

/** A button that posts to `action` with the session's CSRF token and any hidden fields. */
export function postButton(
  action: string,
  label: string,
  csrf: string,
  options: { id?: string; fields?: Record<string, string>; kind?: "secondary" | "danger" } = {},
): string {
  const hidden = Object.entries(options.fields ?? {})
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join("");
  return `<form class="inline" method="post" action="${esc(action)}">${csrfField(csrf)}${hidden}<button type="submit"${options.id ? ` id="${esc(options.id)}"` : ""}${options.kind ? ` class="${options.kind}"` : ""}>${esc(label)}</button></form>`;
}

export function statusBadge(status: string | null | undefined): string {
  const s = status ?? "unknown";
  return `<span class="status status-${esc(s)}">${esc(s.replace(/_/g, " "))}</span>`;
}

export function when(date: Date | string | null | undefined): string {
  if (!date) return "—";
  const d = typeof date === "string" ? new Date(date) : date;
  return esc(
    d
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, " UTC"),
  );
}

/** A table; cells are HTML already escaped by the caller. */
export function table(id: string, headings: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="muted" id="${esc(id)}-empty">${esc(empty)}</p>`;
  return `<div class="table-wrap"><table id="${esc(id)}"><thead><tr>${headings.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("")}</tbody></table></div>`;
}

export function notice(kind: "ok" | "warn" | "error", html: string, id = "notice"): string {
  return `<div class="${kind}" id="${esc(id)}">${html}</div>`;
}
