import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { HttpError } from "./http-error.ts";

/**
 * Requests Node's parser refuses before any route runs (headers too large, a method that is no
 * HTTP token, a raw tab or space in the path, a broken Content-Length): the answer is written to
 * the socket by hand, so it must still be the API's one error shape.
 */
export function clientErrorAnswer(code: string | undefined): HttpError {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return new HttpError(
        431,
        "headers_too_large",
        "The request line and headers together are larger than this server reads (16 KB).",
        { remedy: "Send fewer or smaller headers (cookies, long URLs); put large data in the body." },
      );
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new HttpError(408, "request_timeout", "The request was not received in time.", {
        remedy: "Send the whole request promptly, then retry.",
      });
    case "HPE_INVALID_METHOD":
      return new HttpError(405, "method_not_allowed", "The request's method is not an HTTP method this server knows.", {
        remedy: "Use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.",
      });
    case "HPE_INVALID_URL":
      return new HttpError(400, "invalid_url", "The request's path is not a valid URL path.", {
        remedy: "Percent-encode spaces, tabs and other characters outside the URL alphabet (a tab is %09).",
      });
    case "HPE_INVALID_HEADER_TOKEN":
    case "HPE_INVALID_CONTENT_LENGTH":
    case "HPE_INVALID_TRANSFER_ENCODING":
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
      return new HttpError(400, "invalid_headers", "The request's headers are not valid HTTP.", {
        remedy: "Check header names and values (no spaces in names, one Content-Length or chunked encoding).",
      });
    default:
      return new HttpError(400, "invalid_request", "The request is not valid HTTP/1.1.", {
        remedy: "Send a well-formed HTTP/1.1 request (an HTTP client library does this for you).",
      });
  }
}

/** Node's `clientError`: answers in the API's shape and closes the connection. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (!socket.writable) return void socket.destroy();
  const answer = clientErrorAnswer(error.code);
  const body = JSON.stringify(answer.body());
  socket.end(
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}
