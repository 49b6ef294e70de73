import type { ResponseHeaders, SalesforceClient } from "./api-client.ts";

/**
 * One `/composite` call: up to 25 subrequests run in order as one request, which counts once
 * against the org's daily API limit (a `/composite/batch` counts each of its subrequests). With
 * `allOrNone` the call is one transaction; without it every subrequest runs and answers on its own.
 */

export type CompositeClient = Pick<SalesforceClient, "request" | "dataPath">;

/** One subrequest; `url` is the whole path (`/services/data/vXX.X/...`). */
export interface CompositeSubrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
}

/** Salesforce's answer to one subrequest. */
export interface CompositeAnswer {
  body: unknown;
  httpStatusCode: number;
  referenceId: string;
}

export interface CompositeOptions {
  allOrNone?: boolean;
  /** The client may send the call again after a lost answer (nothing in it writes twice). */
  idempotent: boolean;
  signal?: AbortSignal;
}

/** Sends the subrequests and answers each by its referenceId, with the call's response headers. */
export async function sendComposite(
  client: CompositeClient,
  subrequests: CompositeSubrequest[],
  options: CompositeOptions,
): Promise<{ answers: Map<string, CompositeAnswer>; headers: ResponseHeaders }> {
  const res = await client.request<{ compositeResponse?: CompositeAnswer[] }>({
    method: "POST",
    path: `${client.dataPath}/composite`,
    json: { allOrNone: options.allOrNone === true, compositeRequest: subrequests },
    idempotent: options.idempotent,
    signal: options.signal,
  });
  const answers = new Map((res.body?.compositeResponse ?? []).map((a) => [a.referenceId, a]));
  return { answers, headers: res.headers };
}
