import { describe, expect, it } from "vitest";
import { dueForRefresh, estimatedExpiry, learnedSessionTimeout } from "../src/index.ts";

const rules = { defaultSessionTimeoutMs: 7_200_000, refreshMarginMs: 300_000 };
const MIN = 60_000;

describe("estimatedExpiry: the session timeout after the last use", () => {
  it.each([
    ["unused, assumed 2 h", { issuedAt: 0 }, undefined, 120 * MIN],
    ["unused, learned 15 min", { issuedAt: 0, sessionTimeoutMs: 15 * MIN }, undefined, 15 * MIN],
    ["used at 10 min: slides", { issuedAt: 0, sessionTimeoutMs: 15 * MIN }, 10 * MIN, 25 * MIN],
    [
      "our clock wins over Salesforce's issued_at",
      { issuedAt: 5 * MIN, obtainedAt: 0, sessionTimeoutMs: 15 * MIN },
      undefined,
      15 * MIN,
    ],
  ])("%s", (_label, creds, lastUsedAt, expected) => {
    expect(estimatedExpiry(creds, lastUsedAt, rules)).toBe(expected);
  });

  it.each([
    [0, false],
    [114 * MIN, false],
    [115 * MIN, true],
    [200 * MIN, true],
  ])("refresh due at %i ms: %s", (now, due) => {
    expect(dueForRefresh({ issuedAt: 0 }, undefined, now, rules)).toBe(due);
  });
});

describe("learnedSessionTimeout", () => {
  it.each([
    [1_000, 1_000 + 7_200_000, 7_200_000],
    [1_500, 7_201_000, 7_199_500],
    [0, 15 * MIN, 15 * MIN],
    [0, undefined, undefined],
    [0, 60_000, undefined],
    [0, 48 * 60 * MIN, undefined],
  ])("issued %i, exp %j → %j", (issuedAt, exp, expected) => {
    expect(learnedSessionTimeout(issuedAt, exp)).toBe(expected);
  });
});
