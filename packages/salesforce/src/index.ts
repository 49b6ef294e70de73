/**
 * @forcelink/salesforce — the only code in Forcelink that talks HTTP to a Salesforce org.
 *
 * - `hosts`: where Salesforce lives (one mapping, real hosts by default, an emulator by choice)
 *   and `parseMyDomain` for what customers type.
 * - `oauth/*`: authorize URL and PKCE, code exchange, refresh, client credentials, JWT bearer,
 *   revoke, introspect, identity. Failures are `OAuthFailure`s: terminal, transient or
 *   configuration.
 * - `SalesforceClient`: one request pipeline over keep-alive pools, bound to the token's
 *   instance URL; typed errors (`SalesforceApiError`) through the error table, quota metering,
 *   safe retries, one refresh-and-resend on an expired session; a raw `send` for the proxy.
 * - `bulk/*`: Bulk API 2.0 query jobs (create, wait, result pages by locator, abort, delete) and
 *   `bulkQuery` from start to end; result CSV parsed as it streams (`csvRecords`). Bulk API 2.0
 *   ingest jobs (create, one streamed upload, close, poll with the one backoff, successful /
 *   failed / unprocessed rows) and `bulkIngest` from start to end, one job per ~100 MB of CSV,
 *   every result matched back to its input (`matchIngestResults`).
 * - `writes/*`: sObject Collections (`writeCollection`, 200 records a call) and `/composite` with
 *   up to five collection subrequests (`writeComposite`, allOrNone across the call); records ⇄
 *   Bulk CSV with parent references by external id (`record-shapes`); every per-record error
 *   classified through the error table into a `RecordError` (`recordErrorFrom`, `parseSfError`).
 *   Inserts are never resent by the client unless the failure proves nothing was written.
 * - `streaming/*`: the Pub/Sub API (gRPC, Salesforce's published proto): `PubSubClient` with a
 *   schema cache by schema id, `Subscription` (flow control, keepalives, reconnect with the one
 *   backoff, replay, a new token on a refused session), change event headers with their bitmaps
 *   read as field names, and channel members selected step by step with rollback.
 * - `TokenLifecycle`: keeps tokens fresh without `expires_in`, one refresh per connection across
 *   processes (lease in an injected `CredentialStore`), terminal failures recorded once.
 */

