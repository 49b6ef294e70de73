import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.ts";
import { FAST_DELIVERY, type SyncHarness, startHarness } from "./support/harness.ts";
import { startReceiver } from "./support/receiver.ts";
import { ACCOUNT_MANIFEST } from "./support/sync-records.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The console in Chromium, as a builder uses it: sign in, look at the connection and its
 * checklist, break the org and check again, run a sync, redeliver a failed webhook, create and
 * revoke a key, sign out. With CONSOLE_SCREENSHOTS=<dir> it saves the main pages as PNG there.
 */

const ADMIN_PROFILE = "System Administrator";
const ACCOUNT_ALL = ["Read", "Create", "Edit", "Delete", "ViewAllRecords", "ViewAllFields"] as const;
const SHOTS = process.env.CONSOLE_SCREENSHOTS;
/** A schedule that is not a cron, on line 7. */
const BAD_MANIFEST = `name: broken
destinations:
  cache:
    type: records
objects:
  - name: Account
    schedule: "every now and then"
    destinations: [cache]
`;

let h: SyncHarness;
let browser: Browser;
let page: Page;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

async function shot(name: string, target: Page = page) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await target.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Reloads the page until `selector` is on it (a run or a delivery settling in the background). */
async function reloadUntil(selector: string, what: string) {
  await waitFor(
    async () => {
      await page.reload();
      return (await page.locator(selector).count()) > 0;
    },
    what,
    60_000,
  );
}

beforeAll(async () => {
  h = await startHarness({ sync: { manifest: ACCOUNT_MANIFEST }, accounts: 20, delivery: FAST_DELIVERY });
  // The first three requests fail (every attempt of the first delivery); later ones succeed.
  receiver = await startReceiver((n) => (n < FAST_DELIVERY.maxAttempts! ? 500 : 200));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await h?.close();
});

