/** @forcelink/connect: opens a Forcelink connect link in a popup and resolves with the connection. */

declare const Forcelink: Forcelink.ForcelinkConnect;

declare namespace Forcelink {
  interface ConnectOptions {
    /** The connect session's `url` (or `popupUrl`), as `POST /v1/connect-sessions` answered it. */
    url: string;
    /** Open a popup (default), with this size; `false` goes straight to a redirect. */
    popup?: boolean | { width?: number; height?: number };
    /** When the popup is blocked, send this page to the connect link instead (default true). */
    redirect?: boolean;
    /** Aborting closes the popup and rejects with `code: "aborted"`. */
    signal?: AbortSignal;
  }

  /** The checks run right after connecting, as the popup reports them. */
  type ChecklistResult =
    | {
        /** No check failed (warnings and unknowns do not fail a run). */
        passed: boolean;
        runId: string;
        summary: { pass: number; warn: number; fail: number; unknown: number };
        /** Ids of the failing checks; `GET /v1/connections/{id}/checklist` has their remedies. */
        failing: string[];
      }
    | { passed: null; error: string };

  interface ConnectResult {
    connectionId: string;
    endUserId: string | null;
    /** True when an existing connection was authorized again (a reconnect link). */
    renewed: boolean;
    checklist: ChecklistResult | null;
  }

  /** What a page reached through the redirect fallback finds in its URL. */
  type RedirectResult =
    | {
        status: "connected";
        connectionId: string;
        checklist: { passed: boolean | null; failing: string[] } | null;
      }
    | { status: "failed"; error: string | null };

  type ConnectErrorCode =
    | "popup_closed"
    | "connect_failed"
    | "result_withheld"
    | "popup_blocked"
    | "invalid_url"
    | "aborted";

  interface ForcelinkConnectError extends Error {
    name: "ForcelinkConnectError";
    code: ConnectErrorCode;
    /** For `connect_failed`: Forcelink's reason code (`access_denied`, `app_not_installed`, …). */
    reason: string | null;
  }

  interface ForcelinkConnect {
    version: string;
    /**
     * Opens the connect link from a click: resolves with the connection, rejects with a
     * ForcelinkConnectError. When the popup is blocked the page goes to the link instead and the
     * promise never settles; read the result with `connectResult()` where the customer comes back.
     */
    connect(urlOrOptions: string | ConnectOptions): Promise<ConnectResult>;
    /** The redirect fallback's result in this page's URL (or `href`), or null. */
    connectResult(href?: string): RedirectResult | null;
    ForcelinkConnectError: {
      (code: ConnectErrorCode, message: string, reason?: string | null): ForcelinkConnectError;
      prototype: ForcelinkConnectError;
    };
  }
}

export = Forcelink;
/** Loaded with a <script> tag, the helper is the global `Forcelink`. */
export as namespace Forcelink;
