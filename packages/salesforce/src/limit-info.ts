/** The org's API request usage, from `Sforce-Limit-Info` on every REST answer. */
export interface ApiUsage {
  used: number;
  max: number;
  /** `per-app-api-usage=17/250(appName=X)`, when Salesforce adds it. */
  perApp?: { used: number; max: number; appName?: string };
}

/** `api-usage=25/15000; per-app-api-usage=17/250(appName=X)`; undefined when absent or unreadable. */
export function parseLimitInfo(header: string | string[] | undefined): ApiUsage | undefined {
  const text = Array.isArray(header) ? header.join(";") : header;
  if (!text) return undefined;
  const total = /(?:^|[;,\s])api-usage=(\d+)\/(\d+)/i.exec(text);
  if (!total) return undefined;
  const usage: ApiUsage = { used: Number(total[1]), max: Number(total[2]) };
  const perApp = /per-app-api-usage=(\d+)\/(\d+)(?:\(appName=([^)]*)\))?/i.exec(text);
  if (perApp)
    usage.perApp = perApp[3]
      ? { used: Number(perApp[1]), max: Number(perApp[2]), appName: perApp[3] }
      : { used: Number(perApp[1]), max: Number(perApp[2]) };
  return usage;
}
