import { DEMO, DEMO_SEED } from "@forcelink/emulator";
import { load } from "./load-generator.ts";
import { passwordLogin, spawnEmulator } from "./spawn-emulator.ts";
import { spawnServer } from "./spawn-server.ts";

const PATH = "/services/data/v67.0/limits";
/** A typical proxied call: a page of 200 Accounts with a dozen fields (the emulator does real work for it). */
const QUERY_PATH = `/services/data/v67.0/query?q=${encodeURIComponent(
  "SELECT Id, Name, Type, Industry, BillingCity, BillingCountry, Phone, Website, AnnualRevenue, NumberOfEmployees, CreatedDate, SystemModstamp FROM Account ORDER BY Id LIMIT 200",
)}`;

/**
 * fetch, once more when a kept-alive socket turns out closed: the servers drop idle connections
 * after 5 s, and the loads between two control calls last longer than that.
 */
async function call(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw error;
    return fetch(url, init);
  }
}

async function tokenCalls(loginUrl: string): Promise<number> {
  const counters = (await (await call(`${loginUrl}/__emulator/counters`)).json()) as {
    byEndpoint: Record<string, number>;
  };
  return counters.byEndpoint["POST /services/oauth2/token"] ?? 0;
}

/** Direct calls to the emulator against the same calls through Forcelink's proxy, in one run. */
export async function proxyBench(options: { seconds?: number; concurrency?: number } = {}) {
  const seconds = options.seconds ?? 10;
  const concurrency = options.concurrency ?? 8;
  const emulator = await spawnEmulator({ ...DEMO_SEED, generate: { Account: 1_000 }, quota: { limit: 100_000_000 } });
  const server = await spawnServer({
    login: emulator.loginUrl,
    test: emulator.loginUrl.replace(/\d+$/, (p) => String(Number(p) + 1)),
    myDomain: emulator.myDomainUrl,
  });
  try {
    const api = (path: string, body?: unknown) =>
      call(`${server.url}${path}`, {
        method: body ? "POST" : "GET",
        headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });
    const app = (await (
      await api("/v1/provider-apps", {
        name: "Bench",
        kind: "external_client_app",
        clientId: DEMO.app.clientId,
        clientSecret: DEMO.app.clientSecret,
        scopes: ["api", "refresh_token", "id"],
        clientCredentials: { enabled: true },
      })
    ).json()) as { id: string };
    const conn = await api("/v1/connections", {
      flow: "client_credentials",
      providerAppId: app.id,
      endUserId: "bench",
      myDomain: "forcelink-demo",
    });
    if (conn.status !== 201) throw new Error(`connection failed: ${conn.status} ${await conn.text()}`);
    const connectionId = ((await conn.json()) as { id: string }).id;
    const directToken = await passwordLogin(emulator);

    const directUrl = `${emulator.myDomainUrl}${PATH}`;
    const proxyUrl = `${server.url}/v1/connections/${connectionId}/proxy${PATH}`;
    // Warm both paths (connections, JIT, the proxy's first token read) before measuring.
    await load(directUrl, { authorization: `Bearer ${directToken}` }, concurrency, 2);
    await load(proxyUrl, { authorization: `Bearer ${server.apiKey}` }, concurrency, 2);

    const tokenCallsBefore = await tokenCalls(emulator.loginUrl);
    // Latency one call at a time (what a call costs), then throughput under concurrent load.
    const directLatency = await load(directUrl, { authorization: `Bearer ${directToken}` }, 1, seconds);
    const proxiedLatency = await load(proxyUrl, { authorization: `Bearer ${server.apiKey}` }, 1, seconds);
    const direct = await load(directUrl, { authorization: `Bearer ${directToken}` }, concurrency, seconds);
    const proxied = await load(proxyUrl, { authorization: `Bearer ${server.apiKey}` }, concurrency, seconds);
    // The same at zero latency for a call that makes Salesforce work: a 200-row query page.
    const directQueryUrl = `${emulator.myDomainUrl}${QUERY_PATH}`;
    const proxiedQueryUrl = `${server.url}/v1/connections/${connectionId}/proxy${QUERY_PATH}`;
    await load(proxiedQueryUrl, { authorization: `Bearer ${server.apiKey}` }, concurrency, 2);
    const directQuery = await load(directQueryUrl, { authorization: `Bearer ${directToken}` }, concurrency, seconds);
    const proxiedQuery = await load(
      proxiedQueryUrl,
      { authorization: `Bearer ${server.apiKey}` },
      concurrency,
      seconds,
    );
    // Salesforce answers in tens of milliseconds, not microseconds: the same comparison with the
    // emulator answering after 20 ms, at 32 connections, shows the proxy where it will live.
    await call(`${emulator.loginUrl}/__emulator/faults`, {
      method: "PUT",
      body: JSON.stringify({ latencyMs: 20 }),
      headers: { "content-type": "application/json" },
    });
    const directSlow = await load(directUrl, { authorization: `Bearer ${directToken}` }, 32, seconds);
    const proxiedSlow = await load(proxyUrl, { authorization: `Bearer ${server.apiKey}` }, 32, seconds);
    await call(`${emulator.loginUrl}/__emulator/faults`, { method: "DELETE" });
    const tokenCallsDuring = (await tokenCalls(emulator.loginUrl)) - tokenCallsBefore;
    const addedMedianMs = Number((proxiedLatency.medianMs - directLatency.medianMs).toFixed(3));
    const throughputRatio = Number((proxied.requestsPerSecond / direct.requestsPerSecond).toFixed(3));
    return {
      name: "proxy.overhead",
      path: PATH,
      latency: {
        concurrency: 1,
        baseline: { name: "direct calls to the emulator", ...directLatency },
        proxied: { name: "the same calls through /v1/connections/{id}/proxy", ...proxiedLatency },
      },
      throughput: {
        concurrency,
        baseline: { name: "direct calls to the emulator", ...direct },
        proxied: { name: "through the proxy", ...proxied },
      },
      queryPage: {
        path: QUERY_PATH,
        concurrency,
        baseline: { name: "direct 200-row query pages from the emulator", ...directQuery },
        proxied: { name: "the same through the proxy", ...proxiedQuery },
        throughputRatio: Number((proxiedQuery.requestsPerSecond / directQuery.requestsPerSecond).toFixed(3)),
      },
      withSalesforceLatency: {
        emulatorLatencyMs: 20,
        concurrency: 32,
        baseline: { name: "direct calls to the emulator", ...directSlow },
        proxied: { name: "through the proxy", ...proxiedSlow },
        throughputRatio: Number((proxiedSlow.requestsPerSecond / directSlow.requestsPerSecond).toFixed(3)),
      },
      addedMedianMs,
      throughputRatio,
      tokenEndpointCallsDuringRun: tokenCallsDuring,
      target: {
        addedMedianMsBelow: 1,
        throughputRatioAtLeast: 0.7,
        tokenCalls: 0,
        met: addedMedianMs < 1 && throughputRatio >= 0.7 && tokenCallsDuring === 0,
      },
    };
  } finally {
    await server.stop();
    await emulator.stop();
  }
}
