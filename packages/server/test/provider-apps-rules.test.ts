import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkSigningKey } from "../src/provider-apps/jwt-signing-key.ts";
import { checkProviderAppSettings, type ProviderAppSettings } from "../src/provider-apps/provider-app-rules.ts";
import { checkRequirements } from "../src/provider-apps/requirements.ts";
import { checkScopes, KNOWN_SCOPES } from "../src/provider-apps/scopes.ts";
import { providerAppCallbackUrl, setupSteps } from "../src/provider-apps/setup-guide.ts";

const rsa = (bits: number, type: "pkcs1" | "pkcs8" = "pkcs8") =>
  generateKeyPairSync("rsa", {
    modulusLength: bits,
    privateKeyEncoding: { type, format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
const rsa2048 = rsa(2048);
const rsa2048pkcs1 = rsa(2048, "pkcs1");

describe("checkScopes", () => {
  it.each([
    [
      ["api", "refresh_token"],
      ["api", "refresh_token"],
    ],
    [
      ["api", "offline_access"],
      ["api", "offline_access"],
    ],
    [
      ["full", "refresh_token"],
      ["full", "refresh_token"],
    ],
    [
      ["api", "refresh_token", "id", "api", " id "],
      ["api", "refresh_token", "id"],
    ],
    [
      ["api", "refresh_token", "openid", "cdp_query_api", "sfap_api", "interaction_api"],
      ["api", "refresh_token", "openid", "cdp_query_api", "sfap_api", "interaction_api"],
    ],
  ])("accepts %j as %j", (input, expected) => {
    expect(checkScopes(input)).toEqual({ ok: true, scopes: expected });
  });

  it.each([
    [["refresh_token", "id"], ["api_scope_missing"]],
    [["api", "id"], ["refresh_scope_missing"]],
    [["full"], ["refresh_scope_missing"]],
    [[], ["api_scope_missing", "refresh_scope_missing"]],
    [["api", "refresh_token", "banana"], ["unknown_scope"]],
    [
      ["API", "refresh_token"],
      ["unknown_scope", "api_scope_missing"],
    ],
  ])("refuses %j with %j", (input, codes) => {
    const verdict = checkScopes(input);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.problems.map((p) => p.code)).toEqual(codes);
  });

  it("says what breaks without api and what to tick in Salesforce", () => {
    const verdict = checkScopes(["refresh_token"]);
    if (verdict.ok) throw new Error("expected a refusal");
    expect(verdict.problems[0].message).toMatch(/REST/);
    expect(verdict.problems[0].remedy).toContain('"Manage user data via APIs (api)"');
  });

  it("says what breaks without refresh_token and what to tick in Salesforce", () => {
    const verdict = checkScopes(["api"]);
    if (verdict.ok) throw new Error("expected a refusal");
    expect(verdict.problems[0].message).toMatch(/session ends/);
    expect(verdict.problems[0].remedy).toContain('"Perform requests at any time (refresh_token, offline_access)"');
  });

  it("lists the known scope names and suggests the right spelling", () => {
    const verdict = checkScopes(["api", "refresh_token", "API", "Manage user data via APIs (api)", "nope"]);
    if (verdict.ok) throw new Error("expected a refusal");
    const [unknown] = verdict.problems;
    expect(unknown.message).toContain('did you mean "api"');
    expect(unknown.message).toContain('the scope name is "api"');
    expect(unknown.message).toContain('"nope"');
    for (const name of ["api", "refresh_token", "offline_access", "cdp_query_api", "sfap_api", "chatter_api"]) {
      expect(unknown.remedy).toContain(name);
    }
    expect(unknown.details).toMatchObject({
      unknown: ["API", "Manage user data via APIs (api)", "nope"],
      known: KNOWN_SCOPES,
    });
  });
});

describe("checkSigningKey", () => {
  it.each([
    ["PKCS#8", rsa2048.privateKey],
    ["PKCS#1", rsa2048pkcs1.privateKey],
    ["PKCS#8 with literal \\n", rsa2048.privateKey.trim().replace(/\n/g, "\\n")],
    ["PKCS#8 with CRLF and indentation", rsa2048.privateKey.replace(/\n/g, "\r\n    ")],
  ])("accepts an RSA key in %s", (_, pem) => {
    const verdict = checkSigningKey(pem);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) {
      expect(verdict.bits).toBe(2048);
      expect(verdict.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(verdict.pem).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----\n[^\r\\ ]+-----END (RSA )?PRIVATE KEY-----\n$/);
    }
  });

  it("gives one fingerprint for one key whatever its encoding", () => {
    const a = checkSigningKey(rsa2048.privateKey);
    const b = checkSigningKey(rsa2048.privateKey.replace(/\n/g, "\r\n"));
    const other = checkSigningKey(rsa2048pkcs1.privateKey);
    if (!a.ok || !b.ok || !other.ok) throw new Error("expected keys to pass");
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(other.fingerprint);
  });

  const encrypted = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  const ec = generateKeyPairSync("ec", {
    namedCurve: "P-256",
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  const damaged = rsa2048.privateKey.replace(/\n[A-Za-z0-9+/]{20}/, "\nAAAA");

  it.each([
    ["a public key", rsa2048.publicKey, "jwt_key_not_private"],
    [
      "a certificate",
      "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n",
      "jwt_key_not_private",
    ],
    ["an encrypted key", encrypted, "jwt_key_encrypted"],
    ["plain text", "not a key at all", "jwt_key_not_pem"],
    ["a damaged key", damaged, "jwt_key_unreadable"],
    ["an EC key", ec, "jwt_key_not_rsa"],
    ["a 1024-bit RSA key", rsa(1024).privateKey, "jwt_key_too_short"],
  ])("refuses %s", (_, pem, code) => {
    const verdict = checkSigningKey(pem);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.problem.code).toBe(code);
      expect(verdict.problem.field).toBe("jwt.privateKey");
      expect(`${verdict.problem.message} ${verdict.problem.remedy}`).not.toContain(pem.split("\n")[1] || "§");
    }
  });
});

describe("checkRequirements", () => {
  it("folds repeated access and fields, keeping the canonical order", () => {
    const verdict = checkRequirements({
      objects: [
        { name: "Account", access: ["write", "read", "write"], fields: ["Name", "name", "Industry"] },
        { name: "Invoice__c", access: ["subscribe"] },
      ],
    });
    expect(verdict).toEqual({
      ok: true,
      requirements: {
        objects: [
          { name: "Account", access: ["read", "write"], fields: ["Name", "Industry"] },
          { name: "Invoice__c", access: ["subscribe"] },
        ],
      },
    });
  });

  it("refuses an object named twice, whatever the case", () => {
    const verdict = checkRequirements({
      objects: [
        { name: "Account", access: ["read"] },
        { name: "account", access: ["write"] },
      ],
    });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.problems).toHaveLength(1);
      expect(verdict.problems[0]).toMatchObject({
        field: "requirements.objects.1.name",
        code: "requirement_duplicate_object",
      });
    }
  });
});

