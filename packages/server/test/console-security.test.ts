import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiWith } from "./support/api-client.ts";
import { type ConsoleUser, consoleRequest, csrfIn, signIn } from "./support/console-client.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";
import { suiteBackends } from "./support/test-database.ts";

/**
 * The console over plain HTTP, as an attacker's page or a careless form would reach it: sessions,
 * CSRF, cross-site posts, other projects' ids, revoked keys, reflected input and bad form input.
 */

describe.each(suiteBackends())("the console over HTTP (%s)", (backend) => {
  let h: SyncHarness;
  let user: ConsoleUser;

  beforeAll(async () => {
    h = await startHarness({ backend, sync: { manifest: ACCOUNT_MANIFEST }, env: { FORCELINK_SYNC_WORKERS: "0" } });
    user = await signIn(h.server.url, h.apiKey);
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  const keyCount = async () => Number((await h.sql<{ n: string }>("select count(*) as n from api_keys"))[0].n);

  describe("console sign-in", () => {
    it("sends a visitor without a session to the sign-in page", async () => {
      const answer = await consoleRequest(h.server.url, "/connections");
      expect(answer.status).toBe(303);
      expect(answer.location).toBe("/sign-in");
      const page = await consoleRequest(h.server.url, "/sign-in");
      expect(page.status).toBe(200);
      expect(page.html).toContain('id="sign-in-form"');
    });

    it("turns a key into an HttpOnly, SameSite=Strict cookie, stores only its hash, and never shows the key", async () => {
      const answer = await consoleRequest(h.server.url, "/sign-in", { form: { key: h.apiKey } });
      expect(answer.status).toBe(303);
      const cookie = answer.setCookie ?? "";
      expect(cookie).toMatch(/^forcelink_session=fls_[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
      expect(cookie).not.toContain("Secure"); // the public URL is http here
      const token = cookie.split(";")[0].split("=")[1];
      const stored = await h.sql<{ id: string }>("select id from console_sessions");
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.map((s) => s.id)).not.toContain(token);
      for (const path of ["/", "/keys", "/connections", `/connections/${h.connectionId}`, "/apps", "/webhooks"]) {
        const page = await user.get(path);
        expect(page.status, path).toBe(200);
        expect(page.html, path).not.toContain(h.apiKey);
        expect(page.html, path).not.toContain(token);
        expect(page.html, path).not.toMatch(/<script/i);
        expect(page.html, path).not.toMatch(/\sstyle="/i);
      }
    });

    it("refuses a wrong key with a 401 page that says what to do", async () => {
      const answer = await consoleRequest(h.server.url, "/sign-in", { form: { key: "fl_sk_not-a-key" } });
      expect(answer.status).toBe(401);
      expect(answer.html).toContain("not valid or was revoked");
      expect(answer.setCookie).toBeNull();
      const empty = await consoleRequest(h.server.url, "/sign-in", { form: { key: "" } });
      expect(empty.status).toBe(400);
    });
  });

  describe("console changes", () => {
    it("refuses a cross-site form post by Origin and by Sec-Fetch-Site, before any change", async () => {
      const before = await keyCount();
      const byOrigin = await user.post("/keys", { csrf: user.csrf, name: "evil" }, { origin: "http://evil.example" });
      expect(byOrigin.status).toBe(403);
      expect(byOrigin.html).toContain("from another site");
      const bySite = await user.post("/keys", { csrf: user.csrf, name: "evil" }, { "sec-fetch-site": "cross-site" });
      expect(bySite.status).toBe(403);
      const signInFromElsewhere = await consoleRequest(h.server.url, "/sign-in", {
        form: { key: h.apiKey },
        headers: { origin: "http://evil.example" },
      });
      expect(signInFromElsewhere.status).toBe(403);
      expect(await keyCount()).toBe(before);
    });

    it("refuses a missing or stale CSRF token", async () => {
      const before = await keyCount();
      const missing = await user.post("/keys", { name: "no token" });
      expect(missing.status).toBe(403);
      expect(missing.html).toContain("security token is missing or out of date");
      const other = await signIn(h.server.url, h.apiKey);
      await other.post("/sign-out", { csrf: other.csrf });
      const stale = await user.post("/keys", { csrf: other.csrf, name: "stale token" });
      expect(stale.status).toBe(403);
      // The signed-out session is gone: its own token no longer works either.
      const afterSignOut = await other.post("/keys", { csrf: other.csrf, name: "signed out" });
      expect(afterSignOut.status).toBe(401);
      expect(await keyCount()).toBe(before);
      const made = await user.post("/keys", { csrf: user.csrf, name: "with token" });
      expect(made.status).toBe(201);
      expect(await keyCount()).toBe(before + 1);
    });

    it("answers 404 for another project's connection, endpoint and key, and changes nothing", async () => {
      const other = await h.addProject("other");
      const otherUser = await signIn(h.server.url, other.key);
      for (const path of [`/connections/${h.connectionId}`, `/connections/${h.connectionId}/syncs`]) {
        expect((await otherUser.get(path)).status, path).toBe(404);
      }
      const check = await otherUser.post(`/connections/${h.connectionId}/check`, { csrf: otherUser.csrf });
      expect(check.status).toBe(404);
      const del = await otherUser.post(`/connections/${h.connectionId}/delete`, {
        csrf: otherUser.csrf,
        force: "true",
      });
      expect(del.status).toBe(404);
      expect((await h.api(`/v1/connections/${h.connectionId}`)).status).toBe(200);
      const endpoint = (await (
        await apiWith(h.server.url, other.key)("/v1/webhooks", {
          method: "POST",
          body: { url: "https://example.com/hook", events: ["*"] },
        })
      ).json()) as { id: string };
      expect((await user.get(`/webhooks/${endpoint.id}`)).status).toBe(404);
      expect((await user.post(`/webhooks/${endpoint.id}/test`, { csrf: user.csrf })).status).toBe(404);
      const [otherKey] = await h.sql<{ id: string }>("select id from api_keys where project_id = $1", [
        other.projectId,
      ]);
      expect((await user.post(`/keys/${otherKey.id}/revoke`, { csrf: user.csrf })).status).toBe(404);
      expect((await otherUser.get("/")).status).toBe(200);
    });

    it("ends the session of a revoked key, whichever way it was revoked", async () => {
      const created = (await (
        await h.api("/v1/api-keys", { method: "POST", body: { name: "short-lived" } })
      ).json()) as {
        id: string;
        key: string;
      };
      const session = await signIn(h.server.url, created.key);
      expect((await session.get("/")).status).toBe(200);
      expect((await h.api(`/v1/api-keys/${created.id}`, { method: "DELETE" })).status).toBe(204);
      const page = await session.get("/");
      expect(page.status).toBe(303);
      expect(page.location).toBe("/sign-in");
      const change = await session.post("/keys", { csrf: session.csrf, name: "after revoke" });
      expect(change.status).toBe(401);
      expect(change.html).toContain("Sign in again");
    });
  });

  describe("console session lifetime", () => {
    it("ends a session after twelve hours", async () => {
      const session = await signIn(h.server.url, h.apiKey);
      h.clock.advance(11 * 3600_000);
      try {
        expect((await session.get("/")).status).toBe(200);
        h.clock.advance(3600_000 + 1000);
        const page = await session.get("/");
        expect(page.status).toBe(303);
        expect(page.location).toBe("/sign-in");
      } finally {
        h.clock.advance(-(12 * 3600_000 + 1000));
      }
    });

    it("signs out the session whose own key is revoked from the keys page", async () => {
      const created = (await (await h.api("/v1/api-keys", { method: "POST", body: { name: "own key" } })).json()) as {
        id: string;
        key: string;
      };
      const session = await signIn(h.server.url, created.key);
      const revoked = await session.post(`/keys/${created.id}/revoke`, { csrf: session.csrf });
      expect(revoked.status).toBe(303);
      expect(revoked.location).toBe("/sign-in");
      expect((await session.get("/keys")).status).toBe(303);
    });
  });

  describe("console input", () => {
    it("never reflects input unescaped", async () => {
      const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
      const filtered = await user.get(`/connections?endUserId=${encodeURIComponent(evil)}`);
      expect(filtered.status).toBe(200);
      expect(filtered.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
      const badStatus = await user.get(`/connections?status=${encodeURIComponent(evil)}`);
      expect(badStatus.status).toBe(400);
      const unknown = await user.get(`/connections/${encodeURIComponent(evil)}`);
      expect(unknown.status).toBe(404);
      const key = await user.post("/keys", { csrf: user.csrf, name: evil });
      expect(key.status).toBe(201);
      const webhook = await user.post("/webhooks", {
        csrf: user.csrf,
        url: `https://example.com/?q=${evil}`,
        "event.*": "on",
      });
      expect(webhook.status).toBe(201);
      const done = await user.get(`/keys?done=${encodeURIComponent(evil)}`);
      expect(done.html).not.toContain('id="done"');
      for (const answer of [
        filtered,
        badStatus,
        unknown,
        key,
        done,
        await user.get("/keys"),
        await user.get("/webhooks"),
      ]) {
        expect(answer.html).not.toContain("<script>");
        expect(answer.html).not.toContain("<img src=x");
      }
    });

    it.each([
      ["/keys", { name: "" }, 400, "Name is required"],
      ["/keys", { name: "x".repeat(101) }, 400, "longer than 100 characters"],
      ["/webhooks", { url: "ftp://example.com/x", "event.*": "on" }, 400, "must use https"],
      ["/webhooks", { url: "https://example.com/x" }, 400, "Pick at least one event"],
      ["/webhooks", { url: "https://example.com/x", "event.nope": "on" }, 400, "Unknown event: nope"],
      ["/apps", { name: "A", kind: "connected_app", clientId: "short", clientSecret: "12345678" }, 400, "clientId"],
      ["/apps", { name: "A", kind: "spaceship", clientId: "12345678", clientSecret: "12345678" }, 400, "kind"],
      ["/apps/app_missing/rotate-secret", { clientSecret: "has spaces in it" }, 400, "must not contain spaces"],
    ] as const)("POST %s %j answers %i naming the problem", async (path, form, status, words) => {
      const answer = await user.post(path, { csrf: user.csrf, ...form });
      expect(answer.status).toBe(status);
      expect(answer.html).toContain(words);
      expect(answer.html).toContain('id="remedy"');
    });

    it("names a bad or unsynced object on the syncs page's forms", async () => {
      const bad = await user.post(`/connections/${h.connectionId}/syncs/run`, { csrf: user.csrf, object: "no such!" });
      expect(bad.status).toBe(400);
      expect(bad.html).toContain("object must be an object&#39;s API name");
      const unsynced = await user.post(`/connections/${h.connectionId}/syncs/pause`, {
        csrf: user.csrf,
        object: "Contact",
      });
      expect(unsynced.status).toBe(404);
      expect(unsynced.html).toContain("No integration installed on this connection syncs Contact");
    });

    it("makes connect and reconnect links for the project's own apps and connections only", async () => {
      const [app] = await h.sql<{ id: string }>("select id from provider_apps where project_id = $1", [h.projectId]);
      const made = await user.post("/connections/connect-link", {
        csrf: user.csrf,
        providerAppId: app.id,
        endUserId: "acme",
      });
      expect(made.status).toBe(201);
      const url = /id="connect-url"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="connect-url"/.exec(made.html);
      const link = (url?.[1] ?? url?.[2] ?? "").replace(/&amp;/g, "&");
      expect(link).toContain("/connect/");
      expect((await fetch(link)).status).toBe(200);
      const reconnect = await user.post(`/connections/${h.connectionId}/reconnect-link`, { csrf: user.csrf });
      expect(reconnect.status).toBe(201);
      expect(reconnect.html).toContain("/connect/");
      expect(
        (await user.post("/connections/connect-link", { csrf: user.csrf, providerAppId: app.id, endUserId: "" }))
          .status,
      ).toBe(400);
      const other = await h.addProject("third");
      const otherUser = await signIn(h.server.url, other.key);
      const foreign = await otherUser.post("/connections/connect-link", {
        csrf: otherUser.csrf,
        providerAppId: app.id,
        endUserId: "acme",
      });
      expect(foreign.status).toBe(404);
      const foreignReconnect = await otherUser.post(`/connections/${h.connectionId}/reconnect-link`, {
        csrf: otherUser.csrf,
      });
      expect(foreignReconnect.status).toBe(404);
    });

    it("reads the CSRF token only from the page's forms", async () => {
      expect(csrfIn((await user.get("/keys")).html)).toBe(user.csrf);
    });
  });
});
