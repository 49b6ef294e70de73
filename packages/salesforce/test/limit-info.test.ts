import { describe, expect, it } from "vitest";
import { parseLimitInfo } from "../src/index.ts";

describe("parseLimitInfo", () => {
  it.each([
    ["api-usage=25/15000", { used: 25, max: 15000 }],
    [
      "api-usage=25/15000; per-app-api-usage=17/250(appName=Forcelink)",
      { used: 25, max: 15000, perApp: { used: 17, max: 250, appName: "Forcelink" } },
    ],
    [
      "per-app-api-usage=17/250(appName=X); api-usage=3/100",
      { used: 3, max: 100, perApp: { used: 17, max: 250, appName: "X" } },
    ],
    [["api-usage=1/2"], { used: 1, max: 2 }],
    [undefined, undefined],
    ["", undefined],
    ["api-usage=lots", undefined],
  ])("%j", (header, expected) => {
    expect(parseLimitInfo(header)).toEqual(expected);
  });
});