describe("checkProviderAppSettings", () => {
  const base: ProviderAppSettings = {
    kind: "connected_app",
    clientId: "3MVG9ExampleConsumerKey",
    clientSecret: "a-consumer-secret",
    scopes: ["api", "refresh_token", "id"],
    pkce: true,
    jwt: null,
    requirements: null,
  };

  it.each<[string, Partial<ProviderAppSettings>]>([
    ["a Connected App with PKCE", {}],
    ["a Connected App without PKCE", { pkce: false }],
    ["an External Client App with PKCE", { kind: "external_client_app" }],
    ["a JWT key", { jwt: { username: "integration@example.com", privateKey: rsa2048.privateKey } }],
    ["an update that leaves the key alone", { jwt: undefined, clientSecret: undefined }],
    ["requirements", { requirements: { objects: [{ name: "Contact", access: ["read"] }] } }],
  ])("accepts %s", (_, change) => {
    expect(checkProviderAppSettings({ ...base, ...change }).ok).toBe(true);
  });

  it.each<[string, Partial<ProviderAppSettings>, string[]]>([
    ["an External Client App without PKCE", { kind: "external_client_app", pkce: false }, ["pkce_required"]],
    ["the consumer key pasted as the secret", { clientSecret: base.clientId }, ["client_secret_is_client_id"]],
    ["a bad key", { jwt: { username: "u@example.com", privateKey: "nope" } }, ["jwt_key_not_pem"]],
    [
      "everything wrong at once",
      { kind: "external_client_app", pkce: false, scopes: ["id"], jwt: { username: "u@example.com", privateKey: "x" } },
      ["api_scope_missing", "refresh_scope_missing", "pkce_required", "jwt_key_not_pem"],
    ],
  ])("refuses %s", (_, change, codes) => {
    const verdict = checkProviderAppSettings({ ...base, ...change });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.problems.map((p) => p.code)).toEqual(codes);
  });

  it("says why External Client Apps need PKCE and what to do", () => {
    const verdict = checkProviderAppSettings({ ...base, kind: "external_client_app", pkce: false });
    if (verdict.ok) throw new Error("expected a refusal");
    expect(verdict.problems[0]).toMatchObject({ field: "pkce" });
    expect(verdict.problems[0].message).toContain("External Client Apps require PKCE");
    expect(verdict.problems[0].remedy).toMatch(/Leave pkce on/);
  });

  it("hands back the key in PEM with its fingerprint, and null to remove it", () => {
    const verdict = checkProviderAppSettings({
      ...base,
      jwt: { username: "u@example.com", privateKey: rsa2048.privateKey },
    });
    if (!verdict.ok) throw new Error("expected acceptance");
    expect(verdict.settings.jwt).toMatchObject({ username: "u@example.com", privateKeyPem: rsa2048.privateKey });
    const removed = checkProviderAppSettings(base);
    if (!removed.ok) throw new Error("expected acceptance");
    expect(removed.settings.jwt).toBeNull();
  });
});

