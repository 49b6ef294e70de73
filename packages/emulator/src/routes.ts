import { registerBulkRoutes } from "./bulk/bulk-routes.ts";
import { registerControlRoutes } from "./control/control-routes.ts";
import { Router } from "./http/router.ts";
import { registerOAuthRoutes } from "./oauth/routes.ts";
import { registerCollectionRoutes } from "./rest/collections-routes.ts";
import { registerCompositeRoutes } from "./rest/composite-routes.ts";
import { registerDiscoveryRoutes } from "./rest/discovery-routes.ts";
import { registerGraphRoutes } from "./rest/graph-routes.ts";
import { registerQueryRoutes } from "./rest/query-routes.ts";
import { registerRecentRoutes } from "./rest/recent-routes.ts";
import { registerSearchRoutes } from "./rest/search-routes.ts";
import { registerSObjectRoutes } from "./rest/sobject-routes.ts";
import { registerTreeRoutes } from "./rest/tree-routes.ts";
import { registerUiApiRoutes } from "./rest/ui-api-routes.ts";
import { registerToolingRoutes } from "./tooling/tooling-routes.ts";

/**
 * The routes one host serves, from each API module. Only the production login host adds the
 * control surface: the others answer Salesforce's 404 for it, as they do for any unknown path.
 */
export function buildRouter(options: { control: boolean }): Router {
  const router = new Router();
  registerOAuthRoutes(router);
  registerDiscoveryRoutes(router);
  registerSObjectRoutes(router);
  registerCollectionRoutes(router);
  registerCompositeRoutes(router);
  registerTreeRoutes(router);
  registerGraphRoutes(router);
  registerQueryRoutes(router);
  registerSearchRoutes(router);
  registerRecentRoutes(router);
  registerUiApiRoutes(router);
  registerBulkRoutes(router);
  registerToolingRoutes(router);
  if (options.control) registerControlRoutes(router);
  return router;
}
