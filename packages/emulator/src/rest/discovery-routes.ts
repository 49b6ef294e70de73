import { ApiError } from "../http/errors.ts";
import { json } from "../http/reply.ts";
import type { Router } from "../http/router.ts";
import type { Org } from "../org/org.ts";
import { API_VERSIONS } from "../org/settings.ts";

const rest = { kind: "rest", auth: "api" } as const;

const RESOURCES = [
  "sobjects",
  "query",
  "queryAll",
  "search",
  "composite",
  "limits",
  "tooling",
  "jobs",
  "recent",
  "tabs",
  "theme",
  "quickActions",
  "analytics",
  "process",
  "connect",
  "chatter",
  "actions",
  "metadata",
];

export function apiVersion(param: string | undefined): string {
  return (param ?? "v67.0").slice(1);
}

/** GET /limits: every entry has Max and Remaining; daily API requests come from the live counter. */
export function limitsBody(org: Org) {
  const daily = { Max: org.apiUsage.limit, Remaining: org.apiUsage.remaining() };
  const fixed = (max: number) => ({ Max: max, Remaining: max });
  return {
    ConcurrentAsyncGetReportInstances: fixed(200),
    ConcurrentSyncReportRuns: fixed(20),
    DailyApiRequests: daily,
    DailyAsyncApexExecutions: fixed(250000),
    DailyBulkApiBatches: fixed(15000),
    DailyBulkV2QueryFileStorageMB: fixed(976562),
    DailyBulkV2QueryJobs: fixed(10000),
    DailyDeliveredPlatformEvents: fixed(50000),
    DailyDurableGenericStreamingApiEvents: fixed(1000000),
    DailyDurableStreamingApiEvents: fixed(1000000),
    DailyGenericStreamingApiEvents: fixed(10000),
    DailyStandardVolumePlatformEvents: fixed(10000),
    DailyStreamingApiEvents: fixed(1000000),
    DataStorageMB: fixed(1024),
    DurableStreamingApiConcurrentClients: fixed(2000),
    FileStorageMB: fixed(10240),
    HourlyPublishedPlatformEvents: fixed(250000),
    MonthlyPlatformEventsUsageEntitlement: fixed(1500000),
    SingleEmailMessages: fixed(5000),
  };
}

export function registerDiscoveryRoutes(router: Router): void {
  // The versions list needs no session.
  router.add("GET", "/services/data", { kind: "rest", auth: "none" }, (_ctx) =>
    json(API_VERSIONS.map((v) => ({ label: v.label, url: `/services/data/v${v.version}`, version: v.version }))),
  );

  router.add("GET", "/services/data/:version", rest, (ctx) => {
    const v = apiVersion(ctx.params.version);
    const body: Record<string, string> = {};
    for (const r of RESOURCES) body[r] = `/services/data/v${v}/${r}`;
    body.identity = ctx.org.identityUrl(ctx.userId);
    return json(body);
  });

  router.add("GET", "/services/data/:version/limits", rest, (ctx) => {
    const system = ctx.org.userAccess(ctx.userId).system;
    if (!system.has("ViewSetup") && !system.has("ModifyAllData")) {
      throw new ApiError(
        403,
        "INSUFFICIENT_ACCESS",
        "The user does not have the View Setup and Configuration permission needed for /limits.",
      );
    }
    return json(limitsBody(ctx.org));
  });
}
