import { describe, expect, it } from "vitest";
import {
  emulatorHosts,
  isLoginOrigin,
  loginUrlFor,
  type MyDomainRefusalReason,
  parseMyDomain,
  refreshHost,
  SALESFORCE_HOSTS,
} from "../src/index.ts";

describe("parseMyDomain: accepted inputs", () => {
  const cases: Array<[input: string, host: string, kind: string, environment: "production" | "sandbox"]> = [
    ["acme.my.salesforce.com", "acme.my.salesforce.com", "production", "production"],
    ["https://acme.my.salesforce.com/", "acme.my.salesforce.com", "production", "production"],
    ["https://acme.my.salesforce.com", "acme.my.salesforce.com", "production", "production"],
    ["  https://ACME.My.Salesforce.com/  ", "acme.my.salesforce.com", "production", "production"],
    ["https://acme.my.salesforce.com/lightning/page/home", "acme.my.salesforce.com", "production", "production"],
    ["https://acme.my.salesforce.com/?ec=302&startURL=%2Fhome", "acme.my.salesforce.com", "production", "production"],
    ["https://acme.my.salesforce.com/#section", "acme.my.salesforce.com", "production", "production"],
    ["https://acme.my.salesforce.com:443/", "acme.my.salesforce.com", "production", "production"],
    ["acme.my.salesforce.com.", "acme.my.salesforce.com", "production", "production"],
    ["acme.my.salesforce.com/services/oauth2/authorize", "acme.my.salesforce.com", "production", "production"],
    ["acme", "acme.my.salesforce.com", "production", "production"],
    ["Acme-Corp", "acme-corp.my.salesforce.com", "production", "production"],
    ["acme2024", "acme2024.my.salesforce.com", "production", "production"],
    ["acme--uat.sandbox.my.salesforce.com", "acme--uat.sandbox.my.salesforce.com", "sandbox", "sandbox"],
    ["https://acme--uat.sandbox.my.salesforce.com/", "acme--uat.sandbox.my.salesforce.com", "sandbox", "sandbox"],
    ["acme--uat", "acme--uat.sandbox.my.salesforce.com", "sandbox", "sandbox"],
    ["acme-dev-ed.develop.my.salesforce.com", "acme-dev-ed.develop.my.salesforce.com", "developer", "production"],
    ["acme-dev-ed", "acme-dev-ed.develop.my.salesforce.com", "developer", "production"],
    [
      "site-power-1234-dev-ed.scratch.my.salesforce.com",
      "site-power-1234-dev-ed.scratch.my.salesforce.com",
      "scratch",
      "sandbox",
    ],
    ["acme.patch.my.salesforce.com", "acme.patch.my.salesforce.com", "patch", "production"],
    [
      "curious-fox-1a2b3c.trailblaze.my.salesforce.com",
      "curious-fox-1a2b3c.trailblaze.my.salesforce.com",
      "trailhead",
      "production",
    ],
    ["acme.demo.my.salesforce.com", "acme.demo.my.salesforce.com", "demo", "production"],
    ["acme.free.my.salesforce.com", "acme.free.my.salesforce.com", "free", "production"],
  ];
  it.each(cases)("%j → %s", (input, host, kind, environment) => {
    const parsed = parseMyDomain(input);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.domain.host).toBe(host);
    expect(parsed.domain.kind).toBe(kind);
    expect(parsed.domain.environment).toBe(environment);
    expect(`${parsed.domain.name}.my.salesforce.com`).toBe(host);
  });

  const rewritten: Array<[input: string, host: string]> = [
    ["acme--uat.my.salesforce.com", "acme--uat.sandbox.my.salesforce.com"],
    ["https://acme--uat.cs42.my.salesforce.com/", "acme--uat.sandbox.my.salesforce.com"],
    ["http://acme.my.salesforce.com", "acme.my.salesforce.com"],
    ["http://acme.my.salesforce.com:80/", "acme.my.salesforce.com"],
  ];
  it.each(rewritten)("%j is rewritten to %s with a notice", (input, host) => {
    const parsed = parseMyDomain(input);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.domain.host).toBe(host);
    expect(parsed.notice).toBeTruthy();
  });
});