export {
  type ApiRequest,
  type ApiResponse,
  DEFAULT_API_VERSION,
  type HttpMethod,
  type RawRequest,
  type ResponseHeaders,
  SalesforceClient,
  type SalesforceClientOptions,
  type StreamedResponse,
} from "./api-client.ts";
export { BulkJobFailed, BulkJobTimedOut, BulkResultError } from "./bulk/bulk-errors.ts";
export {
  type BulkIngestOptions,
  bulkIngest,
  type IngestJobResults,
  type ReadIngestResultsOptions,
  readIngestResults,
} from "./bulk/bulk-ingest.ts";
export {
  abortIngestJob,
  type CreateIngestJobOptions,
  closeIngestJob,
  createIngestJob,
  DEFAULT_MAX_UPLOAD_BYTES,
  deleteIngestJob,
  failedResults,
  getIngestJob,
  type IngestJobInfo,
  IngestJobNotClosed,
  type IngestJobState,
  type IngestWaitOptions,
  MAX_UPLOAD_BASE64_BYTES,
  successfulResults,
  unprocessedRecords,
  uploadJobData,
  waitForIngestJob,
} from "./bulk/bulk-ingest-jobs.ts";
export {
  abortJob,
  type BulkClient,
  type BulkQueryOptions,
  type BulkResultPage,
  type BulkResultStream,
  type BulkStreamQueryOptions,
  bulkQuery,
  bulkQueryStreams,
  type CallOptions,
  type CreateQueryJobOptions,
  createQueryJob,
  deleteJob,
  getQueryJob,
  type QueryJobInfo,
  type QueryJobState,
  type ResultPageOptions,
  resultPages,
  type WaitOptions,
  waitForJob,
} from "./bulk/bulk-query.ts";
export {
  CsvFormatError,
  type CsvRecord,
  CsvRecordParser,
  type CsvSource,
  csvRecords,
  readCsvRecords,
} from "./bulk/csv-records.ts";
export {
  type CompositeAnswer,
  type CompositeClient,
  type CompositeOptions,
  type CompositeSubrequest,
  sendComposite,
} from "./composite.ts";
export type {
  CredentialStore,
  ReauthReason,
  RefreshFailing,
  StoredCredentials,
  WriteOutcome,
} from "./credential-store.ts";
export {
  type ChecklistItemId,
  type ClassifiedFailure,
  ERROR_TABLE,
  type ErrorMatch,
  type ErrorOutcome,
  type ErrorRule,
  type ErrorSource,
  lookupError,
  type OAuthFailureKind,
  outcomeForStatus,
  outcomeOfReason,
  type RetryAdvice,
} from "./error-table.ts";
export { apiErrorFrom, SalesforceApiError, type SalesforceErrorDetail } from "./errors.ts";
export {
  emulatorHosts,
  isLoginOrigin,
  loginUrlFor,
  type MyDomain,
  type MyDomainKind,
  type MyDomainParse,
  type MyDomainRefusal,
  type MyDomainRefusalReason,
  parseMyDomain,
  SALESFORCE_HOSTS,
  type SalesforceEnvironment,
  type SalesforceHosts,
} from "./hosts.ts";
export { InstancePools, type PoolOptions } from "./instance-pools.ts";
export { type InstanceTarget, OffInstanceUrlError, type QueryValue, resolveOnInstance } from "./instance-url.ts";
export { type ApiUsage, parseLimitInfo } from "./limit-info.ts";
export { MemoryCredentialStore } from "./memory-credential-store.ts";
export {
  type AuthorizeCallback,
  type AuthorizePrompt,
  type AuthorizeUrlInput,
  authorizeUrl,
  createOAuthState,
  parseAuthorizeCallback,
} from "./oauth/authorize.ts";
export {
  type FetchIdentityInput,
  fetchIdentity,
  type Identity,
  type UserInfoInput,
  userinfo,
} from "./oauth/identity.ts";
export { type JwtAssertionInput, signJwtAssertion } from "./oauth/jwt-assertion.ts";
export { OAuthFailure } from "./oauth/oauth-failure.ts";
export type { OAuthCallOptions } from "./oauth/oauth-transport.ts";
export { createPkcePair, type PkcePair, pkceChallenge } from "./oauth/pkce.ts";
export {
  type ClientCredentialsInput,
  clientCredentialsToken,
  type ExchangeCodeInput,
  exchangeCode,
  type JwtBearerInput,
  jwtBearerToken,
  type OAuthClient,
  type RefreshInput,
  refreshAccessToken,
} from "./oauth/token-grants.ts";
export {
  type IntrospectInput,
  type Introspection,
  introspectToken,
  type RevokeInput,
  revokeToken,
} from "./oauth/token-info.ts";
export { parseTokenResponse, type TokenSet, verifyTokenSignature } from "./oauth/token-set.ts";
export { clampBatchSize, type QueryOptions, type QueryPage } from "./query-pager.ts";
export { RAW_BUFFER_BYTES, type RawAnswer } from "./raw-dispatch.ts";
export {
  type AttemptFailure,
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  parseRetryAfter,
  type RetryDecision,
  type RetryInput,
  type RetryPolicy,
} from "./retry.ts";
export { bitmapFieldNames, setBits } from "./streaming/bitmap-fields.ts";
export {
  CHANGE_EVENTS_CHANNEL,
  type ChannelMember,
  ChannelSelectionFailed,
  createChannelMember,
  deleteChannelMember,
  type EntitySelection,
  enrichChannelMember,
  listChannelMembers,
  type MemberStep,
  releaseChannelMembers,
  type SelectOptions,
  selectChannelMembers,
} from "./streaming/channel-members.ts";
export {
  type ChangeEventHeader,
  decodeEvent,
  type EventSchema,
  eventSchema,
  type ReceivedEvent,
  SchemaCache,
} from "./streaming/event-schemas.ts";
export {
  PUBSUB_ENDPOINT,
  PubSubClient,
  type PubSubClientOptions,
  type TopicInfo,
} from "./streaming/pubsub-client.ts";
export { PubSubFailure, pubSubFailureFrom } from "./streaming/pubsub-failure.ts";
export {
  type ReplayFrom,
  type SubscribeOptions,
  Subscription,
  type SubscriptionItem,
} from "./streaming/subscription.ts";
export { dueForRefresh, type ExpiryRules, estimatedExpiry, learnedSessionTimeout } from "./token-expiry.ts";
export {
  credentialsFrom,
  type LifecycleHooks,
  type RefreshedInfo,
  TokenLifecycle,
  type TokenLifecycleOptions,
  type TransientFailureInfo,
  UnknownConnectionError,
} from "./token-lifecycle.ts";
export { type AccessGrant, fixedToken, type TokenProvider } from "./token-provider.ts";
export {
  type AppCredentials,
  type Introspector,
  introspectAsApp,
  refreshHost,
  renewWithClientCredentials,
  renewWithRefreshToken,
  type TokenRenewal,
} from "./token-renewal.ts";
export { TransportFailure, type TransportFailureKind, transportFailureFrom } from "./transport-failure.ts";
export {
  COLLECTION_LIMIT,
  CollectionAnswerError,
  type CollectionRequest,
  checkCollectionWrite,
  collectionRequest,
  collectionResults,
  recordIdOf,
  type WriteClient,
  type WriteOptions,
  writeCollection,
} from "./writes/collections.ts";
export {
  COMPOSITE_COLLECTION_LIMIT,
  type CompositeWriteOptions,
  writeComposite,
} from "./writes/composite-writes.ts";
export {
  IngestMatcher,
  type IngestMatchSpec,
  type IngestResultFiles,
  matchIngestResults,
} from "./writes/ingest-matching.ts";
export {
  nothingWritten,
  parseSfError,
  recordErrorFrom,
  type SalesforceRecordError,
} from "./writes/record-errors.ts";
export {
  cellText,
  csvColumns,
  csvLine,
  csvRowToRecord,
  NULL_CELL,
  quoteCell,
  RecordShapeError,
  recordCells,
  recordsToCsv,
  rowCells,
} from "./writes/record-shapes.ts";
export type {
  CollectionWrite,
  IngestOutcome,
  IngestRowResult,
  RecordError,
  RecordResult,
  WriteOperation,
  WriteRecord,
} from "./writes/write-types.ts";
