import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AuthorizeFlowError,
  buildAuthorizeUrl,
  CookieJar,
  callbackParams,
  completeAuthorize,
  openPage,
  pageError,
  parseForms,
  pkcePair,
  submitForm,
} from "../src/testing/index.ts";
import { CALLBACK, type OAuthFixture, postForm, startOAuthOrg, tokenUrl } from "./support/oauth-fixture.ts";

let fx: OAuthFixture;
beforeEach(async () => {
  fx = await startOAuthOrg();
});
afterEach(async () => {
  await fx.emu.close();
});

function authorizeUrl(extra: Record<string, string | undefined> = {}, host = fx.emu.urls.login): string {
  return buildAuthorizeUrl(host, {
    response_type: "code",
    client_id: fx.app.clientId,
    redirect_uri: CALLBACK,
    ...extra,
  });
}

async function freshCode(scope = "api refresh_token"): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const { location } = await completeAuthorize(
    authorizeUrl({ scope, code_challenge: challenge }),
    fx.username,
    fx.password,
  );
  return { code: callbackParams(location).get("code")!, verifier };
}

describe("web-server flow with PKCE", () => {
  it("logs in, approves, and exchanges the code for Salesforce's token response", async () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier.length).toBeGreaterThan(128);
    const outcome = await completeAuthorize(
      authorizeUrl({ scope: "api refresh_token openid", state: "s t&ate", code_challenge: challenge }),
      fx.username,
      fx.password,
    );
    expect(outcome.pages).toEqual(["login", "consent"]);
    expect(outcome.location.startsWith(`${CALLBACK}?code=`)).toBe(true);
    const params = callbackParams(outcome.location);
    expect(params.get("state")).toBe("s t&ate");
    const code = params.get("code")!;

    const res = await postForm(tokenUrl(fx.emu.urls.login), {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
      client_id: fx.app.clientId,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "invalid_client", error_description: "invalid client credentials" });

    const { code: code2, verifier: verifier2 } = await freshCode("api refresh_token openid");
    const ok = await postForm(tokenUrl(fx.emu.urls.login), {
      grant_type: "authorization_code",
      code: code2,
      code_verifier: verifier2,
      redirect_uri: CALLBACK,
      client_id: fx.app.clientId,
      client_secret: fx.app.clientSecret,
    });
    expect(ok.status).toBe(200);
    const body = ok.body;
    expect(Object.keys(body)).toEqual([
      "access_token",
      "refresh_token",
      "signature",
      "scope",
      "id_token",
      "instance_url",
      "id",
      "token_type",
      "issued_at",
    ]);
    expect(body).not.toHaveProperty("expires_in");
    expect(body.access_token.startsWith(`${fx.org.orgId15}!AQ`)).toBe(true);
    expect(body.instance_url).toBe(fx.emu.urls.myDomain);
    expect(body.id).toBe(`${fx.emu.urls.login}/id/${fx.org.organizationId}/${fx.user.Id}`);
    expect(body.token_type).toBe("Bearer");
    expect(body.scope).toBe("api refresh_token openid");
    expect(body.issued_at).toMatch(/^\d{13}$/);
    const expected = createHmac("sha256", fx.app.clientSecret)
      .update(body.id + body.issued_at)
      .digest("base64");
    expect(body.signature).toBe(expected);
    const claims = JSON.parse(Buffer.from(body.id_token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ aud: fx.app.clientId, sub: body.id, iss: fx.emu.urls.login });
  });

  it("exchanges without a secret when the app allows PKCE-only clients", async () => {
    fx.admin.updateApp(fx.app.id, { requireSecretForWebServerFlow: false });
    const { code, verifier } = await freshCode();
    const res = await postForm(tokenUrl(fx.emu.urls.login), {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
      client_id: fx.app.clientId,
    });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toMatch(/^5Aep/);
  });

  it("returns no refresh token without a refresh scope, and codes are single use", async () => {
    const { code, verifier } = await freshCode("api");
    const params = {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
      client_id: fx.app.clientId,
      client_secret: fx.app.clientSecret,
    };
    const first = await postForm(tokenUrl(fx.emu.urls.login), params);
    expect(first.status).toBe(200);
    expect(first.body).not.toHaveProperty("refresh_token");
    const second = await postForm(tokenUrl(fx.emu.urls.login), params);
    expect(second.body).toEqual({ error: "invalid_grant", error_description: "invalid authorization code" });
  });

  it("accepts the plain method and HTTP Basic client authentication", async () => {
    const verifier = "plain-verifier-value";
    const { location } = await completeAuthorize(
      authorizeUrl({ scope: "api", code_challenge: verifier, code_challenge_method: "plain" }),
      fx.username,
      fx.password,
    );
    const basic = Buffer.from(`${fx.app.clientId}:${fx.app.clientSecret}`).toString("base64");
    const res = await postForm(
      tokenUrl(fx.emu.urls.login),
      {
        grant_type: "authorization_code",
        code: callbackParams(location).get("code")!,
        code_verifier: verifier,
        redirect_uri: CALLBACK,
      },
      { authorization: `Basic ${basic}` },
    );
    expect(res.status).toBe(200);
  });
});

