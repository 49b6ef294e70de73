import { paginate } from "./pages.ts";
import type { RawBody, Transport } from "./transport.ts";
import type * as T from "./types.ts";

/** A group of routes, sharing the client's transport. */
abstract class Resource {
  protected readonly t: Transport;
  constructor(transport: Transport) {
    this.t = transport;
  }
}

/** `/v1/api-keys`: the project's keys. */
export class ApiKeys extends Resource {
  list(): Promise<T.ApiKey[]> {
    return this.t.json<{ data: T.ApiKey[] }>("GET", "/v1/api-keys").then((a) => a.data);
  }
  /** The key itself is in the answer once: store it now. */
  create(name: string): Promise<T.CreatedApiKey> {
    return this.t.json("POST", "/v1/api-keys", { body: { name } });
  }
  revoke(id: string): Promise<void> {
    return this.t.json("DELETE", "/v1/api-keys/{id}", { params: { id } });
  }
}

/** `/v1/provider-apps`: the builder's Salesforce apps. */
export class ProviderApps extends Resource {
  list(): Promise<T.ProviderApp[]> {
    return this.t.json<{ data: T.ProviderApp[] }>("GET", "/v1/provider-apps").then((a) => a.data);
  }
  get(id: string): Promise<T.ProviderApp> {
    return this.t.json("GET", "/v1/provider-apps/{id}", { params: { id } });
  }
  create(app: T.NewProviderApp): Promise<T.ProviderApp> {
    return this.t.json("POST", "/v1/provider-apps", { body: app });
  }
  update(id: string, change: T.ProviderAppChange): Promise<T.ProviderApp> {
    return this.t.json("PATCH", "/v1/provider-apps/{id}", { params: { id }, body: change });
  }
  /** Stores the consumer secret regenerated in Salesforce. */
  rotateSecret(id: string, clientSecret: string): Promise<T.ProviderApp> {
    return this.t.json("POST", "/v1/provider-apps/{id}/rotate-secret", { params: { id }, body: { clientSecret } });
  }
  /** With `force`, also disconnects every connection made through it (their summary is answered). */
  delete(id: string, options: { force?: boolean } = {}): Promise<T.ProviderAppDeleted | undefined> {
    return this.t.json("DELETE", "/v1/provider-apps/{id}", { params: { id }, query: { force: options.force } });
  }
}

/** `/v1/connect-sessions`: links a customer opens to connect their org. */
export class ConnectSessions extends Resource {
  create(session: T.NewConnectSession): Promise<T.CreatedConnectSession> {
    return this.t.json("POST", "/v1/connect-sessions", { body: session });
  }
  get(id: string): Promise<T.ConnectSession> {
    return this.t.json("GET", "/v1/connect-sessions/{id}", { params: { id } });
  }
}

/** `/v1/connections`, their checklist and the integrations installed on them. */
export class Connections extends Resource {
  list(filter: T.ConnectionFilter = {}): Promise<T.Connection[]> {
    return this.t.json<{ data: T.Connection[] }>("GET", "/v1/connections", { query: filter }).then((a) => a.data);
  }
  get(id: string): Promise<T.Connection> {
    return this.t.json("GET", "/v1/connections/{id}", { params: { id } });
  }
  /** A server-side connection: client credentials or JWT bearer, no browser. */
  create(connection: T.ServerSideConnection): Promise<T.Connection> {
    return this.t.json("POST", "/v1/connections", { body: connection });
  }
  /**
   * Revokes the grant at Salesforce, then deletes. With `force`, deletes even when Salesforce
   * cannot confirm the revocation (answered with the reason).
   */
  delete(id: string, options: { force?: boolean } = {}): Promise<T.ConnectionDeleted | undefined> {
    return this.t.json("DELETE", "/v1/connections/{id}", { params: { id }, query: { force: options.force } });
  }
  /** Runs the pre-install checklist against the connection's org now. */
  runChecklist(id: string): Promise<T.ChecklistRun> {
    return this.t.json("POST", "/v1/connections/{id}/checklist", { params: { id } });
  }
  /** The latest checklist run (404 `not_found` before the first). */
  checklist(id: string): Promise<T.ChecklistRun> {
    return this.t.json("GET", "/v1/connections/{id}/checklist", { params: { id } });
  }
  install(id: string, installation: T.NewInstallation): Promise<T.Installation> {
    return this.t.json("POST", "/v1/connections/{id}/integrations", { params: { id }, body: installation });
  }
  installations(id: string): Promise<T.InstalledIntegration[]> {
    return this.t
      .json<{ data: T.InstalledIntegration[] }>("GET", "/v1/connections/{id}/integrations", { params: { id } })
      .then((a) => a.data);
  }
  uninstall(id: string, installationId: string): Promise<void> {
    return this.t.json("DELETE", "/v1/connections/{id}/integrations/{installationId}", {
      params: { id, installationId },
    });
  }
}

