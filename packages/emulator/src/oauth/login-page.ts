import { escapeHtml, page } from "./html.ts";

export interface LoginPageInput {
  /** Where the form posts: the authorize path. */
  action: string;
  requestId: string;
  orgName: string;
  isSandbox: boolean;
  username?: string;
  error?: string;
}

/** The login form, with Salesforce's element ids (#username, #password, #Login) and its `pw` field name. */
export function loginPage(input: LoginPageInput): string {
  const error = input.error ? `<div id="error" class="error" role="alert">${escapeHtml(input.error)}</div>` : "";
  const where = input.isSandbox ? `${input.orgName} (Sandbox)` : input.orgName;
  return page(
    "Login | Salesforce",
    `<h1>Log in to ${escapeHtml(where)}</h1>
${error}
<form id="login_form" name="login" method="post" action="${escapeHtml(input.action)}" autocomplete="off">
<input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
<label for="username">Username</label>
<input type="email" id="username" name="username" value="${escapeHtml(input.username ?? "")}" autocomplete="username" required>
<label for="password">Password</label>
<input type="password" id="password" name="pw" autocomplete="current-password" required>
<div class="buttons"><input type="submit" id="Login" name="Login" class="primary" value="Log In"></div>
</form>`,
  );
}
