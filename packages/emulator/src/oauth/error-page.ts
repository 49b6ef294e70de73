import { escapeHtml, page } from "./html.ts";

export const ERROR_PAGE_PATH = "/setup/secur/RemoteAccessErrorPage.apexp";

/**
 * The text Salesforce's error page shows. For an uninstalled app the URL says invalid_client but
 * the page shows only a generic code, which is all a user ever sees.
 */
export function errorPageText(error: string, description: string): string {
  if (error === "invalid_client" && description === "app must be installed into org") {
    return "OAUTH_APPROVAL_ERROR_GENERIC : An unexpected error has occured during authentication. Please try again.";
  }
  return `${error} : ${description}`;
}

export function errorPageUrl(error: string, description: string): string {
  const query = new URLSearchParams({ error, error_description: description }).toString().replace(/\+/g, "%20");
  return `${ERROR_PAGE_PATH}?${query}`;
}

export function errorPage(error: string, description: string): string {
  return page(
    "OAuth Error | Salesforce",
    `<h1>OAuth Error</h1>
<p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.</p>
<p id="error" class="error">${escapeHtml(errorPageText(error, description))}</p>`,
  );
}