/** `/v1/integrations`: manifests. */
export class Integrations extends Resource {
  /** A manifest as YAML text, or as an object (sent as JSON). Webhook secrets new in it are shown once. */
  upload(manifest: string | Record<string, unknown>): Promise<T.UploadedIntegration> {
    return typeof manifest === "string"
      ? this.t.json("POST", "/v1/integrations", { body: manifest, contentType: "application/yaml" })
      : this.t.json("POST", "/v1/integrations", { body: manifest });
  }
  list(): Promise<T.Integration[]> {
    return this.t.json<{ data: T.Integration[] }>("GET", "/v1/integrations").then((a) => a.data);
  }
  /** By id or by name. */
  get(idOrName: string): Promise<T.Integration> {
    return this.t.json("GET", "/v1/integrations/{id}", { params: { id: idOrName } });
  }
  delete(idOrName: string): Promise<void> {
    return this.t.json("DELETE", "/v1/integrations/{id}", { params: { id: idOrName } });
  }
}

/** Change Data Capture subscriptions of a connection: state, checkpoint, lag, recoveries. */
export class Subscriptions extends Resource {
  list(connectionId: string): Promise<T.Subscription[]> {
    return this.t
      .json<{ data: T.Subscription[] }>("GET", "/v1/connections/{id}/subscriptions", { params: { id: connectionId } })
      .then((a) => a.data);
  }
  /**
   * Resumes a paused subscription: the checklist runs now and, when its subscription checks pass,
   * it runs again from its checkpoint. Rejects with `subscription_still_paused` (409) and the
   * failing check's remedy otherwise.
   */
  resume(connectionId: string, subscriptionId: string): Promise<T.Subscription> {
    return this.t.json("POST", "/v1/connections/{id}/subscriptions/{subscriptionId}/resume", {
      params: { id: connectionId, subscriptionId },
    });
  }
}

/** Syncs of a connection: where each object stands, runs, and the records destination. */
export class Syncs extends Resource {
  states(connectionId: string): Promise<T.SyncState[]> {
    return this.t
      .json<{ data: T.SyncState[] }>("GET", "/v1/connections/{id}/syncs", { params: { id: connectionId } })
      .then((a) => a.data);
  }
  /** Queues a run now (`queued: true`), or answers the run already queued or running (`queued: false`). */
  run(connectionId: string, object: string): Promise<T.SyncRequested> {
    return this.t.json("POST", "/v1/connections/{id}/syncs/{object}", { params: { id: connectionId, object } });
  }
  /** Pauses one object's sync: its scheduled and asked-for runs are skipped until resume(). */
  pause(connectionId: string, object: string): Promise<T.SyncPauseState> {
    return this.t.json("POST", "/v1/connections/{id}/syncs/{object}/pause", { params: { id: connectionId, object } });
  }
  resume(connectionId: string, object: string): Promise<T.SyncPauseState> {
    return this.t.json("POST", "/v1/connections/{id}/syncs/{object}/resume", { params: { id: connectionId, object } });
  }
  runs(connectionId: string, filter: T.SyncRunFilter = {}): Promise<T.SyncRun[]> {
    return this.t
      .json<{ data: T.SyncRun[] }>("GET", "/v1/connections/{id}/sync-runs", {
        params: { id: connectionId },
        query: filter,
      })
      .then((a) => a.data);
  }
  /** One page of what changed in an object's records after `cursor`. */
  records(connectionId: string, object: string, page: { cursor?: string; limit?: number } = {}) {
    return this.t.json<T.RecordChanges>("GET", "/v1/connections/{id}/records/{object}", {
      params: { id: connectionId, object },
      query: page,
    });
  }
  /**
   * Every change after `cursor`, up to the latest; `onCursor` is told the cursor to resume from
   * after each page (keep it to read only what changes next time).
   */
  async *iterateRecords(
    connectionId: string,
    object: string,
    options: { cursor?: string; limit?: number; onCursor?: (cursor: string) => void } = {},
  ): AsyncGenerator<T.RecordChange> {
    let cursor = options.cursor;
    for (;;) {
      const page = await this.records(connectionId, object, { cursor, limit: options.limit });
      yield* page.records;
      cursor = page.nextCursor;
      options.onCursor?.(cursor);
      if (!page.hasMore) return;
    }
  }
}

