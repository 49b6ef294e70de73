import { randomUUID } from "node:crypto";
import { Metadata, status } from "@grpc/grpc-js";

/** A failed call as grpc-js sends it: a status, a message ending in the rpc id, and trailers. */
export interface PubSubError {
  code: status;
  details: string;
  metadata: Metadata;
}

/**
 * A Pub/Sub API error as Salesforce sends it: the message ends with `rpcId: <id>`, and the
 * trailers carry the `error-code` (when Salesforce documents one) and the `rpc-id`.
 */
export function pubSubError(code: status, message: string, errorCode?: string): PubSubError {
  const rpcId = randomUUID();
  const metadata = new Metadata();
  if (errorCode) metadata.set("error-code", errorCode);
  metadata.set("rpc-id", rpcId);
  return { code, details: `${message} rpcId: ${rpcId}`, metadata };
}

/** A bad, expired or revoked session, or metadata that does not name this org. */
export const authError = () =>
  pubSubError(
    status.UNAUTHENTICATED,
    "An authentication exception occurred. Provide valid authentication information via the accesstoken, instanceurl and tenantid metadata headers.",
    "sfdc.platform.eventbus.grpc.service.auth.error",
  );

/** A replay id that is malformed, unknown, or older than the 72-hour retention. */
export const corruptedReplayId = () =>
  pubSubError(
    status.INVALID_ARGUMENT,
    "The Replay ID validation failed. Ensure that the Replay ID is valid.",
    "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted",
  );

export const invalidArgument = (message: string) => pubSubError(status.INVALID_ARGUMENT, message);

export const topicNotFound = (topic: string) =>
  pubSubError(
    status.NOT_FOUND,
    `The topic '${topic}' doesn't exist or isn't available: select the object for Change Data Capture (a PlatformEventChannelMember on ChangeEvents) and name it /data/<Object>ChangeEvent or /data/ChangeEvents.`,
  );

export const permissionDenied = (message: string) => pubSubError(status.PERMISSION_DENIED, message);
