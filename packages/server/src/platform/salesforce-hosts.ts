import { SALESFORCE_HOSTS, type SalesforceHosts } from "@forcelink/salesforce";
import type { Config } from "../config/config.ts";

/**
 * Where Salesforce lives: its real hosts unless configuration points them elsewhere (`npm start`
 * points them at the local emulator). The rest of the server never asks which it is.
 */
export function salesforceHosts(config: Config): SalesforceHosts {
  const { loginUrl, sandboxUrl, myDomainUrl } = config.salesforce;
  if (!loginUrl && !sandboxUrl && !myDomainUrl) return SALESFORCE_HOSTS;
  return {
    productionLoginUrl: trim(loginUrl) ?? SALESFORCE_HOSTS.productionLoginUrl,
    sandboxLoginUrl: trim(sandboxUrl) ?? SALESFORCE_HOSTS.sandboxLoginUrl,
    myDomainUrl: (name) =>
      myDomainUrl ? trim(myDomainUrl.replace("{name}", name))! : SALESFORCE_HOSTS.myDomainUrl(name),
  };
}

function trim(url: string | undefined): string | undefined {
  return url?.replace(/\/+$/, "");
}