/** `/v1/webhooks`: endpoints, their secrets and deliveries. */
export class Webhooks extends Resource {
  create(endpoint: T.NewWebhookEndpoint): Promise<T.WebhookEndpointWithSecret> {
    return this.t.json("POST", "/v1/webhooks", { body: endpoint });
  }
  list(): Promise<T.WebhookEndpoint[]> {
    return this.t.json<{ data: T.WebhookEndpoint[] }>("GET", "/v1/webhooks").then((a) => a.data);
  }
  get(id: string): Promise<T.WebhookEndpoint> {
    return this.t.json("GET", "/v1/webhooks/{id}", { params: { id } });
  }
  update(id: string, change: T.WebhookEndpointChange): Promise<T.WebhookEndpoint> {
    return this.t.json("PATCH", "/v1/webhooks/{id}", { params: { id }, body: change });
  }
  delete(id: string): Promise<void> {
    return this.t.json("DELETE", "/v1/webhooks/{id}", { params: { id } });
  }
  rotateSecret(
    id: string,
    options: { previousSecretValidSeconds?: number } = {},
  ): Promise<T.WebhookEndpointWithSecret> {
    return this.t.json("POST", "/v1/webhooks/{id}/rotate-secret", { params: { id }, body: options });
  }
  deliveries(id: string, filter: T.DeliveryFilter = {}): Promise<T.WebhookDelivery[]> {
    return this.t
      .json<{ data: T.WebhookDelivery[] }>("GET", "/v1/webhooks/{id}/deliveries", { params: { id }, query: filter })
      .then((a) => a.data);
  }
  /** Sends a `webhook.test` event to this endpoint. */
  /** Sends a delivery's event again (same event id and body) as a new delivery. */
  redeliver(id: string, deliveryId: string): Promise<T.Redelivery> {
    return this.t.json("POST", "/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", { params: { id, deliveryId } });
  }
  test(id: string): Promise<T.TestDelivery> {
    return this.t.json("POST", "/v1/webhooks/{id}/test", { params: { id } });
  }
}

/** Options of a write sent as NDJSON or CSV: the settings go in the query. */
export interface StreamedWrite {
  format: "ndjson" | "csv";
  object: string;
  operation: T.NewWrite["operation"];
  externalIdField?: string;
  allOrNone?: boolean;
}

/** The longest the server holds a GET of a write (its `wait`). */
const WRITE_WAIT_MAX_SECONDS = 60;
/** Statuses that end a wait: the write's run is over, for now (paused for the quota) or for good. */
const WRITE_ENDED: readonly string[] = ["completed", "failed", "paused"];

