import type { Router } from "../http/router.ts";
import { registerIngestRoutes } from "./ingest-routes.ts";
import { registerQueryRoutes } from "./query-routes.ts";

/** Bulk API 2.0: ingest jobs and query jobs under /services/data/vXX.X/jobs. */
export function registerBulkRoutes(router: Router): void {
  registerIngestRoutes(router);
  registerQueryRoutes(router);
}
