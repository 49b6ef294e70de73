import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The `changeOrigin` of the writes made while answering one request, as Salesforce fills it:
 * `com/salesforce/api/rest/67.0;client=myapp` for an API call (the client from the
 * `Sforce-Call-Options` header), empty for a change made in the org itself (the control surface).
 * Kept per request in async-local storage, so the store's one write hook can read it.
 */
const current = new AsyncLocalStorage<string>();

export function withChangeOrigin<T>(origin: string, work: () => T): T {
  return current.run(origin, work);
}

export function currentChangeOrigin(): string {
  return current.getStore() ?? "";
}

/** The origin of an API call: its API and version, and the client named in Sforce-Call-Options. */
export function apiChangeOrigin(version: string | undefined, callOptions: string | undefined): string {
  const v = version?.replace(/^v/, "") || "67.0";
  const client = callOptions
    ?.split(",")
    .map((p) => p.trim())
    .find((p) => p.toLowerCase().startsWith("client="));
  return `com/salesforce/api/rest/${v}${client ? `;client=${client.slice("client=".length)}` : ""}`;
}
