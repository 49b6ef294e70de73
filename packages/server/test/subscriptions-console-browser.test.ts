import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.ts";
import { type SyncHarness, startHarness } from "./support/harness.ts";
import { fillChannelAllocation, liveManifest, sf } from "./support/subscription-client.ts";

/**
 * A paused subscription in the console, in Chromium: the connection page shows why it is paused
 * with the remedy, "Check and resume" answers with the failing check's steps while the org is
 * unchanged, and resumes it once the admin made room. With CONSOLE_SCREENSHOTS=<dir> it saves
 * the pages as PNG there.
 */

const SHOTS = process.env.CONSOLE_SCREENSHOTS;
const manifest = (subscribe: boolean) =>
  liveManifest([{ name: "Account", fields: ["Id", "Name", "SystemModstamp"], subscribe }]);

let h: SyncHarness;
let browser: Browser;
let page: Page;

async function shot(name: string) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  h = await startHarness({ pubsub: true, sync: { manifest: manifest(false) } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("a paused subscription in the console", () => {
  it("shows the pause with its remedy, refuses to resume while the check fails, and resumes once it passes", async () => {
    const others = await fillChannelAllocation(h);
    const uploaded = await h.api("/v1/integrations", {
      method: "POST",
      body: manifest(true),
      headers: { "content-type": "application/yaml" },
    });
    expect(uploaded.status).toBe(200);

    await page.goto(`${h.server.url}/sign-in`);
    await page.fill("#key", h.apiKey);
    await page.click("#sign-in");
    await page.waitForURL(`${h.server.url}/`);
    await page.goto(`${h.server.url}/connections/${h.connectionId}`);
    const row = page.locator("#subscriptions tbody tr", { hasText: "Account" });
    await expect(row.locator(".status").textContent()).resolves.toBe("paused");
    expect(await row.locator("ol.remedy li").count()).toBeGreaterThan(0);
    await shot("subscription-paused");

    await page.click("#resume-Account");
    await expect(page.locator("#error").getAttribute("data-status")).resolves.toBe("409");
    expect(await page.locator("#error ol.remedy li").count()).toBeGreaterThan(0);
    await expect(page.locator("#check strong").textContent()).resolves.toMatch(/Change Data Capture/);
    await shot("subscription-still-paused");

    // The admin removes another app's entity: the allocation has room again.
    await sf(h, "DELETE", `/tooling/sobjects/PlatformEventChannelMember/${others[0]}`);
    await page.goto(`${h.server.url}/connections/${h.connectionId}`);
    await page.click("#resume-Account");
    await page.waitForURL(/done=subscription-resumed/);
    await expect(page.locator("#done").textContent()).resolves.toContain("runs again");
    await expect(row.locator(".status").textContent()).resolves.not.toBe("paused");
    expect(await page.locator("#resume-Account").count()).toBe(0);
    await shot("subscription-resumed");
  });
});
