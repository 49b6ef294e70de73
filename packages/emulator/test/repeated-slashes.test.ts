import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../src/seed/demo-seed.ts";
import { type DemoOrg, startDemoOrg } from "../src/testing/index.ts";

/**
 * Clients that join an instance URL ending in `/` to `/services/...` call `//services/...`, and
 * Salesforce serves those as the path with single slashes, on every host and API.
 */
let t: DemoOrg;
let accountId: string;

beforeAll(async () => {
  t = await startDemoOrg();
  const res = await t.api(DEMO.integration.username, "/sobjects/Account", {
    method: "POST",
    body: { Name: "Slash//Name" },
  });
  accountId = ((await res.json()) as { id: string }).id;
});
afterAll(async () => {
  await t?.close();
});

const bearer = () => ({ authorization: `Bearer ${t.token(DEMO.integration.username)}` });

describe("a path with repeated slashes is served as the path with single ones", () => {
  const rows: Array<{ row: string; call: () => Promise<Response>; check: (body: unknown) => void }> = [
    {
      row: "GET //services/data/ lists the versions",
      call: () => fetch(`${t.urls.myDomain}//services/data/`),
      check: (body) => expect(body).toEqual(expect.arrayContaining([expect.objectContaining({ version: "67.0" })])),
    },
    {
      row: "GET //services/data/v67.0/sobjects/Account/{id} reads the record",
      call: () => fetch(`${t.urls.myDomain}//services/data/v67.0/sobjects/Account/${accountId}`, { headers: bearer() }),
      check: (body) => expect(body).toMatchObject({ Id: accountId, Name: "Slash//Name" }),
    },
    {
      row: "slashes inside the path and the query string left as it is",
      call: () =>
        fetch(
          `${t.urls.myDomain}/services//data///v67.0//query?q=${encodeURIComponent("SELECT Id, Name FROM Account WHERE Name = 'Slash//Name'")}`,
          { headers: bearer() },
        ),
      check: (body) => expect(body).toMatchObject({ totalSize: 1, records: [{ Id: accountId, Name: "Slash//Name" }] }),
    },
    {
      row: "POST //services/oauth2/token on the login host",
      call: () =>
        fetch(`${t.urls.login}//services/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "password",
            client_id: DEMO.app.clientId,
            client_secret: DEMO.app.clientSecret,
            username: DEMO.integration.username,
            password: DEMO.integration.password,
          }),
        }),
      check: (body) => expect(body).toMatchObject({ instance_url: t.urls.myDomain, token_type: "Bearer" }),
    },
    {
      row: "a composite subrequest whose url has a doubled slash",
      call: () =>
        fetch(`${t.urls.myDomain}//services/data/v67.0/composite`, {
          method: "POST",
          headers: { ...bearer(), "content-type": "application/json" },
          body: JSON.stringify({
            compositeRequest: [
              { method: "GET", url: `//services/data/v67.0/sobjects/Account/${accountId}`, referenceId: "a" },
            ],
          }),
        }),
      check: (body) =>
        expect(body).toMatchObject({ compositeResponse: [{ httpStatusCode: 200, body: { Id: accountId } }] }),
    },
  ];

  it.each(rows)("$row", async ({ call, check }) => {
    const res = await call();
    const text = await res.text();
    expect(res.status, text).toBe(200);
    check(JSON.parse(text));
  });
});
