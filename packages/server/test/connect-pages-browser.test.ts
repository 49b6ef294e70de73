import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEMO } from "@forcelink/emulator";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.ts";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * The connect pages in Chromium, seen from the builder's own site: they cannot be framed, run no
 * script but their own, still work end to end under their Content-Security-Policy, and a popup
 * tells an opener of unknown origin no connection id.
 */

let h: Harness;
let browser: Browser;
let providerAppId: string;
/** The builder's site, on an origin of its own: an opener page and a page that frames the link. */
let site: Server;
let siteUrl: string;
let connectUrl = "";

const OPENER = `<!doctype html><html><body><h1>Builder's app</h1><script>
  window.received = [];
  window.addEventListener("message", function (e) { window.received.push({ origin: e.origin, data: e.data }); });
</script></body></html>`;

beforeAll(async () => {
  h = await startHarness();
  browser = await launchChromium();
  providerAppId = (await h.demoProviderApp()).id;
  site = createServer((req, res) => {
    res.setHeader("content-type", "text/html; charset=utf-8");
    if (req.url === "/frame") return void res.end(`<!doctype html><iframe id="f" src="${connectUrl}"></iframe>`);
    res.end(OPENER);
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  // Starting the store and the org takes a minute on a loaded machine.
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await h?.close();
});

async function connectSession(body: Record<string, unknown> = {}) {
  const res = await h.api("/v1/connect-sessions", {
    method: "POST",
    body: { providerAppId, endUserId: "browser-pages", ...body },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string; popupUrl: string };
}

/** What the tests read and call on the opener page (the test files have no DOM types). */
interface BrowserWindow {
  open(url: string, name: string, features: string): unknown;
  received: Array<{ origin: string; data: Record<string, unknown> }>;
}

/** Salesforce's login page, then its approval page when it shows one. */
async function signIn(page: Page, user: { username: string; password: string }) {
  await page.waitForSelector("#username");
  await page.fill("#username", user.username);
  await page.fill("#password", user.password);
  await page.click("#Login");
  const next = await Promise.race([
    page.waitForSelector("#oaapprove").then(() => "consent"),
    page.waitForSelector("#result").then(() => "result"),
  ]);
  if (next === "consent") await page.click("#oaapprove");
}

/** Collects what Chromium reports as refused by a Content-Security-Policy. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

describe("the connect pages' security headers", () => {
  it("every page (the form, an error page, a failure page) says no framing and allows only its own script and style", async () => {
    const session = await connectSession();
    for (const url of [session.url, `${h.server.url}/connect/garbage`, `${h.server.url}/oauth/callback`]) {
      const res = await fetch(url);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("a page of another site cannot frame the connect page", async () => {
    const session = await connectSession();
    connectUrl = session.url;
    const page = await browser.newPage();
    await page.goto(`${siteUrl}/frame`);
    await page.waitForTimeout(500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame).toBeDefined();
    // Chromium refuses to render it: the frame holds its own error page, not the form.
    expect(await frame!.$("#connect-form")).toBeNull();
    await page.close();
  });

  it("the whole flow works under the policy, with My Domain, and nothing is refused", async () => {
    const session = await connectSession({ endUserId: "browser-csp" });
    const page = await browser.newPage();
    const refused = cspViolations(page);
    await page.goto(session.url);
    await page.check("#env-mydomain");
    await page.fill("#myDomain", "forcelink-demo");
    await page.click("#continue");
    await signIn(page, DEMO.integration);
    await page.waitForSelector("#result");
    expect(await page.getAttribute("#result", "data-status")).toBe("connected");
    // "Check again" posts a form back to Forcelink under the same policy.
    await page.click("#check-again");
    await page.waitForSelector("#result");
    expect(refused).toEqual([]);
    await page.close();
  });
});

describe("a popup tells its opener", () => {
  async function connectInPopup(body: Record<string, unknown>) {
    const session = await connectSession(body);
    const opener = await browser.newPage();
    await opener.goto(`${siteUrl}/app`);
    const [popup] = await Promise.all([
      opener.waitForEvent("popup"),
      opener.evaluate((url) => {
        (globalThis as unknown as BrowserWindow).open(url, "forcelink", "width=600,height=700");
      }, session.popupUrl),
    ]);
    const refused = cspViolations(popup);
    await popup.waitForSelector("#connect-form");
    await popup.check("#env-production");
    await popup.click("#continue");
    await signIn(popup, DEMO.admin);
    await opener.waitForFunction(() => (globalThis as unknown as BrowserWindow).received.length > 0);
    // Anything posted later would be a second message: give it a moment to arrive.
    await opener.waitForTimeout(300);
    const received = await opener.evaluate(() => (globalThis as unknown as BrowserWindow).received);
    const status = (await (await h.api(`/v1/connect-sessions/${session.id}`)).json()) as { connectionId: string };
    await opener.close();
    return { received, connectionId: status.connectionId, refused };
  }

  it("of an origin not known (no returnUrl) only that it connected, never the connection id", async () => {
    const { received, connectionId, refused } = await connectInPopup({ endUserId: "popup-anyone" });
    expect(connectionId).toMatch(/^conn_/);
    expect(received).toEqual([
      { origin: new URL(h.server.url).origin, data: { type: "forcelink:connect", status: "connected" } },
    ]);
    expect(JSON.stringify(received)).not.toContain(connectionId);
    expect(refused).toEqual([]);
  });

  it("of the returnUrl's origin the connection id as well", async () => {
    const { received, connectionId } = await connectInPopup({
      endUserId: "popup-known",
      returnUrl: `${siteUrl}/settings`,
    });
    expect(received).toEqual([
      {
        origin: new URL(h.server.url).origin,
        data: {
          type: "forcelink:connect",
          status: "connected",
          connectionId,
          endUserId: "popup-known",
          renewed: false,
          checklist: expect.objectContaining({ passed: expect.any(Boolean), runId: expect.stringMatching(/^chk_/) }),
        },
      },
    ]);
  });
});