describe("login and approval pages", () => {
  it("shows the login page with Salesforce's ids, prefilled from login_hint", async () => {
    const jar = new CookieJar();
    const page = await openPage(authorizeUrl({ login_hint: fx.username }), jar);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="username"');
    expect(page.html).toContain('id="password"');
    expect(page.html).toContain('id="Login"');
    const form = parseForms(page.html)[0];
    expect(form.fields.find((f) => f.name === "username")?.value).toBe(fx.username);
    expect(form.fields.some((f) => f.name === "request_id" && f.type === "hidden" && f.value.length > 10)).toBe(true);
  });

  it("re-shows the login page with an error after wrong credentials", async () => {
    const jar = new CookieJar();
    const page = await openPage(authorizeUrl(), jar);
    const again = await submitForm(
      page,
      parseForms(page.html)[0],
      { username: fx.username, pw: "wrong" },
      "Login",
      jar,
    );
    expect(again.status).toBe(200);
    expect(pageError(again.html)).toBe(
      "Please check your username and password. If you still can't log in, contact your Salesforce administrator.",
    );
    expect(parseForms(again.html)[0].fields.find((f) => f.name === "username")?.value).toBe(fx.username);
    await expect(completeAuthorize(authorizeUrl(), fx.username, "wrong")).rejects.toBeInstanceOf(AuthorizeFlowError);
  });

  it("remembers the login on that host and the approval, unless prompt says otherwise", async () => {
    const first = await completeAuthorize(authorizeUrl({ scope: "api refresh_token" }), fx.username, fx.password);
    expect(first.pages).toEqual(["login", "consent"]);
    const jar = first.jar;
    const again = await completeAuthorize(authorizeUrl({ scope: "api" }), fx.username, fx.password, { jar });
    expect(again.pages).toEqual([]);
    expect(callbackParams(again.location).get("code")).toBeTruthy();

    const wider = await completeAuthorize(authorizeUrl({ scope: "api id" }), fx.username, fx.password, { jar });
    expect(wider.pages).toEqual(["consent"]);
    const forcedLogin = await completeAuthorize(
      authorizeUrl({ scope: "api", prompt: "login" }),
      fx.username,
      fx.password,
      { jar },
    );
    expect(forcedLogin.pages).toEqual(["login"]);
    const forcedConsent = await completeAuthorize(
      authorizeUrl({ scope: "api", prompt: "login consent" }),
      fx.username,
      fx.password,
      {
        jar,
      },
    );
    expect(forcedConsent.pages).toEqual(["login", "consent"]);

    // The cookie belongs to the login host: My Domain asks again.
    const elsewhere = await completeAuthorize(
      authorizeUrl({ scope: "api" }, fx.emu.urls.myDomain),
      fx.username,
      fx.password,
      { jar },
    );
    expect(elsewhere.pages).toEqual(["login"]);
  });

  it("prompt=none reports login_required instead of showing a page", async () => {
    const { location } = await completeAuthorize(
      authorizeUrl({ prompt: "none", state: "x" }),
      fx.username,
      fx.password,
    );
    const params = callbackParams(location);
    expect(params.get("error")).toBe("login_required");
    expect(params.get("state")).toBe("x");
  });

  it("Deny redirects with access_denied and the state", async () => {
    const { location } = await completeAuthorize(authorizeUrl({ state: "abc" }), fx.username, fx.password, {
      approve: false,
    });
    expect(location).toBe(
      `${CALLBACK}?error=access_denied&error_description=end-user%20denied%20authorization&state=abc`,
    );
  });

  it("the consent page names the app and has Allow and Deny", async () => {
    const jar = new CookieJar();
    const page = await openPage(authorizeUrl({ scope: "api refresh_token" }), jar);
    const consent = await submitForm(
      page,
      parseForms(page.html)[0],
      { username: fx.username, pw: fx.password },
      "Login",
      jar,
    );
    expect(consent.html).toContain("Sync App");
    expect(consent.html).toContain('id="oaapprove"');
    expect(consent.html).toContain('id="oadeny"');
    expect(consent.html).toContain("Perform requests at any time");
    expect(consent.html).toContain(fx.username);
  });

  it("an admin-approved app skips the approval page for pre-authorized users", async () => {
    fx.admin.updateApp(fx.app.id, { permittedUsers: "admin_approved", preauthorized: ["Standard User"] });
    const outcome = await completeAuthorize(authorizeUrl(), fx.username, fx.password);
    expect(outcome.pages).toEqual(["login"]);
    expect(callbackParams(outcome.location).get("code")).toBeTruthy();
  });

  it("the user-agent flow returns the tokens in the fragment", async () => {
    const url = buildAuthorizeUrl(fx.emu.urls.login, {
      response_type: "token",
      client_id: fx.app.clientId,
      redirect_uri: CALLBACK,
      scope: "api refresh_token",
      state: "st",
    });
    const { location } = await completeAuthorize(url, fx.username, fx.password);
    expect(new URL(location).search).toBe("");
    const params = callbackParams(location);
    expect(params.get("access_token")).toMatch(/^00D.{12}!AQ/);
    expect(params.get("refresh_token")).toMatch(/^5Aep/);
    expect(params.get("instance_url")).toBe(fx.emu.urls.myDomain);
    expect(params.get("token_type")).toBe("Bearer");
    expect(params.get("state")).toBe("st");
    expect(fx.org.sessions.use(params.get("access_token")!).ok).toBe(true);
  });

  it("refuses logins of inactive users and IP-restricted apps on the login page", async () => {
    fx.admin.setUserActive(fx.user.Id, false);
    await expect(completeAuthorize(authorizeUrl(), fx.username, fx.password)).rejects.toThrow(
      /check your username and password/,
    );
    fx.admin.setUserActive(fx.user.Id, true);
    fx.admin.updateApp(fx.app.id, { ipRelaxation: "enforce" });
    fx.org.settings.clientIpTrusted = false;
    await expect(completeAuthorize(authorizeUrl(), fx.username, fx.password)).rejects.toThrow(
      /IP restricted or invalid login hours/,
    );
  });
});