/** Writes into a connection's org, their per-record results and retries. */
export class Writes extends Resource {
  /**
   * Small writes run within the call and answer every result; larger ones are queued (status
   * `queued`): follow them with get() or a `write.completed` webhook.
   */
  create(connectionId: string, write: T.NewWrite, options: { idempotencyKey?: string } = {}): Promise<T.WriteAnswer> {
    return this.t.json("POST", "/v1/connections/{id}/writes", {
      params: { id: connectionId },
      body: write,
      headers: idempotency(options.idempotencyKey),
    });
  }
  /** Records as an NDJSON or CSV body (a string, bytes or a stream), read by the server as they come. */
  createFromFile(
    connectionId: string,
    body: RawBody,
    options: StreamedWrite & { idempotencyKey?: string },
  ): Promise<T.WriteAnswer> {
    const { format, idempotencyKey, ...settings } = options;
    return this.t.json("POST", "/v1/connections/{id}/writes", {
      params: { id: connectionId },
      query: settings,
      body,
      contentType: format === "csv" ? "text/csv" : "application/x-ndjson",
      headers: idempotency(idempotencyKey),
    });
  }
  list(connectionId: string, filter: T.WriteFilter = {}) {
    return this.t.json<{ data: T.Write[]; nextCursor: string | null }>("GET", "/v1/connections/{id}/writes", {
      params: { id: connectionId },
      query: filter,
    });
  }
  /** Every write of the connection, newest first, page after page. */
  iterate(connectionId: string, filter: Omit<T.WriteFilter, "cursor"> = {}): AsyncGenerator<T.Write> {
    return paginate((cursor) => this.list(connectionId, { ...filter, cursor }));
  }
  /**
   * The write as it stands; with `wait` (seconds, up to 60) the server holds the answer until the
   * write is completed, failed or paused, or the time is up.
   */
  get(connectionId: string, writeId: string, options: { wait?: number } = {}): Promise<T.Write> {
    return this.t.json("GET", "/v1/connections/{id}/writes/{writeId}", {
      params: { id: connectionId, writeId },
      query: options.wait ? { wait: options.wait } : undefined,
    });
  }
  /**
   * Waits for a queued write to end (completed, failed or paused), one held call at a time, never
   * polling; after `timeoutMs` (default 15 minutes) it answers the write as it stands: look at `status`.
   */
  async waitForEnd(connectionId: string, writeId: string, options: { timeoutMs?: number } = {}): Promise<T.Write> {
    const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
    for (;;) {
      const seconds = Math.min(WRITE_WAIT_MAX_SECONDS, Math.ceil((deadline - Date.now()) / 1000));
      const write = await this.get(connectionId, writeId, seconds > 0 ? { wait: seconds } : {});
      if (WRITE_ENDED.includes(write.status) || Date.now() >= deadline) return write;
    }
  }
  results(connectionId: string, writeId: string, filter: T.WriteResultFilter = {}) {
    return this.t.json<{ data: T.WriteResult[]; nextCursor: string | null }>(
      "GET",
      "/v1/connections/{id}/writes/{writeId}/results",
      { params: { id: connectionId, writeId }, query: filter },
    );
  }
  /** Every record's result, in input order, page after page. */
  iterateResults(
    connectionId: string,
    writeId: string,
    filter: Omit<T.WriteResultFilter, "cursor"> = {},
  ): AsyncGenerator<T.WriteResult> {
    return paginate((cursor) => this.results(connectionId, writeId, { ...filter, cursor }));
  }
  /** Re-runs the failed records of a finished write as a new write. */
  retry(
    connectionId: string,
    writeId: string,
    options: { retryableOnly?: boolean; idempotencyKey?: string } = {},
  ): Promise<T.WriteAnswer> {
    return this.t.json("POST", "/v1/connections/{id}/writes/{writeId}/retry", {
      params: { id: connectionId, writeId },
      body: options.retryableOnly === undefined ? {} : { retryableOnly: options.retryableOnly },
      headers: idempotency(options.idempotencyKey),
    });
  }
}

/** The activity log: what happened on each connection (refreshes, checklist runs, syncs, writes…). */
export class Activity extends Resource {
  /** One page, newest first; filter by connection, kind and level. */
  list(filter: T.ActivityFilter = {}): Promise<T.ActivityPage> {
    return this.t.json("GET", "/v1/activity", { query: filter });
  }
  /** Every row matching the filter, newest first, page after page. */
  iterate(filter: Omit<T.ActivityFilter, "cursor"> = {}): AsyncGenerator<T.ActivityEntry> {
    return paginate((cursor) => this.list({ ...filter, cursor }));
  }
}

function idempotency(key: string | undefined): Record<string, string> {
  return key === undefined ? {} : { "idempotency-key": key };
}