describe("parseMyDomain: refusals say why and what to do", () => {
  const cases: Array<[input: string, reason: MyDomainRefusalReason, suggestion?: string]> = [
    ["", "empty"],
    ["   ", "empty"],
    ["https://acme.lightning.force.com/lightning/page/home", "lightning-host", "acme.my.salesforce.com"],
    ["acme.lightning.force.com", "lightning-host", "acme.my.salesforce.com"],
    ["acme--uat.sandbox.lightning.force.com", "lightning-host", "acme--uat.sandbox.my.salesforce.com"],
    ["acme-dev-ed.develop.lightning.force.com", "lightning-host", "acme-dev-ed.develop.my.salesforce.com"],
    ["acme.my.salesforce-setup.com", "setup-host", "acme.my.salesforce.com"],
    ["login.salesforce.com", "login-host"],
    ["https://login.salesforce.com/", "login-host"],
    ["https://test.salesforce.com", "login-host"],
    ["acme--c.vf.force.com", "visualforce-or-site-host"],
    ["acme--uat--c.sandbox.vf.force.com", "visualforce-or-site-host"],
    ["acme.my.site.com", "visualforce-or-site-host"],
    ["acme.force.com", "visualforce-or-site-host"],
    ["acme.secure.force.com", "visualforce-or-site-host"],
    ["acme.file.force.com", "visualforce-or-site-host"],
    ["acme.my.salesforce-sites.com", "visualforce-or-site-host"],
    ["na44.salesforce.com", "instance-host"],
    ["https://cs42.salesforce.com/", "instance-host"],
    ["acme.salesforce.com", "instance-host"],
    ["acme.example.com", "not-salesforce"],
    ["https://evil.com/acme.my.salesforce.com", "not-salesforce"],
    ["acme.my.salesforce.com.evil.com", "not-salesforce"],
    ["https://user:pw@acme.my.salesforce.com", "credentials-in-url"],
    ["https://acme.my.salesforce.com:8443", "port"],
    ["https://acme.my.salesforce.com:80", "port"],
    ["ftp://acme.my.salesforce.com", "malformed"],
    ["acme corp", "malformed"],
    ["-acme", "malformed"],
    ["acme_corp", "malformed"],
    ["https://", "malformed"],
    ["acme.sandbox.my.salesforce.com", "malformed"],
    ["acme.unknown.my.salesforce.com", "unknown-partition"],
    ["a.b.c.my.salesforce.com", "unknown-partition"],
    ["my.salesforce.com", "instance-host"],
    ["xn--80ak6aa92e.my.salesforce.com.xn--p1ai", "not-salesforce"],
  ];
  it.each(cases)("%j → %s", (input, reason, suggestion) => {
    const parsed = parseMyDomain(input);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(false);
    if (parsed.ok) return;
    expect(parsed.refusal.reason).toBe(reason);
    expect(parsed.refusal.message.length).toBeGreaterThan(10);
    expect(parsed.refusal.fix.length).toBeGreaterThan(10);
    expect(parsed.refusal.suggestion).toBe(suggestion);
  });

  it("tells a customer who typed the generic login host to pick Production or Sandbox", () => {
    const prod = parseMyDomain("login.salesforce.com");
    const sbx = parseMyDomain("test.salesforce.com");
    expect(!prod.ok && prod.refusal.fix).toContain('"Production"');
    expect(!sbx.ok && sbx.refusal.fix).toContain('"Sandbox"');
  });

  it("explains that the Lightning host is the UI and points to Setup → My Domain", () => {
    const parsed = parseMyDomain("acme.lightning.force.com");
    expect(!parsed.ok && parsed.refusal.message).toMatch(/user interface/);
    expect(!parsed.ok && parsed.refusal.fix).toMatch(/Setup → My Domain/);
  });
});

describe("SalesforceHosts", () => {
  it("defaults to Salesforce's real hosts", () => {
    expect(SALESFORCE_HOSTS.productionLoginUrl).toBe("https://login.salesforce.com");
    expect(SALESFORCE_HOSTS.sandboxLoginUrl).toBe("https://test.salesforce.com");
    const sandbox = parseMyDomain("acme--uat");
    expect(sandbox.ok && SALESFORCE_HOSTS.myDomainUrl(sandbox.domain.name)).toBe(
      "https://acme--uat.sandbox.my.salesforce.com",
    );
    expect(loginUrlFor(SALESFORCE_HOSTS, "sandbox")).toBe("https://test.salesforce.com");
  });

  it("maps every valid My Domain to the emulator's, while validation stays as strict", () => {
    const hosts = emulatorHosts({
      login: "http://127.0.0.1:4010/",
      test: "http://127.0.0.1:4011",
      myDomain: "http://127.0.0.1:4012/x",
    });
    expect(hosts.productionLoginUrl).toBe("http://127.0.0.1:4010");
    expect(loginUrlFor(hosts, "sandbox")).toBe("http://127.0.0.1:4011");
    const parsed = parseMyDomain("forcelink-demo");
    expect(parsed.ok && hosts.myDomainUrl(parsed.domain.name)).toBe("http://127.0.0.1:4012");
    // The emulator's own address is not a My Domain: the mapping is the only way in.
    expect(parseMyDomain("http://127.0.0.1:4012").ok).toBe(false);
  });
});

describe("isLoginOrigin: where a token or secret may be sent besides the instance", () => {
  const emulator = emulatorHosts({
    login: "http://127.0.0.1:4010",
    test: "http://127.0.0.1:4011",
    myDomain: "http://127.0.0.1:4012",
  });
  it.each([
    [SALESFORCE_HOSTS, "https://login.salesforce.com/id/00D/005", true],
    [SALESFORCE_HOSTS, "https://test.salesforce.com/id/00D/005", true],
    [SALESFORCE_HOSTS, "https://acme.my.salesforce.com/id/00D/005", true],
    [SALESFORCE_HOSTS, "http://login.salesforce.com/id/00D/005", false],
    [SALESFORCE_HOSTS, "https://login.salesforce.com:8443/id", false],
    [SALESFORCE_HOSTS, "https://login.salesforce.com.evil.com/id", false],
    [SALESFORCE_HOSTS, "https://evil.com/login.salesforce.com", false],
    [SALESFORCE_HOSTS, "http://127.0.0.1:4010/id/00D/005", false],
    [emulator, "http://127.0.0.1:4010/id/00D/005", true],
    [emulator, "http://127.0.0.1:4011/id/00D/005", true],
    [emulator, "http://127.0.0.1:9999/id/00D/005", false],
    [SALESFORCE_HOSTS, "not a url", false],
  ])("%#: %s → %s", (hosts, url, expected) => {
    expect(isLoginOrigin(hosts, url)).toBe(expected);
  });

  it("redeems refresh tokens on the identity URL's login host, else on the instance", () => {
    const instanceUrl = "https://acme.my.salesforce.com";
    expect(refreshHost({ identityUrl: "https://test.salesforce.com/id/00D/005", instanceUrl }, SALESFORCE_HOSTS)).toBe(
      "https://test.salesforce.com",
    );
    expect(refreshHost({ identityUrl: "https://evil.example/id/00D/005", instanceUrl }, SALESFORCE_HOSTS)).toBe(
      instanceUrl,
    );
  });
});
