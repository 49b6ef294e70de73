import { Writable } from "node:stream";
import { DEMO } from "@forcelink/emulator";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERDICT_WORDS } from "../src/checklist/verdict-words.ts";
import { resultPage } from "../src/connect/connect-pages.ts";
import { hashToken } from "../src/crypto/hashing.ts";
import { redactUrl } from "../src/log/logger.ts";
import { connectSessions } from "../src/store/schema.ts";
import { launchChromium } from "./support/browser.ts";
import { type Harness, startHarness } from "./support/harness.ts";

/** What the demo integration asks of the connected user: read and write Accounts, their Name and Industry. */
const REQUIREMENTS = { objects: [{ name: "Account", access: ["read", "write"], fields: ["Name", "Industry"] }] };
const PROFILE = "Standard User";

let h: Harness;
let browser: Browser;
let logText = "";

/** The emulator's control surface: changes the org as its admin would in Setup. */
async function emulator(path: string, method: string, body: unknown): Promise<void> {
  const res = await fetch(`${h.emulator.urls.login}/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/** Walks the customer through the connect page, Salesforce's login and consent, to the result page. */
async function connectInBrowser(page: Page, endUserId: string): Promise<{ sessionId: string }> {
  const app = await h.demoProviderApp({ name: DEMO.app.name, requirements: REQUIREMENTS });
  const session = (await (
    await h.api("/v1/connect-sessions", { method: "POST", body: { providerAppId: app.id, endUserId } })
  ).json()) as { id: string; url: string };
  await page.goto(session.url);
  await page.check("#env-production");
  await page.click("#continue");
  await page.waitForSelector("#username");
  await page.fill("#username", DEMO.integration.username);
  await page.fill("#password", DEMO.integration.password);
  await page.click("#Login");
  // Salesforce asks for consent once per user and app; a later connect goes straight back.
  await page.waitForSelector("#oaapprove, #result");
  if (await page.locator("#oaapprove").count()) await page.click("#oaapprove");
  await page.waitForSelector("#result");
  return { sessionId: session.id };
}

beforeAll(async () => {
  h = await startHarness({
    logSink: new Writable({
      write(chunk, _encoding, done) {
        logText += chunk.toString();
        done();
      },
    }),
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("the connect page shows the pre-install checklist", () => {
  it("shows a failing check with its remedy, and passes after the org is fixed and the customer checks again", async () => {
    // The org is misconfigured before the customer connects: Industry is read-only for the user
    // (who otherwise has all the Account access the integration declares).
    await emulator(`/permissions/${encodeURIComponent(PROFILE)}`, "PATCH", {
      objects: { Account: ["Read", "Create", "Edit", "Delete", "ViewAllRecords", "ViewAllFields"] },
    });
    await emulator(`/permissions/${encodeURIComponent(PROFILE)}`, "PATCH", { fields: { "Account.Industry": "read" } });

    const page = await browser.newPage();
    const { sessionId } = await connectInBrowser(page, "checklist-customer");
    expect(await page.getAttribute("#result", "data-status")).toBe("connected");
    expect(await page.getAttribute("#checklist", "data-passed")).toBe("false");
    expect(await page.locator('li.check[data-verdict="fail"]').count()).toBe(1);

    const failing = page.locator('li.check[data-check="field-editable"]');
    expect(await failing.getAttribute("data-verdict")).toBe("fail");
    const remedy = await failing.locator("ol.remedy").textContent();
    expect(remedy).toContain("Edit Access");
    expect(remedy).toContain("Account.Industry");
    // One vocabulary with the CLI: the badge reads as `forcelink doctor` prints it.
    // biome-ignore lint/performance/useDomNodeTextContent: the badge's capitals come from its style; this reads what the customer sees.
    expect(await failing.locator(".verdict").innerText()).toBe(VERDICT_WORDS.fail.toUpperCase());
    const passing = page.locator('li.check[data-check="api-enabled-permission"] .verdict');
    // biome-ignore lint/performance/useDomNodeTextContent: as above.
    expect(await passing.innerText()).toBe(VERDICT_WORDS.pass.toUpperCase());
    expect(await page.locator("#checklist-summary").textContent()).toContain("1 failed");
    // The steps are actions only: no step repeats the reason above them or ends like a heading.
    for (const item of await page.locator("li.check:not([data-verdict=pass])").all()) {
      const reason = (await item.locator("p.reason").count()) ? await item.locator("p.reason").textContent() : "";
      for (const step of await item.locator("ol.remedy li").allTextContents()) {
        expect(step).not.toMatch(/:$/);
        if (reason) expect(step).not.toContain(reason);
      }
    }
    await page.screenshot({
      path: `${process.env.SCREENSHOT_DIR ?? "/tmp"}/forcelink-connect-checklist-fail.png`,
      fullPage: true,
    });

    // The re-run token is in the form only: the database holds its hash, the log neither.
    const action = (await page.getAttribute("#check-again-form", "action"))!;
    const token = decodeURIComponent(action.replace("/connect/checklist/", ""));
    expect(token).toMatch(/^cc_/);
    const [row] = await h.server.platform.db.select().from(connectSessions).where(eq(connectSessions.id, sessionId));
    expect(row.checklistTokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);

    // The admin fixes the org; the customer checks again at once, and is asked to wait a moment:
    // every run spends the org's API requests.
    await emulator(`/permissions/${encodeURIComponent(PROFILE)}`, "PATCH", { fields: { "Account.Industry": "edit" } });
    await page.click("#check-again");
    await page.waitForSelector("#result-title");
    expect(await page.textContent("#result-title")).toBe("Checked moments ago");
    expect(await page.getAttribute("#checklist", "data-passed")).toBe("false");
    // A minute later (on the server's clock) the check runs again and passes.
    h.clock.advance(60_000);
    await page.click("#check-again");
    await page.waitForSelector('#checklist[data-passed="true"]');
    expect(await page.getAttribute('li.check[data-check="field-editable"]', "data-verdict")).toBe("pass");
    expect(await page.textContent("#result-title")).toBe("Salesforce is connected");
    expect(await page.locator("#check-again").count()).toBe(1);
    await page.screenshot({
      path: `${process.env.SCREENSHOT_DIR ?? "/tmp"}/forcelink-connect-checklist-pass.png`,
      fullPage: true,
    });
    await page.close();

    expect(logText).toContain("/connect/checklist/[redacted]");
    expect(logText).not.toContain(token);
  });

  it("answers an unknown re-run token with a 404 page and an expired one with a 410 page", async () => {
    const garbage = await fetch(`${h.server.url}/connect/checklist/cc_not-a-real-token`, { method: "POST" });
    expect(garbage.status).toBe(404);
    expect(garbage.headers.get("content-type")).toContain("text/html");
    expect(await garbage.text()).toContain("This page is not valid");

    // The connect link's own token is no re-run token either.
    const page = await browser.newPage();
    const { sessionId } = await connectInBrowser(page, "checklist-expiry");
    const action = (await page.getAttribute("#check-again-form", "action"))!;
    await page.close();
    const [row] = await h.server.platform.db.select().from(connectSessions).where(eq(connectSessions.id, sessionId));
    const byLinkHash = await fetch(`${h.server.url}/connect/checklist/${row.tokenHash}`, { method: "POST" });
    expect(byLinkHash.status).toBe(404);

    // The re-run token lives an hour: an hour and a second pass for the server.
    h.clock.advance(3_600_000 + 1000);
    const expired = await fetch(`${h.server.url}${action}`, { method: "POST" });
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This page has expired");
  });

  it("says the checks could not run, escaped, and still offers to check again", () => {
    const html = resultPage({
      ok: true,
      title: "Salesforce is connected",
      message: "Connected.",
      checklist: { error: "<script>alert(1)</script>" },
      checkAgainAction: "/connect/checklist/cc_x",
    });
    expect(html).toContain('data-passed="error"');
    expect(html).toContain("The checks could not run.");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain('id="check-again"');
  });

  it("keeps re-run tokens out of logged URLs", () => {
    expect(redactUrl("/connect/checklist/cc_secret")).toBe("/connect/checklist/[redacted]");
    expect(redactUrl("/connect/cs_secret?display=popup")).toBe("/connect/[redacted]?[redacted]");
  });
});
