import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEMO } from "@forcelink/emulator";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.ts";
import { createConnectSession, sessionStatus } from "./support/connect-pages.ts";
import { type Harness, startHarness } from "./support/harness.ts";

/*
 * A builder's page on an origin of its own embeds `@forcelink/connect` from the server's /connect.js
 * and connects a customer's org: through the popup, and through the redirect when Chromium's popup
 * blocker refuses the window.
 */

let h: Harness;
let browser: Browser;
let blocking: Browser;
let builder: Server;
let appOrigin: string;
let providerAppId: string;

/** The builder's app: a page with a Connect button, and the page the redirect fallback comes back to. */
function builderApp(forcelinkUrl: string): Server {
  const script = `<script src="${forcelinkUrl}/connect.js"></script>`;
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://builder");
    res.setHeader("content-type", "text/html; charset=utf-8");
    if (url.pathname === "/back") {
      res.end(`<!doctype html><title>Back</title>${script}
        <pre id="result"></pre>
        <script>document.getElementById("result").textContent = JSON.stringify(Forcelink.connectResult());</script>`);
      return;
    }
    const link = url.searchParams.get("link") ?? "";
    // `auto` calls connect without a click: a popup blocker refuses that window.
    const auto = url.searchParams.get("auto") === "1";
    res.end(`<!doctype html><title>Builder</title>${script}
      <button id="connect">Connect Salesforce</button><pre id="outcome"></pre>
      <script>
        function go() {
          Forcelink.connect(${JSON.stringify(link)}).then(
            function (r) { document.getElementById("outcome").textContent = JSON.stringify({ ok: r }); },
            function (e) { document.getElementById("outcome").textContent = JSON.stringify({ error: { name: e.name, code: e.code, reason: e.reason, message: e.message } }); }
          );
        }
        document.getElementById("connect").addEventListener("click", go);
        ${auto ? "setTimeout(go, 0);" : ""}
      </script>`);
  });
}

