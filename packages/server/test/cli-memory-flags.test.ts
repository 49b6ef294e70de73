import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NODE_MEMORY_FLAGS } from "../src/cli/node-flags.ts";

const scripts = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

describe("the memory settings Forcelink's long-running processes start with", () => {
  it.each(["start", "serve", "worker"])("npm run %s passes them to node", (name) => {
    const words = scripts[name].split(/\s+/);
    expect(words[0]).toBe("node");
    for (const flag of NODE_MEMORY_FLAGS)
      expect(words.slice(1, words.indexOf("packages/server/src/cli/main.ts"))).toContain(flag);
  });
});
