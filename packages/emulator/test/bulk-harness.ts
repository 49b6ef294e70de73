import { parse } from "csv-parse/sync";
import { type RunningEmulator, startEmulator } from "../src/emulator.ts";
import type { OrgAdmin } from "../src/org/admin.ts";
import type { Org } from "../src/org/org.ts";
import type { OrgSettings } from "../src/org/settings.ts";
import { createBaseOrg } from "../src/seed/base-org.ts";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in the tests
  json<T = any>(): T;
}

/** A tiny HTTP client for one session against the emulator's My Domain. */
export class Api {
  readonly base: string;
  readonly token: string;
  readonly version: string;

  constructor(base: string, token: string, version = "v67.0") {
    this.base = base;
    this.token = token;
    this.version = version;
  }

  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const isText = typeof body === "string";
    const res = await fetch(`${this.base}/services/data/${this.version}${path}`, {
      method,
      body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": isText ? "text/csv" : "application/json" }),
        ...headers,
      },
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  withVersion(version: string): Api {
    return new Api(this.base, this.token, version);
  }
}

export interface Harness {
  org: Org;
  admin: OrgAdmin;
  adminId: string;
  emulator: RunningEmulator;
  api: Api;
  /** A session for another user of the org. */
  apiFor(userId: string): Api;
  close(): Promise<void>;
}

export async function startHarness(settings: Partial<OrgSettings> = {}): Promise<Harness> {
  const { org, admin } = createBaseOrg({ settings });
  const emulator = await startEmulator({ org, port: 0 });
  const adminId = org.userByUsername(`admin@${org.myDomain}.example`)!.Id;
  const apiFor = (userId: string) =>
    new Api(emulator.urls.myDomain, org.sessions.openSession(userId, null, ["api"], null).accessToken);
  return { org, admin, adminId, emulator, api: apiFor(adminId), apiFor, close: () => emulator.close() };
}

/** Creates an ingest job, uploads the CSV and closes it; returns the job id. */
export async function runIngest(
  api: Api,
  job: {
    object: string;
    operation: string;
    externalIdFieldName?: string;
    lineEnding?: string;
    columnDelimiter?: string;
  },
  csv: string,
): Promise<string> {
  const created = await api.send("POST", "/jobs/ingest", job);
  if (created.status !== 200) throw new Error(`create failed: ${created.status} ${created.text}`);
  const id = created.json().id as string;
  const put = await api.send("PUT", `/jobs/ingest/${id}/batches`, csv);
  if (put.status !== 201) throw new Error(`upload failed: ${put.status} ${put.text}`);
  const closed = await api.send("PATCH", `/jobs/ingest/${id}`, { state: "UploadComplete" });
  if (closed.status !== 200) throw new Error(`close failed: ${closed.status} ${closed.text}`);
  return id;
}

/** Rows of a CSV answer as objects keyed by its header. */
export function csvRecords(text: string, delimiter = ",", lineEnding = "\n"): Array<Record<string, string>> {
  return parse(text, { columns: true, delimiter, record_delimiter: lineEnding, bom: true }) as Array<
    Record<string, string>
  >;
}
