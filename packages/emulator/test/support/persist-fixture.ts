import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO, DEMO_SEED } from "../../src/seed/demo-seed.ts";
import { authorizationCode, buildAuthorizeUrl, pkcePair } from "../../src/testing/index.ts";
import { Api, csvRecords } from "../bulk-harness.ts";

/** The demo app's registered callback (nothing needs to listen there: the code is read from the redirect). */
export const CALLBACK = "http://127.0.0.1:4000/oauth/callback";

/** The demo org without generated records. */
export const SEED = { ...DEMO_SEED, generate: {} };

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "emulator-state-"));
}

export interface Connection {
  accessToken: string;
  refreshToken: string;
}

/** Connects the integration user to the demo app through the web-server flow, as Forcelink does. */
export async function connectDemoApp(loginUrl: string): Promise<Connection> {
  const { verifier, challenge } = pkcePair();
  const url = buildAuthorizeUrl(loginUrl, {
    response_type: "code",
    client_id: DEMO.app.clientId,
    redirect_uri: CALLBACK,
    scope: "api refresh_token",
    code_challenge: challenge,
  });
  const { code } = await authorizationCode(url, DEMO.integration.username, DEMO.integration.password);
  const res = await fetch(`${loginUrl}/services/oauth2/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
      client_id: DEMO.app.clientId,
      client_secret: DEMO.app.clientSecret,
    }),
  });
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { access_token: string; refresh_token: string };
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}

/** Redeems a refresh token; the status and, on success, the new access token. */
export async function refresh(
  loginUrl: string,
  refreshToken: string,
): Promise<{ status: number; accessToken?: string }> {
  const res = await fetch(`${loginUrl}/services/oauth2/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: DEMO.app.clientId,
      client_secret: DEMO.app.clientSecret,
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, accessToken: body.access_token };
}

/** What a test writes before a restart, and checks after it. */
export interface Written {
  accountId: string;
  deletedId: string;
  ingestJobId: string;
  queryJobId: string;
  queryCsv: string;
}

/** Writes records (one deleted to the recycle bin), runs a Bulk ingest job and a Bulk query job. */
export async function writeSome(api: Api): Promise<Written> {
  const created = await api.send("POST", "/sobjects/Account", { Name: "Kept Across Restarts", Industry: "Energy" });
  if (created.status !== 201) throw new Error(`insert failed: ${created.text}`);
  const accountId = created.json().id as string;
  await api.send("PATCH", `/sobjects/Account/${accountId}`, { NumberOfEmployees: 42 });
  const doomed = (await api.send("POST", "/sobjects/Account", { Name: "Binned" })).json().id as string;
  await api.send("DELETE", `/sobjects/Account/${doomed}`);

  const job = (await api.send("POST", "/jobs/ingest", { object: "Account", operation: "insert" })).json();
  await api.send("PUT", `/jobs/ingest/${job.id}/batches`, "Name,Industry\nBulk One,Energy\nBulk Two,Energy\n");
  await api.send("PATCH", `/jobs/ingest/${job.id}`, { state: "UploadComplete" });
  let ingestState = "";
  while (ingestState !== "JobComplete") ingestState = (await api.send("GET", `/jobs/ingest/${job.id}`)).json().state;

  const soql = "SELECT Id, Name FROM Account WHERE Name LIKE 'Bulk%' OR Name = 'Kept Across Restarts' ORDER BY Name";
  const query = (await api.send("POST", "/jobs/query", { operation: "query", query: soql })).json();
  let state = "";
  while (state !== "JobComplete") state = (await api.send("GET", `/jobs/query/${query.id}`)).json().state;
  const queryCsv = (await api.send("GET", `/jobs/query/${query.id}/results`)).text;
  if (csvRecords(queryCsv).length !== 3) throw new Error(`unexpected query results: ${queryCsv}`);
  return { accountId, deletedId: doomed, ingestJobId: job.id, queryJobId: query.id, queryCsv };
}

/** Every check of the acceptance: records, the recycle bin, both jobs, the session and the refresh token. */
export async function readBack(myDomain: string, loginUrl: string, connection: Connection, written: Written) {
  const api = new Api(myDomain, connection.accessToken);
  const account = await api.send("GET", `/sobjects/Account/${written.accountId}`);
  const binned = await api.send(
    "GET",
    `/queryAll?q=${encodeURIComponent(`SELECT Id, IsDeleted FROM Account WHERE Id = '${written.deletedId}'`)}`,
  );
  const ingest = await api.send("GET", `/jobs/ingest/${written.ingestJobId}`);
  const ingestOk = await api.send("GET", `/jobs/ingest/${written.ingestJobId}/successfulResults`);
  const queryCsv = (await api.send("GET", `/jobs/query/${written.queryJobId}/results`)).text;
  const renewed = await refresh(loginUrl, connection.refreshToken);
  const withRenewed = renewed.accessToken
    ? (await new Api(myDomain, renewed.accessToken).send("GET", `/sobjects/Account/${written.accountId}`)).status
    : null;
  return {
    accountStatus: account.status,
    account: account.status === 200 ? account.json() : account.text,
    binned: binned.json().records,
    ingest: ingest.json(),
    ingestSuccesses: ingestOk.status === 200 ? csvRecords(ingestOk.text).map((r) => r.Name) : ingestOk.text,
    queryCsv,
    refreshStatus: renewed.status,
    withRenewed,
  };
}

export function fileText(path: string): string {
  return readFileSync(path, "latin1");
}