beforeAll(async () => {
  h = await startHarness({ accounts: 3 });
  providerAppId = (await h.demoProviderApp()).id;
  browser = await launchChromium();
  blocking = await launchChromium({ blockPopups: true });
  builder = builderApp(h.server.url);
  await new Promise<void>((resolve) => builder.listen(0, "127.0.0.1", resolve));
  appOrigin = `http://127.0.0.1:${(builder.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  await blocking?.close();
  await new Promise((resolve) => builder?.close(resolve));
  await h?.close();
});

/** Salesforce's side in whatever window shows the connect page: pick Production, sign in, approve or deny. */
async function signIn(page: Page, user: { username: string; password: string }, approve = true): Promise<void> {
  await page.waitForSelector("#env-production");
  await page.check("#env-production");
  await page.click("#continue");
  await page.waitForSelector("#username");
  await page.fill("#username", user.username);
  await page.fill("#password", user.password);
  await page.click("#Login");
  // A user who approved the app before goes straight back to Forcelink's result page.
  await page.waitForSelector("#oaapprove, #result");
  if (await page.$("#oaapprove")) await page.click(approve ? "#oaapprove" : "#oadeny");
}

interface Outcome {
  ok?: { connectionId: string; endUserId: string | null; renewed: boolean; checklist: unknown };
  error?: { name: string; code: string; reason: string | null; message: string };
}

async function outcomeOf(page: Page): Promise<Outcome> {
  await page.waitForFunction('document.getElementById("outcome").textContent !== ""', null, { timeout: 30_000 });
  return JSON.parse((await page.textContent("#outcome"))!) as Outcome;
}

describe("@forcelink/connect served at /connect.js", () => {
  it("is the package's file, as JavaScript any origin may load", async () => {
    const res = await fetch(`${h.server.url}/connect.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const packaged = readFileSync(new URL("../../connect/forcelink-connect.js", import.meta.url), "utf8");
    expect(await res.text()).toBe(packaged);
    const again = await fetch(`${h.server.url}/connect.js`, { headers: { "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });
});

describe("a builder's page that embeds @forcelink/connect", () => {
  it("connects through the popup and resolves with the connection and its checklist", async () => {
    const session = await createConnectSession(h, {
      providerAppId,
      endUserId: "helper-popup",
      returnUrl: `${appOrigin}/back`,
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/?link=${encodeURIComponent(session.url)}`);
    const [popup] = await Promise.all([context.waitForEvent("page"), page.click("#connect")]);
    expect(new URL(popup.url()).searchParams.get("display")).toBe("popup");
    await signIn(popup, DEMO.integration);
    const outcome = await outcomeOf(page);
    const { connectionId } = await sessionStatus(h, session.id);
    expect(connectionId).toMatch(/^conn_/);
    expect(outcome).toEqual({
      ok: {
        connectionId,
        endUserId: "helper-popup",
        renewed: false,
        checklist: expect.objectContaining({
          passed: true,
          failing: [],
          summary: expect.objectContaining({ fail: 0 }),
        }),
      },
    });
    // Nothing is left to read in the popup: it closes itself.
    await popup.waitForEvent("close", { timeout: 10_000 });
    // The page stayed where it was.
    expect(new URL(page.url()).pathname).toBe("/");
    await context.close();
  });

  it("rejects with popup_closed when the customer closes the popup", async () => {
    const session = await createConnectSession(h, { providerAppId, endUserId: "helper-closer", returnUrl: appOrigin });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/?link=${encodeURIComponent(session.url)}`);
    const [popup] = await Promise.all([context.waitForEvent("page"), page.click("#connect")]);
    await popup.waitForSelector("#env-production");
    await popup.close();
    const outcome = await outcomeOf(page);
    expect(outcome.error).toMatchObject({ name: "ForcelinkConnectError", code: "popup_closed" });
    expect(outcome.error?.message).toMatch(/closed before Salesforce was connected/);
    expect((await sessionStatus(h, session.id)).connectionId).toBeNull();
    await context.close();
  });

  it("rejects with connect_failed and the reason when the customer denies access", async () => {
    const session = await createConnectSession(h, { providerAppId, endUserId: "helper-denier", returnUrl: appOrigin });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/?link=${encodeURIComponent(session.url)}`);
    const [popup] = await Promise.all([context.waitForEvent("page"), page.click("#connect")]);
    // A user who never approved the app gets Salesforce's approval page, and denies.
    await signIn(popup, DEMO.platform, false);
    const outcome = await outcomeOf(page);
    expect(outcome.error).toMatchObject({ code: "connect_failed", reason: expect.stringMatching(/\w/) });
    // The failure stays on screen in the popup for the customer to read.
    await popup.waitForSelector("#result[data-status=failed]");
    expect(popup.isClosed()).toBe(false);
    await context.close();
  });

  it("ignores a forged message from another window and keeps waiting for the popup", async () => {
    const session = await createConnectSession(h, { providerAppId, endUserId: "helper-forged", returnUrl: appOrigin });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/?link=${encodeURIComponent(session.url)}`);
    const [popup] = await Promise.all([context.waitForEvent("page"), page.click("#connect")]);
    // The builder's page itself (not the popup, not Forcelink's origin) posts a result.
    await page.evaluate(
      'window.postMessage({ type: "forcelink:connect", status: "connected", connectionId: "conn_forged" }, "*")',
    );
    await signIn(popup, DEMO.integration);
    const outcome = await outcomeOf(page);
    expect(outcome.ok?.connectionId).toBe((await sessionStatus(h, session.id)).connectionId);
    expect(outcome.ok?.connectionId).not.toBe("conn_forged");
    await context.close();
  });

  it("falls back to a redirect when the popup is blocked, and comes back to the returnUrl with the result", async () => {
    const session = await createConnectSession(h, {
      providerAppId,
      endUserId: "helper-redirect",
      returnUrl: `${appOrigin}/back?tab=salesforce`,
    });
    const context = await blocking.newContext();
    const page = await context.newPage();
    const opened: string[] = [];
    context.on("page", (p) => opened.push(p.url()));
    // Called without a click: Chromium's popup blocker refuses the window.
    await page.goto(`${appOrigin}/?auto=1&link=${encodeURIComponent(session.url)}`);
    await page.waitForURL((u) => u.pathname.startsWith("/connect/"), { timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get("display")).toBe("redirect");
    await signIn(page, DEMO.integration);
    // The result page sends the customer back on its own.
    await page.waitForURL((u) => u.origin === appOrigin && u.pathname === "/back", { timeout: 30_000 });
    const back = new URL(page.url());
    expect(back.searchParams.get("tab")).toBe("salesforce");
    await page.waitForFunction('document.getElementById("result").textContent !== ""');
    const { connectionId } = await sessionStatus(h, session.id);
    expect(connectionId).toMatch(/^conn_/);
    expect(JSON.parse((await page.textContent("#result"))!)).toEqual({
      status: "connected",
      connectionId,
      checklist: { passed: true, failing: [] },
    });
    expect(opened).toEqual([]);
    await context.close();
  });

  it("after the redirect, keeps a failing check on screen, then returns once the customer checks again and it passes", async () => {
    // The app needs Account.Industry editable; the org's Standard User profile may only read it.
    const app = await h.demoProviderApp({
      name: DEMO.app.name,
      requirements: { objects: [{ name: "Account", access: ["read", "write"], fields: ["Name", "Industry"] }] },
    });
    await setupOrg("/permissions/Standard%20User", { fields: { "Account.Industry": "read" } });
    const session = await createConnectSession(h, {
      providerAppId: app.id,
      endUserId: "helper-redirect-failing",
      returnUrl: `${appOrigin}/back`,
    });
    const context = await blocking.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/?auto=1&link=${encodeURIComponent(session.url)}`);
    await page.waitForURL((u) => u.pathname.startsWith("/connect/"), { timeout: 30_000 });
    await signIn(page, DEMO.integration);
    await page.waitForSelector('#checklist[data-passed="false"]');
    // Nothing sends the customer away from what their admin must change; the link back carries the result.
    const back = new URL((await page.getAttribute("#return", "href"))!);
    expect(back.searchParams.get("forcelink_status")).toBe("connected");
    expect(back.searchParams.get("forcelink_checklist")).toBe("failed");
    expect(back.searchParams.get("forcelink_failing")).toBe("field-editable");
    expect(new URL(page.url()).origin).toBe(new URL(h.server.url).origin);

    await setupOrg("/permissions/Standard%20User", { fields: { "Account.Industry": "edit" } });
    h.clock.advance(60_000);
    await page.click("#check-again");
    await page.waitForURL((u) => u.origin === appOrigin && u.pathname === "/back", { timeout: 30_000 });
    await page.waitForFunction('document.getElementById("result").textContent !== ""');
    expect(JSON.parse((await page.textContent("#result"))!)).toEqual({
      status: "connected",
      connectionId: (await sessionStatus(h, session.id)).connectionId,
      checklist: { passed: true, failing: [] },
    });
    await context.close();
  });
});

/** The emulator's control surface: changes the org as its admin would in Setup. */
async function setupOrg(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${h.emulator.urls.login}/__emulator${path}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`PATCH ${path}: ${res.status} ${await res.text()}`);
}
