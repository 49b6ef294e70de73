import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The package boundaries, read from the import statements: capabilities never import the HTTP
 * layer (they throw domain problems that httpErrorFrom maps), the emulator imports nothing of
 * ours, and the client library imports neither the server nor the emulator. Each capability's
 * HTTP adapters (`*-routes.ts`, and the proxy's raw request handler) are the HTTP layer's own
 * edge and may import it.
 */
const PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER_SRC = join(PACKAGES, "server/src");
const HTTP = join(SERVER_SRC, "http");
const CAPABILITIES = [
  "provider-apps",
  "connections",
  "checklist",
  "integrations",
  "sync",
  "webhooks",
  "connect",
  "projects",
  "remedies",
  "writes",
  "activity",
];
const HTTP_ADAPTERS = [/-routes\.ts$/, /^connections\/proxy-handler\.ts$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** Every module a file names in `import … from`, `export … from`, `import "…"` or `import("…")`. */
export function importedModules(text: string): string[] {
  const out: string[] = [];
  const pattern =
    /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*\(?\s*["']([^"']+)["']/gm;
  for (const m of text.matchAll(pattern)) out.push(m[1] ?? m[2]);
  return out;
}

/** Imports of `file` that break `rule`, as "file → module". */
function offending(file: string, rule: (module: string, resolved: string | null) => boolean): string[] {
  return importedModules(readFileSync(file, "utf8"))
    .filter((m) => rule(m, m.startsWith(".") ? resolve(dirname(file), m) : null))
    .map((m) => `${relative(PACKAGES, file)} → ${m}`);
}

const inside = (path: string | null, dir: string) => path !== null && !relative(dir, path).startsWith("..");

describe("architecture: who may import whom", () => {
  it("reads every form of import statement", () => {
    const text = [
      'import { a } from "../http/http-error.ts";',
      'import type { B } from "./b.ts";',
      'export { c } from "@forcelink/salesforce";',
      'import "./side-effect.ts";',
      'const d = await import("../lazy.ts");',
      "import {\n  e,\n  f,\n} from '../multi-line.ts';",
    ].join("\n");
    expect(importedModules(text)).toEqual([
      "../http/http-error.ts",
      "./b.ts",
      "@forcelink/salesforce",
      "./side-effect.ts",
      "../lazy.ts",
      "../multi-line.ts",
    ]);
  });

  it("capabilities never import the HTTP layer (only their route adapters do)", () => {
    const bad: string[] = [];
    for (const capability of CAPABILITIES) {
      const dir = join(SERVER_SRC, capability);
      for (const file of sourceFiles(dir)) {
        const name = relative(SERVER_SRC, file);
        if (HTTP_ADAPTERS.some((p) => p.test(name))) continue;
        bad.push(...offending(file, (_m, resolved) => inside(resolved, HTTP)));
      }
    }
    expect(bad).toEqual([]);
  });

  it("the HTTP layer imports no capability but the domain problems and types it maps", () => {
    const bad = sourceFiles(HTTP).flatMap((file) =>
      offending(file, (_m, resolved) =>
        CAPABILITIES.filter((c) => c !== "remedies" && c !== "projects").some((c) =>
          inside(resolved, join(SERVER_SRC, c)),
        ),
      ),
    );
    expect(bad).toEqual([]);
  });

  it("no capability and no infrastructure imports the console (it is an edge, like the routes)", () => {
    const console = join(SERVER_SRC, "console");
    const bad = sourceFiles(SERVER_SRC)
      .filter((file) => !inside(file, console) && relative(SERVER_SRC, file) !== "server.ts")
      .flatMap((file) => offending(file, (_m, resolved) => inside(resolved, console)));
    expect(bad).toEqual([]);
  });

  it("the emulator imports nothing of ours", () => {
    const emulator = join(PACKAGES, "emulator/src");
    const bad = sourceFiles(emulator).flatMap((file) =>
      offending(
        file,
        (m, resolved) => m.startsWith("@forcelink/") || (resolved !== null && !inside(resolved, emulator)),
      ),
    );
    expect(bad).toEqual([]);
  });

  it("the client library imports neither the server nor the emulator", () => {
    const library = join(PACKAGES, "salesforce/src");
    const bad = sourceFiles(library).flatMap((file) =>
      offending(
        file,
        (m, resolved) =>
          m === "@forcelink/server" ||
          m === "@forcelink/emulator" ||
          m.startsWith("@forcelink/server/") ||
          m.startsWith("@forcelink/emulator/") ||
          (resolved !== null && !inside(resolved, library)),
      ),
    );
    expect(bad).toEqual([]);
  });

  it("the Node SDK is a client: it imports nothing of ours and no package at all", () => {
    const sdk = join(PACKAGES, "node/src");
    const bad = sourceFiles(sdk).flatMap((file) =>
      offending(
        file,
        (m, resolved) => (resolved === null && !m.startsWith("node:")) || (resolved !== null && !inside(resolved, sdk)),
      ),
    );
    expect(sourceFiles(sdk).length).toBeGreaterThan(3);
    expect(bad).toEqual([]);
  });
});
