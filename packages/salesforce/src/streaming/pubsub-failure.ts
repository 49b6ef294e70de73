import { type Metadata, status } from "@grpc/grpc-js";
import { type ChecklistItemId, type ClassifiedFailure, lookupError, type RetryAdvice } from "../error-table.ts";

/** What grpc-js hands over when a call or a stream ends with a status other than OK. */
export interface GrpcStatusError {
  code: number;
  details?: string;
  message?: string;
  metadata?: Metadata;
}

/**
 * A Pub/Sub API call or Subscribe stream that failed, classified through the error table:
 * `pubsub.replay_id_invalid` (fall back to a read), `pubsub.session_invalid` (new token, then
 * reconnect), `pubsub.stream_dropped` and the other `backoff` rows (reconnect), or a refusal.
 */
export class PubSubFailure extends Error implements ClassifiedFailure {
  override readonly name = "PubSubFailure";
  readonly reason: string;
  readonly retry: RetryAdvice;
  readonly customerAction: boolean;
  readonly checklistItem?: ChecklistItemId;
  readonly remedy?: string;
  /** The gRPC status name (`UNAVAILABLE`…). */
  readonly grpcStatus: string;
  /** Salesforce's `error-code` trailer, when it sent one. */
  readonly errorCode?: string;
  /** Salesforce's `rpc-id` trailer: what its support asks for. */
  readonly rpcId?: string;

  constructor(grpcStatus: string, message: string, errorCode?: string, rpcId?: string) {
    super(message);
    const outcome = classify(grpcStatus, message, errorCode);
    this.reason = outcome.reason;
    this.retry = outcome.retry;
    this.customerAction = outcome.customerAction;
    this.checklistItem = outcome.checklistItem;
    this.remedy = outcome.remedy;
    this.grpcStatus = grpcStatus;
    this.errorCode = errorCode;
    this.rpcId = rpcId;
  }
}

const FALLBACK = "pubsub.unavailable";

/** The trailer's code when the table knows it, else the status name; unknown statuses are transient. */
function classify(grpcStatus: string, message: string, errorCode: string | undefined) {
  if (errorCode) {
    const byCode = lookupError("pubsub", errorCode, 500, message);
    if (byCode.reason !== FALLBACK) return byCode;
  }
  return lookupError("pubsub", grpcStatus, 500, message);
}

/** The name of a gRPC status code (14 → `UNAVAILABLE`). */
export function grpcStatusName(code: number): string {
  return (status as unknown as Record<number, string>)[code] ?? `STATUS_${code}`;
}

function trailer(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return value === undefined ? undefined : value.toString();
}

/** Classifies what a grpc-js call or stream failed with; anything else is a stream that broke. */
export function pubSubFailureFrom(error: unknown): PubSubFailure {
  if (error instanceof PubSubFailure) return error;
  const e = error as Partial<GrpcStatusError> | undefined;
  if (!e || typeof e.code !== "number") {
    return new PubSubFailure("UNKNOWN", error instanceof Error ? error.message : String(error));
  }
  return new PubSubFailure(
    grpcStatusName(e.code),
    e.details ?? e.message ?? "",
    trailer(e.metadata, "error-code"),
    trailer(e.metadata, "rpc-id"),
  );
}
