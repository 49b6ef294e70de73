import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEMO } from "@forcelink/emulator";
import {
  AuthorizeFlowError,
  authorizationCode,
  buildAuthorizeUrl,
  type DemoOrg,
  followToCallback,
  pkcePair,
  startDemoOrg,
} from "@forcelink/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** `@forcelink/emulator/testing`, through the package's export as other packages' suites use it. */
let demo: DemoOrg;
let callbackServer: Server;
let callbackUrl: string;
const seenByCallback: string[] = [];

beforeAll(async () => {
  demo = await startDemoOrg();
  callbackServer = createServer((req, res) => {
    seenByCallback.push(req.url ?? "");
    res.writeHead(200, { "content-type": "text/html" }).end("<p>connected</p>");
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;
  const app = demo.org.appByClientId(DEMO.app.clientId)!;
  demo.admin.updateApp(app.id, { callbackUrls: [...app.callbackUrls, callbackUrl] });
});
afterAll(async () => {
  callbackServer?.closeAllConnections();
  await new Promise((resolve) => callbackServer?.close(resolve));
  await demo?.close();
});

function authorizeUrl(challenge: string, state = "st-1"): string {
  return buildAuthorizeUrl(demo.urls.login, {
    response_type: "code",
    client_id: DEMO.app.clientId,
    redirect_uri: callbackUrl,
    scope: "api refresh_token",
    state,
    code_challenge: challenge,
  });
}

describe("startDemoOrg", () => {
  it("builds the demo org without generated records, or with those asked for, or another seed", async () => {
    expect(demo.org.store.tableOrThrow("Account").size).toBe(0);
    expect(demo.org.userByUsername(DEMO.integration.username)?.IsActive).toBe(true);
    const withRecords = await startDemoOrg({ generate: { Account: 7 } });
    const other = await startDemoOrg({ seed: { org: { name: "Other Org" } } });
    try {
      expect(withRecords.org.store.tableOrThrow("Account").size).toBe(7);
      expect(other.org.appByClientId(DEMO.app.clientId)).toBeUndefined();
      expect(other.org.organization().Name).toBe("Other Org");
    } finally {
      await withRecords.close();
      await other.close();
    }
  });
});

describe("the web-server flow without a browser", () => {
  it("authorizationCode logs in and approves on the emulator's pages; the code redeems at the token endpoint", async () => {
    const { verifier, challenge } = pkcePair();
    const result = await authorizationCode(
      authorizeUrl(challenge),
      DEMO.integration.username,
      DEMO.integration.password,
    );
    expect(result.pages).toEqual(["login", "consent"]);
    expect(result.state).toBe("st-1");
    const token = await fetch(`${demo.urls.login}/services/oauth2/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: result.code,
        code_verifier: verifier,
        redirect_uri: callbackUrl,
        client_id: DEMO.app.clientId,
        client_secret: DEMO.app.clientSecret,
      }),
    });
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ instance_url: demo.urls.myDomain, refresh_token: expect.any(String) });
  });

  it("authorizationCode throws AuthorizeFlowError when the flow ends without a code (the user denies)", async () => {
    const { challenge } = pkcePair();
    // A user who has not approved the app yet, so the approval page shows.
    const denied = authorizationCode(authorizeUrl(challenge), DEMO.admin.username, DEMO.admin.password, {
      approve: false,
    });
    await expect(denied).rejects.toBeInstanceOf(AuthorizeFlowError);
    await expect(denied).rejects.toThrow(/error=access_denied/);
  });

  it("followToCallback loads the app's callback with the code, as the browser does next", async () => {
    const { challenge } = pkcePair();
    const result = await authorizationCode(
      authorizeUrl(challenge, "st-2"),
      DEMO.integration.username,
      DEMO.integration.password,
    );
    const page = await followToCallback(result);
    expect(page).toMatchObject({ status: 200, html: "<p>connected</p>" });
    expect(seenByCallback.at(-1)).toBe(`/callback?code=${encodeURIComponent(result.code)}&state=st-2`);
  });
});