describe("the console in Chromium", () => {
  it("signs in with an API key", async () => {
    await page.goto(`${h.server.url}/`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await page.fill("#key", h.apiKey);
    await page.click("#sign-in");
    await page.waitForURL(`${h.server.url}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Overview");
    expect(await page.locator("#count-all").textContent()).toBe("1");
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === "forcelink_session")).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(await page.evaluate("document.cookie")).toBe("");
  });

  it("shows the connection and runs its checklist", async () => {
    await page.click("#nav-connections");
    await page.click(`a.connection-link:has-text("${h.connectionId}")`);
    const view = (await (await h.api(`/v1/connections/${h.connectionId}`)).json()) as { orgId: string };
    expect(await page.locator("#org-id").textContent()).toBe(view.orgId);
    expect(await page.locator("#scopes").textContent()).not.toBe("—");
    await page.click("#check-again");
    await page.waitForSelector('#checklist[data-passed="true"]');
    expect(await page.locator('li.check[data-check="object-access"]').getAttribute("data-verdict")).toBe("pass");
  });

  it("shows a failing check with its remedy after the org is broken, and passes again once fixed", async () => {
    h.admin.setSystemPermissions(ADMIN_PROFILE, { ModifyAllData: false, ViewAllData: false });
    h.admin.setObjectPermissions(ADMIN_PROFILE, "Account", []);
    try {
      await page.click("#check-again");
      await page.waitForSelector('#checklist[data-passed="false"]');
      const failing = page.locator('li.check[data-check="object-access"]');
      expect(await failing.getAttribute("data-verdict")).toBe("fail");
      expect(await failing.locator("ol.remedy").textContent()).toContain("Account: tick Read.");
      await shot("connection-failing-check");
      await page.click("#nav-overview");
      expect(await page.locator("#failing-checks").textContent()).toContain(h.connectionId);
      await shot("overview");
      await page.goBack();
    } finally {
      h.admin.setObjectPermissions(ADMIN_PROFILE, "Account", [...ACCOUNT_ALL]);
      h.admin.setSystemPermissions(ADMIN_PROFILE, { ModifyAllData: true, ViewAllData: true });
    }
    await page.click("#check-again");
    await page.waitForSelector('#checklist[data-passed="true"]');
  });

  it("runs a sync now and shows its run; pauses and resumes it", async () => {
    await page.click("#syncs-link");
    expect(await page.locator("#sync-runs-empty").count()).toBe(1);
    await page.click("#run-Account");
    await page.waitForURL(/done=run-queued/);
    expect(await page.locator("#done").getAttribute("data-done")).toBe("run-queued");
    await reloadUntil('#sync-runs tr:has(.status-completed):has-text("Account")', "the run to complete");
    expect(await page.locator("#sync-runs").textContent()).toContain("20 read");
    await page.click("#pause-Account");
    await page.waitForSelector("#resume-Account");
    expect(await page.locator("#sync-states").textContent()).toContain("Paused in the console");
    await shot("syncs");
    await page.click("#resume-Account");
    await page.waitForSelector("#pause-Account");
    await page.goto(`${h.server.url}/connections/${h.connectionId}`);
    const timeline = (await page.locator("#activity").textContent()) ?? "";
    expect(timeline).toContain("sync run");
    expect(timeline).toContain("checklist run");
    expect(timeline.indexOf("sync run")).toBeLessThan(timeline.indexOf("checklist run"));
  });

  it("adds an endpoint, shows its secret once, and redelivers a failed delivery", async () => {
    await page.click("#nav-webhooks");
    await page.fill("#url", receiver.url);
    await page.click("#add-endpoint");
    expect(await page.locator("#signing-secret").inputValue()).toMatch(/^whsec_/);
    await page.click("#endpoint-link");
    expect(await page.locator("#signing-secret").count()).toBe(0);
    await page.click("#send-test");
    await page.waitForURL(/done=test-sent/);
    await reloadUntil('.delivery[data-status="failed"]', "the test delivery to fail");
    await page.locator('form:has(button[id^="redeliver-"]) button').first().click();
    await page.waitForURL(/done=redelivered/);
    await reloadUntil('.delivery[data-status="delivered"]', "the redelivery to arrive");
    expect(receiver.events.map((e) => e.type)).toEqual(Array(FAST_DELIVERY.maxAttempts! + 1).fill("webhook.test"));
    // The same event, sent again: a receiver that deduplicates by event id sees it once.
    expect(new Set(receiver.events.map((e) => e.id)).size).toBe(1);
    await shot("webhook-deliveries");
  });

  it("registers a provider app with the guided setup and rotates its secret", async () => {
    await page.click("#nav-apps");
    expect(await page.locator("#callback-url").inputValue()).toBe(`${h.server.url}/oauth/callback`);
    await page.fill("#app-name", "Acme CRM sync");
    await page.selectOption("#app-kind", "connected_app");
    await page.fill("#client-id", "3MVG9consoleTestConsumerKey0001");
    await page.fill("#client-secret", "1234567890123456789");
    await page.click("#create-app");
    expect(await page.locator("h1").textContent()).toBe("Acme CRM sync registered");
    expect(await page.locator("#setup-steps li").first().textContent()).toContain(`${h.server.url}/oauth/callback`);
    await shot("provider-app-setup");
    await page.click("text=See the app");
    await page.fill("#new-secret", "9876543210987654321");
    await page.click("#rotate-secret");
    await page.waitForSelector("#setup-steps");
    const apps = (await (await h.api("/v1/provider-apps")).json()) as { data: Array<{ name: string }> };
    expect(apps.data.map((a) => a.name)).toContain("Acme CRM sync");
    expect(await page.content()).not.toContain("9876543210987654321");
  });

  it("shows a manifest's problems at their line and column, and installs a good one", async () => {
    await page.click("#nav-integrations");
    expect(await page.locator("#integrations").textContent()).toContain("crm");
    await page.fill("#manifest", BAD_MANIFEST);
    await page.click("#upload-manifest");
    const problems = page.locator(".manifest-error");
    expect(await problems.count()).toBeGreaterThan(0);
    const lines = await problems.evaluateAll((els) => els.map((e) => e.getAttribute("data-line")));
    expect(lines).toContain("7");
    expect(await page.locator("#manifest").inputValue()).toBe(BAD_MANIFEST.trim());
    await shot("integrations-errors");
    await page.fill("#manifest", ACCOUNT_MANIFEST.replace("name: crm", "name: crm-copy"));
    await page.click("#upload-manifest");
    await page.click("#integration-link");
    await page.click("#install");
    expect(await page.locator("#installations").textContent()).toContain(h.connectionId);
  });

  it("creates a key, shows it once, and revokes it", async () => {
    await page.click("#nav-keys");
    await page.fill("#key-name", "ci runner");
    await page.click("#create-key");
    const key = await page.locator("#new-key").inputValue();
    expect(key).toMatch(/^fl_sk_/);
    expect((await h.api("/v1/api-keys")).status).toBe(200);
    const id = await page.locator('.key:has-text("ci runner")').getAttribute("data-key");
    await page.click(`#revoke-${id}`);
    await page.waitForURL(`${h.server.url}/keys?done=key-revoked`);
    expect(await page.locator("#done").textContent()).toBe("The key was revoked.");
    expect(await page.locator("#new-key").count()).toBe(0);
    expect(await page.locator(`tr:has(.key[data-key="${id}"])`).textContent()).toContain("revoked");
    const res = await fetch(`${h.server.url}/v1/connections`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(401);
  });

  it("fits a phone's screen", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${h.server.url}/connections/${h.connectionId}`);
    const overflow = await phone.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("connection-phone", phone);
    await phone.close();
  });

  it("spells out what deleting a connection does, then deletes it", async () => {
    await page.goto(`${h.server.url}/connections/${h.connectionId}`);
    await page.click("#delete-link");
    const consequences = await page.locator("#consequences").textContent();
    expect(consequences).toContain("revoked");
    expect(consequences).toContain("cannot be undone");
    await page.click("#confirm-delete");
    await page.waitForURL(`${h.server.url}/connections?done=connection-deleted`);
    expect(await page.locator("#connections-empty").count()).toBe(1);
    expect((await h.api(`/v1/connections/${h.connectionId}`)).status).toBe(404);
  });

  it("signs out", async () => {
    await page.click("#sign-out");
    await page.waitForURL(`${h.server.url}/sign-in`);
    await page.goto(`${h.server.url}/connections`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
  });
});
