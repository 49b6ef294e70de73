import { OAuthFailure, SalesforceApiError, TransportFailure } from "@forcelink/salesforce";
import { ConnectionNeedsReauth } from "../checklist/connection-checklist.ts";
import { explainFailure, explainGrantFailure } from "../checklist/explain-failure.ts";
import { ConfigError } from "../config/config.ts";
import { MissingSecretKeyError } from "../crypto/secret-key.ts";
import { HttpError } from "../http/http-error.ts";
import { DataDirLockedError } from "../store/data-dir-lock.ts";
import { EXIT } from "./command-line.ts";

/**
 * What a command that threw prints, and its exit status: a message alone for what a person can fix
 * from it (2), the API's explanation for a Salesforce failure (3), the stack trace for our own bug.
 */
export function reportFailure(command: string, error: unknown): number {
  if (error instanceof ConfigError || error instanceof MissingSecretKeyError || error instanceof DataDirLockedError) {
    process.stderr.write(`forcelink ${command}: ${error.message}\n`);
    return EXIT.usage;
  }
  const explained = explainSalesforceFailure(error);
  if (explained) {
    process.stderr.write(`${renderFailure(command, explained)}\n`);
    return EXIT.unreachable;
  }
  process.stderr.write(`forcelink ${command}: ${(error as Error).stack ?? error}\n`);
  return EXIT.bug;
}

const RECONNECT =
  "Have the customer connect again (POST /v1/connect-sessions with {connectionId}), then run the command again.";

/**
 * A Salesforce failure that stopped a command, explained with the code, message, remedy and check
 * the API gives for it (the proxy's and the checklist route's answers), or null for anything else.
 * Every such failure means the org could not be read: the command exits 3.
 */
export function explainSalesforceFailure(error: unknown): HttpError | null {
  if (error instanceof ConnectionNeedsReauth)
    return new HttpError(409, "connection_needs_reauth", error.message, {
      remedy: RECONNECT,
      check: error.reauth ? explainGrantFailure(error.reauth) : undefined,
    });
  if (error instanceof TransportFailure || (error instanceof OAuthFailure && error.status === 0))
    return new HttpError(502, "salesforce_unreachable", `Salesforce could not be reached: ${noAnswer(error)}.`, {
      remedy: "Check that this machine reaches the org's instance (network, proxy, DNS), then run the command again.",
    });
  if (error instanceof OAuthFailure) {
    if (error.kind === "terminal")
      return new HttpError(409, "connection_needs_reauth", `The customer must connect again: ${describe(error)}.`, {
        remedy: RECONNECT,
        check: explainGrantFailure(error),
      });
    return new HttpError(
      502,
      "salesforce_unavailable",
      `Salesforce refused to renew the session: ${describe(error)}.`,
      {
        remedy: error.misconfiguration ?? "Retry later; Salesforce may be busy or in maintenance.",
        check: explainGrantFailure(error),
      },
    );
  }
  if (error instanceof SalesforceApiError)
    return new HttpError(
      502,
      "salesforce_error",
      `Salesforce answered ${error.status} ${error.code}: ${error.message}`,
      {
        remedy: error.remedy,
        check: explainFailure(error),
      },
    );
  return null;
}

function describe(failure: OAuthFailure): string {
  return failure.description ? `${failure.error} (${failure.description})` : failure.error;
}

function noAnswer(error: TransportFailure | OAuthFailure): string {
  return error instanceof TransportFailure ? error.message : error.description || error.error;
}

/** The explanation as lines for a terminal: the message, then code, remedy and the check's steps. */
export function renderFailure(command: string, error: HttpError): string {
  const lines = [`forcelink ${command}: ${error.message}`, `  code:   ${error.code}`];
  if (error.remedy) lines.push(`  remedy: ${error.remedy}`);
  if (error.check) {
    lines.push(`  check:  ${error.check.id}: ${error.check.title}`);
    error.check.remedy.forEach((step, i) => {
      lines.push(`    ${i + 1}. ${step}`);
    });
  }
  return lines.join("\n");
}