describe("hosts", () => {
  it("a production org's users log in on the login host or My Domain, never the test host", async () => {
    await expect(completeAuthorize(authorizeUrl({}, fx.emu.urls.test), fx.username, fx.password)).rejects.toThrow(
      /check your username/,
    );
    const viaMyDomain = await completeAuthorize(authorizeUrl({}, fx.emu.urls.myDomain), fx.username, fx.password);
    expect(callbackParams(viaMyDomain.location).get("code")).toBeTruthy();
  });

  it("a sandbox's users log in on the test host or My Domain, never the login host", async () => {
    const sandbox = await startOAuthOrg({ isSandbox: true });
    try {
      const url = (host: string) =>
        buildAuthorizeUrl(host, { response_type: "code", client_id: sandbox.app.clientId, redirect_uri: CALLBACK });
      await expect(completeAuthorize(url(sandbox.emu.urls.login), sandbox.username, sandbox.password)).rejects.toThrow(
        /check your username/,
      );
      const ok = await completeAuthorize(url(sandbox.emu.urls.test), sandbox.username, sandbox.password);
      expect(callbackParams(ok.location).get("code")).toBeTruthy();
      expect(sandbox.org.identityUrl(sandbox.user.Id).startsWith(sandbox.emu.urls.test)).toBe(true);
    } finally {
      await sandbox.emu.close();
    }
  });
});
