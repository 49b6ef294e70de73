/*! @forcelink/connect 0.1.0 | Apache-2.0 */
/*
 * The browser side of Forcelink's connect flow, without dependencies: opens a connect link in a
 * popup from a click, listens for the result the connect pages post to their opener (checking its
 * origin and its source window), falls back to a redirect when the popup is blocked, and reports a
 * popup closed before the end. Loaded as a <script> it defines `window.Forcelink`; required from a
 * bundler it exports the same object.
 */
((root, factory) => {
  var api = factory(root);
  if (typeof module === "object" && module && module.exports) module.exports = api;
  else root.Forcelink = api;
})(typeof self !== "undefined" ? self : this, (root) => {
  var MESSAGE_TYPE = "forcelink:connect";
  var POLL_MS = 250;
  var WINDOW_NAME = "forcelink-connect";
  /** Query parameters the redirect fallback's return URL carries (beside connection_id). */
  var PARAMS = {
    connectionId: "connection_id",
    status: "forcelink_status",
    checklist: "forcelink_checklist",
    failing: "forcelink_failing",
    error: "forcelink_error",
  };

  function ForcelinkConnectError(code, message, reason) {
    var error = new Error(message);
    Object.setPrototypeOf(error, ForcelinkConnectError.prototype);
    error.name = "ForcelinkConnectError";
    error.code = code;
    error.reason = reason === undefined ? null : reason;
    return error;
  }
  ForcelinkConnectError.prototype = Object.create(Error.prototype, {
    constructor: { value: ForcelinkConnectError, writable: true, configurable: true },
  });

  /** The connect link, opened the way asked (`popup` or `redirect`); only http(s) links are opened. */
  function linkFor(url, display) {
    var link;
    try {
      link = new URL(String(url), root.location.href);
    } catch (_e) {
      link = null;
    }
    if (!link || (link.protocol !== "https:" && link.protocol !== "http:"))
      throw ForcelinkConnectError(
        "invalid_url",
        "Forcelink.connect needs the connect session's url (POST /v1/connect-sessions answers it): an http(s) URL.",
      );
    link.searchParams.set("display", display);
    return link;
  }

  function popupFeatures(size) {
    var width = size?.width || 520;
    var height = size?.height || 720;
    var left = Math.max(0, (root.screenX || 0) + ((root.outerWidth || width) - width) / 2);
    var top = Math.max(0, (root.screenY || 0) + ((root.outerHeight || height) - height) / 2);
    return `popup=yes,width=${width},height=${height},left=${Math.round(left)},top=${Math.round(top)}`;
  }

  /**
   * Opens the connect link. Call it from a click handler: browsers block popups opened later.
   * Resolves with `{connectionId, endUserId, renewed, checklist}`; rejects with a
   * ForcelinkConnectError (`code`: popup_closed, connect_failed, result_withheld, popup_blocked,
   * invalid_url, aborted). When the popup is blocked the page is sent to the link instead
   * (unless `redirect: false`) and the promise never settles: read the result with
   * `Forcelink.connectResult()` on the page the customer comes back to.
   */
  function connect(input) {
    var options = typeof input === "string" ? { url: input } : input || {};
    var popupLink;
    var redirectLink;
    try {
      popupLink = linkFor(options.url, "popup");
      redirectLink = linkFor(options.url, "redirect");
    } catch (error) {
      return Promise.reject(error);
    }
    var popup = null;
    if (options.popup !== false) {
      try {
        popup = root.open(popupLink.href, WINDOW_NAME, popupFeatures(options.popup));
      } catch (_e) {
        popup = null;
      }
    }
    if (!popup || popup.closed) {
      if (options.redirect === false)
        return Promise.reject(
          ForcelinkConnectError(
            "popup_blocked",
            "The browser blocked the connect popup: call Forcelink.connect from a click handler, or let it fall back to a redirect.",
          ),
        );
      root.location.assign(redirectLink.href);
      return new Promise(() => {});
    }
    return awaitResult(popup, popupLink.origin, options.signal);
  }

  function awaitResult(popup, origin, signal) {
    return new Promise((resolve, reject) => {
      var settled = false;
      var timer = null;
      function finish(settle, value) {
        if (settled) return;
        settled = true;
        root.removeEventListener("message", onMessage);
        if (timer !== null) clearInterval(timer);
        if (signal) signal.removeEventListener("abort", onAbort);
        settle(value);
      }
      function onMessage(event) {
        // Only the popup this call opened, showing Forcelink's own pages, may answer.
        if (event.source !== popup || event.origin !== origin) return;
        var data = event.data;
        if (!data || typeof data !== "object" || data.type !== MESSAGE_TYPE) return;
        if (data.status === "connected") {
          if (!data.connectionId)
            return finish(
              reject,
              ForcelinkConnectError(
                "result_withheld",
                "Salesforce is connected, but Forcelink tells only the connect session's returnUrl origin which connection was made: create the session with a returnUrl on " +
                  root.location.origin +
                  ".",
              ),
            );
          return finish(resolve, {
            connectionId: data.connectionId,
            endUserId: data.endUserId === undefined ? null : data.endUserId,
            renewed: Boolean(data.renewed),
            checklist: data.checklist || null,
          });
        }
        if (data.status === "failed")
          finish(
            reject,
            ForcelinkConnectError(
              "connect_failed",
              "Connecting Salesforce failed" +
                (data.error ? ` (${data.error})` : "") +
                ": the connect window says why and what to change.",
              data.error || null,
            ),
          );
      }
      function onAbort() {
        try {
          popup.close();
        } catch (_e) {
          /* already gone */
        }
        finish(reject, ForcelinkConnectError("aborted", "Connecting was cancelled."));
      }
      root.addEventListener("message", onMessage);
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort);
      }
      timer = setInterval(() => {
        if (popup.closed)
          finish(
            reject,
            ForcelinkConnectError("popup_closed", "The connect window was closed before Salesforce was connected."),
          );
      }, POLL_MS);
    });
  }

  /**
   * The result the redirect fallback brought back in this page's URL (or `href`): null when there
   * is none, `{status: "connected", connectionId, checklist}` or `{status: "failed", error}`.
   */
  function connectResult(href) {
    var params = new URL(href || root.location.href, root.location.href).searchParams;
    var status = params.get(PARAMS.status);
    if (status === "failed") return { status: "failed", error: params.get(PARAMS.error) };
    if (status !== "connected" || !params.get(PARAMS.connectionId)) return null;
    var ran = params.get(PARAMS.checklist);
    var failing = params.get(PARAMS.failing);
    return {
      status: "connected",
      connectionId: params.get(PARAMS.connectionId),
      checklist: ran
        ? {
            passed: ran === "passed" ? true : ran === "failed" ? false : null,
            failing: failing ? failing.split(",") : [],
          }
        : null,
    };
  }

  return {
    version: "0.1.0",
    connect: connect,
    connectResult: connectResult,
    ForcelinkConnectError: ForcelinkConnectError,
  };
});
