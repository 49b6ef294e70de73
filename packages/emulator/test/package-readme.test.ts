import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ControlClient } from "../src/control/control-client.ts";
import { buildRouter } from "../src/routes.ts";
import { buildOrg } from "../src/seed/build-org.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** `| \`GET, POST\` | \`/path\` | …` rows of the README's tables, as "METHOD path" pairs. */
function documentedRoutes(): Set<string> {
  const rows = new Set<string>();
  for (const m of readme.matchAll(/^\| `([A-Z, ]+)` \| `([^`]+)` \|/gm))
    for (const method of m[1]!.split(",")) rows.add(`${method.trim()} ${m[2]}`);
  return rows;
}

describe("the package README", () => {
  it("lists every route the emulator serves, and none it does not", () => {
    const served = new Set(
      buildRouter({ control: true }).routes.flatMap((r) => r.methods.map((method) => `${method} ${r.pattern}`)),
    );
    const documented = documentedRoutes();
    expect(
      [...served].filter((r) => !documented.has(r)),
      "served but not in the README",
    ).toEqual([]);
    expect(
      [...documented].filter((r) => !served.has(r)),
      "in the README but not served",
    ).toEqual([]);
  });

  it("has a control-client method for every control-surface endpoint", () => {
    const controlRoutes = buildRouter({ control: true }).routes.filter((r) => r.pattern.startsWith("/__emulator"));
    const methods = Object.getOwnPropertyNames(ControlClient.prototype).filter(
      (m) => m !== "constructor" && m !== "call",
    );
    expect(methods.length).toBe(controlRoutes.reduce((n, r) => n + r.methods.length, 0));
  });

  it("shows a seed file that builds an org", () => {
    const block = /## Seed files[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const { org } = buildOrg(parse(block!));
    expect(org.organization().Name).toBe("Acme");
    expect(org.store.tableOrThrow("Account").size).toBeGreaterThanOrEqual(10_001);
    expect(org.userByUsername("bot@acme.example")).toBeDefined();
  });
});
