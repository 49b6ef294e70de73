import { readFileSync } from "node:fs";
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

/** Where change events are subscribed: the Pub/Sub API's host:port and, for a local org, the root certificate to trust. */
export interface PubSubEndpoint {
  endpoint: string;
  /** PEM; absent: the system's roots, as for Salesforce. */
  rootCertificate?: string;
}

/** The Pub/Sub endpoint configuration names (Salesforce's unless pointed elsewhere). */
export function pubSubEndpoint(config: Config): PubSubEndpoint {
  const { pubsubEndpoint, pubsubCaFile } = config.salesforce;
  if (!pubsubCaFile) return { endpoint: pubsubEndpoint };
  try {
    return { endpoint: pubsubEndpoint, rootCertificate: readFileSync(pubsubCaFile, "utf8") };
  } catch (error) {
    throw new Error(
      `FORCELINK_SALESFORCE_PUBSUB_CA_FILE names ${pubsubCaFile}, which cannot be read (${(error as Error).message}); give a readable PEM file or unset it`,
    );
  }
}
