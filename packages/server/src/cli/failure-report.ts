import { ConfigError } from "../config/config.ts";
import { MissingSecretKeyError } from "../crypto/secret-key.ts";
import { type HttpError, httpErrorFrom } from "../http/http-error.ts";
import { explainError } from "../remedies/explain-failure.ts";
import { Problem, type ProblemKind } from "../remedies/problem.ts";
import { DataDirLockedError } from "../store/data-dir-lock.ts";
import { EXIT } from "./command-line.ts";

/** Problems with what the command was given (a bad row in a file, say): fixed by the person who ran it. */
const INPUT_PROBLEMS: ReadonlySet<ProblemKind> = new Set(["bad-input", "not-found", "conflict", "unprocessable"]);

/**
 * What a command that threw prints, and its exit status: a message alone for what a person can fix
 * from it (2; with its code and remedy for a problem with the command's input), the API's
 * explanation for a Salesforce failure (3), the stack trace for our own bug.
 */
export function reportFailure(command: string, error: unknown): number {
  if (error instanceof ConfigError || error instanceof MissingSecretKeyError || error instanceof DataDirLockedError) {
    process.stderr.write(`forcelink ${command}: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof Problem && INPUT_PROBLEMS.has(error.kind)) {
    process.stderr.write(`${renderFailure(command, httpErrorFrom(error))}\n`);
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

/**
 * A Salesforce failure (or a connection that needs the customer) that stopped a command, explained
 * by the one mapping the API answers with, or null for anything else (our own bug). Every such
 * failure means the org could not be read: the command exits 3.
 */
export function explainSalesforceFailure(error: unknown): HttpError | null {
  const explained = httpErrorFrom(error, (failure) => explainError(failure));
  return explained.status === 500 ? null : explained;
}

/** The explanation as lines for a terminal: the message, then code, remedy and the check's steps. */
export function renderFailure(command: string, error: HttpError): string {
  const lines = [`forcelink ${command}: ${error.message}`, `  code:   ${error.code}`];
  if (error.remedy) lines.push(`  remedy: ${error.remedy}`);
  if (error.check) {
    lines.push(`  check:  ${error.check.id}: ${error.check.title}`);
    if (error.check.reason) lines.push(`    ${error.check.reason}`);
    error.check.remedy.forEach((step, i) => {
      lines.push(`    ${i + 1}. ${step}`);
    });
  }
  return lines.join("\n");
}
