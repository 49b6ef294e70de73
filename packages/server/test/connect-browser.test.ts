import { DEMO } from "@forcelink/emulator";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("a customer connects their org in a real browser", () => {
  it("clicks through the connect page and Salesforce's login and consent pages, and the connection appears in the API", async () => {
    const app = await h.demoProviderApp();
    const session = (await (
      await h.api("/v1/connect-sessions", {
        method: "POST",
        body: { providerAppId: app.id, endUserId: "browser-customer" },
      })
    ).json()) as { id: string; url: string };

    const page = await browser.newPage();
    await page.goto(session.url);
    expect(await page.textContent("h1")).toContain("Connect Demo to Salesforce");
    await page.check("#env-production");
    await page.click("#continue");

    await page.waitForSelector("#username");
    expect(new URL(page.url()).origin).toBe(new URL(h.emulator.urls.login).origin);
    await page.fill("#username", DEMO.integration.username);
    await page.fill("#password", DEMO.integration.password);
    await page.click("#Login");

    await page.waitForSelector("#oaapprove");
    await page.click("#oaapprove");

    await page.waitForSelector("#result");
    expect(await page.getAttribute("#result", "data-status")).toBe("connected");
    expect(await page.textContent("#result-title")).toBe("Salesforce is connected");
    await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? "/tmp"}/forcelink-connected.png` });

    const status = (await (await h.api(`/v1/connect-sessions/${session.id}`)).json()) as {
      status: string;
      connectionId: string;
    };
    expect(status.status).toBe("completed");
    const list = (await (await h.api("/v1/connections?endUserId=browser-customer")).json()) as {
      data: Array<{ id: string; status: string; username: string }>;
    };
    expect(list.data).toEqual([
      expect.objectContaining({ id: status.connectionId, status: "active", username: DEMO.integration.username }),
    ]);
    await page.close();
  });
});
