import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { crossSiteProblem, readCookie, sessionCookie } from "../src/console/console-routes.ts";
import type { Platform } from "../src/platform/platform.ts";

/** The console's request rules as tables: where a post may come from, the cookie it sets and reads. */

const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;
const platformAt = (publicUrl: string) => ({ config: { publicUrl } }) as unknown as Platform;

describe("crossSiteProblem", () => {
  it.each([
    ["no Origin, no Sec-Fetch-Site (an old browser; SameSite=Strict keeps the cookie home)", {}, null],
    ["Sec-Fetch-Site same-origin", { "sec-fetch-site": "same-origin" }, null],
    ["Sec-Fetch-Site same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }, 403],
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }, 403],
    ["Sec-Fetch-Site none (typed or bookmarked, never a form)", { "sec-fetch-site": "none" }, 403],
    ["Origin of the public URL", { origin: "https://console.example.com" }, null],
    ["Origin of the Host it was reached on", { origin: "https://10.0.0.5:4000", host: "10.0.0.5:4000" }, null],
    ["Origin of another site", { origin: "https://evil.example" }, 403],
    ["Origin null (a sandboxed frame or a data: page)", { origin: "null" }, 403],
    ["Origin over http when the console is https", { origin: "http://console.example.com" }, 403],
  ] as const)("%s", (_what, headers, status) => {
    const problem = crossSiteProblem(
      request({ host: "console.example.com", ...headers }),
      "https://console.example.com",
    );
    expect(problem?.status ?? null).toBe(status);
  });
});

describe("the session cookie", () => {
  it("is Secure when the public URL is https, and not over http", () => {
    expect(sessionCookie(platformAt("https://console.example.com"), "fls_x", 60)).toBe(
      "forcelink_session=fls_x; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure",
    );
    expect(sessionCookie(platformAt("http://127.0.0.1:4000"), "fls_x", 60)).not.toContain("Secure");
  });

  it.each([
    ["forcelink_session=fls_a", "fls_a"],
    ["other=1; forcelink_session=fls_b; more=2", "fls_b"],
    ["xforcelink_session=fls_c", undefined],
    ["", undefined],
  ])("reads %j", (header, token) => {
    expect(readCookie(header, "forcelink_session")).toBe(token);
  });
});
