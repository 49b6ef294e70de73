import type { ClassifiedFailure, SalesforceClient, WriteOperation } from "@forcelink/salesforce";
import { TransportFailure } from "@forcelink/salesforce";
import type { Config } from "../config/config.ts";
import type { Platform } from "../platform/platform.ts";
import type { writes } from "../store/schema.ts";
import type { CallFailure } from "./write-plan.ts";

/**
 * What one runner of one write holds while it executes: the write, a client of its own (every
 * answer's quota header counted), and the calls not yet added to the write's count.
 */
export type WriteRow = typeof writes.$inferSelect;
export type WriteExecutionSettings = Config["writes"];

export interface WriteRun {
  platform: Platform;
  write: WriteRow;
  client: SalesforceClient;
  settings: WriteExecutionSettings;
  /** Answers received so far (each is an API call, retries included). */
  calls: number;
  /** How many of them are already in the write's apiCalls. */
  counted: number;
  /** Bulk passes that failed without an answer about their records, in this run. */
  bulkFailures: number;
  /** The org's daily requests as the last answer reported them. */
  usage: { used: number; max: number } | null;
  signal?: AbortSignal;
}

/** Calls made since the last time the write's count was updated; marks them counted. */
export function uncountedCalls(run: WriteRun): number {
  const n = run.calls - run.counted;
  run.counted = run.calls;
  return n;
}

export function operationOf(write: WriteRow): WriteOperation {
  return write.operation as WriteOperation;
}

/** The write stops: Salesforce refused the request itself, the way it would refuse every call. */
export class WriteStopped extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** The write pauses for the org's daily API quota. */
export class QuotaPause extends Error {
  readonly used: number;
  readonly max: number;
  constructor(used: number, max: number) {
    super(`the org has used ${used} of its ${max} daily API requests`);
    this.used = used;
    this.max = max;
  }
}

/** A typed error of @forcelink/salesforce, or undefined for anything else (a bug, the store failing). */
export function classified(error: unknown): (ClassifiedFailure & Error) | undefined {
  const e = error as Partial<ClassifiedFailure> | null;
  return e instanceof Error && typeof e.reason === "string" && typeof e.retry === "string"
    ? (e as ClassifiedFailure & Error)
    : undefined;
}

/** The parts of a call's failure the planner decides on. */
export function callFailureOf(error: ClassifiedFailure & Error): CallFailure {
  const status = (error as { status?: unknown }).status;
  const transport = error instanceof TransportFailure ? error : undefined;
  return {
    reason: error.reason,
    retry: error.retry,
    ...(typeof status === "number" && status > 0 ? { status } : {}),
    nothingWritten: (error as { nothingWritten?: unknown }).nothingWritten === true || transport?.kind === "connect",
    ...(transport?.kind === "aborted" ? { aborted: true } : {}),
  };
}
