export type CallbackMode = "query" | "fragment";

/**
 * Adds parameters to the app's callback: in the query for the web-server flow, in the fragment
 * for the user-agent flow. Spaces are %20, as Salesforce writes them.
 */
export function callbackUrl(
  redirectUri: string,
  params: Record<string, string | null | undefined>,
  mode: CallbackMode,
): string {
  const encoded = Object.entries(params)
    .filter((entry): entry is [string, string] => typeof entry[1] === "string")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  if (mode === "fragment") {
    const hash = redirectUri.indexOf("#");
    return `${hash < 0 ? redirectUri : redirectUri.slice(0, hash)}#${encoded}`;
  }
  const hash = redirectUri.indexOf("#");
  const base = hash < 0 ? redirectUri : redirectUri.slice(0, hash);
  const separator = base.includes("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
  return `${base}${separator}${encoded}`;
}