describe("setupSteps", () => {
  const callback = providerAppCallbackUrl("https://forcelink.example.com/");

  it("builds the callback URL from the public URL", () => {
    expect(callback).toBe("https://forcelink.example.com/oauth/callback");
  });

  it("names the callback URL, the scopes as Setup shows them, PKCE and permitted users", () => {
    const steps = setupSteps(
      {
        kind: "connected_app",
        scopes: ["api", "refresh_token", "offline_access", "cdp_api"],
        pkce: true,
        clientCredentialsEnabled: false,
        jwt: null,
      },
      callback,
    );
    const text = steps.join("\n");
    expect(text).toContain(callback);
    expect(text).toContain("App Manager");
    expect(text).toContain('"Manage user data via APIs (api)"');
    expect(text.match(/Perform requests at any time/g)).toHaveLength(1);
    expect(text).toContain("the entry ending in (cdp_api)");
    expect(text).toMatch(/PKCE/);
    expect(text).toContain("Permitted Users");
    expect(text).not.toMatch(/Client Credentials|JWT/);
  });

  it.each(["connected_app", "external_client_app"] as const)(
    "asks a %s to tick Introspect All Tokens, and says what happens without it",
    (kind) => {
      const steps = setupSteps(
        { kind, scopes: ["api", "refresh_token"], pkce: true, clientCredentialsEnabled: false, jwt: null },
        callback,
      );
      const step = steps.find((s) => s.includes('"Introspect All Tokens"'));
      expect(step).toBeDefined();
      expect(step).toContain("real expiry");
      expect(step).toContain("two-hour session");
    },
  );

  it("tells External Client Apps, PKCE off, client credentials and JWT apart", () => {
    const eca = setupSteps(
      {
        kind: "external_client_app",
        scopes: ["api", "refresh_token"],
        pkce: true,
        clientCredentialsEnabled: true,
        jwt: { username: "int@example.com", keyFingerprint: "sha256:abc" },
      },
      callback,
    ).join("\n");
    expect(eca).toContain("External Client App Manager");
    expect(eca).toContain('keep "Require Proof Key');
    expect(eca).toContain("Enable Client Credentials Flow");
    expect(eca).toContain("My Domain");
    expect(eca).toContain('"Enable JWT Bearer Flow"');
    expect(eca).toContain("int@example.com");
    expect(eca).toContain("sha256:abc");

    const legacy = setupSteps(
      {
        kind: "connected_app",
        scopes: ["api", "refresh_token"],
        pkce: false,
        clientCredentialsEnabled: false,
        jwt: null,
      },
      callback,
    ).join("\n");
    expect(legacy).toContain('untick "Require Proof Key');
  });
});
