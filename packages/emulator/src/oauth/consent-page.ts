import { escapeHtml, page } from "./html.ts";

/** How Salesforce's approval page words each scope. */
const SCOPE_LABELS: Record<string, string> = {
  api: "Manage user data via APIs (api)",
  refresh_token: "Perform requests at any time (refresh_token, offline_access)",
  offline_access: "Perform requests at any time (refresh_token, offline_access)",
  id: "Access the identity URL service (id, profile, email, address, phone)",
  profile: "Access the identity URL service (id, profile, email, address, phone)",
  email: "Access the identity URL service (id, profile, email, address, phone)",
  address: "Access the identity URL service (id, profile, email, address, phone)",
  phone: "Access the identity URL service (id, profile, email, address, phone)",
  openid: "Access unique user identifiers (openid)",
  web: "Manage user data via Web browsers (web)",
  full: "Full access (full)",
  chatter_api: "Access Connect REST API resources (chatter_api)",
  visualforce: "Access Visualforce applications (visualforce)",
  cdp_query_api: "Perform ANSI SQL queries on Data Cloud data (cdp_query_api)",
};

export interface ConsentPageInput {
  action: string;
  requestId: string;
  appName: string;
  username: string;
  scopes: string[];
}

/** The approval page: Allow (#oaapprove) and Deny (#oadeny), Salesforce's ids and names. */
export function consentPage(input: ConsentPageInput): string {
  const labels = [...new Set(input.scopes.map((s) => SCOPE_LABELS[s] ?? `${s}`))];
  const items = labels.map((l) => `<li>${escapeHtml(l)}</li>`).join("\n");
  return page(
    "Allow Access? | Salesforce",
    `<h1>Allow Access?</h1>
<p id="appname"><strong>${escapeHtml(input.appName)}</strong> is asking to:</p>
<ul id="scopes">
${items}
</ul>
<p>You are logged in as <span id="current_user">${escapeHtml(input.username)}</span>.</p>
<form id="frm" name="frm" method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
<div class="buttons">
<input type="submit" id="oadeny" name="oadeny" value="Deny">
<input type="submit" id="oaapprove" name="oaapprove" class="primary" value="Allow">
</div>
</form>`,
  );
}
