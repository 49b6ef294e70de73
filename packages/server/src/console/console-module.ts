import type { FastifyInstance } from "fastify";
import type { Platform } from "../platform/platform.ts";
import { connectionPage } from "./connection-page.ts";
import { connectionsPage } from "./connections-page.ts";
import { type ConsolePage, registerConsoleScope } from "./console-routes.ts";
import { integrationsPage } from "./integrations-page.ts";
import { apiKeysPage } from "./keys-page.ts";
import { overviewPage } from "./overview-page.ts";
import { providerAppsPage } from "./provider-apps-page.ts";
import { signInPages, signOutPage } from "./sign-in-page.ts";
import { syncsPage } from "./syncs-page.ts";
import { webhooksPage } from "./webhooks-page.ts";
import { writesPage } from "./writes-page.ts";

/** The console's pages behind a sign-in; a new page is one module here (and a link in NAV if it has one). */
export const consolePages: ConsolePage[] = [
  overviewPage,
  providerAppsPage,
  connectionsPage,
  connectionPage,
  syncsPage,
  integrationsPage,
  webhooksPage,
  writesPage,
  apiKeysPage,
  signOutPage,
];

/** The web console at `/`, in a scope of its own (form bodies, session cookie, CSRF, errors as pages). */
export async function registerConsole(app: FastifyInstance, platform: Platform): Promise<void> {
  await app.register(async (scope) =>
    registerConsoleScope(scope, platform, { open: [signInPages], signedIn: consolePages }),
  );
}
