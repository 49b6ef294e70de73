// npm pack / publish of @forcelink/emulator: `prepack` builds the TypeScript sources into dist/
// (JavaScript with type declarations) and points the manifest's exports at it; `postpack` puts the
// repository's manifest back and removes dist/, so inside the repository the sources run as they are.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const manifest = `${root}package.json`;
const kept = `${root}package.repo.json`;

if (process.argv[2] === "prepack") {
  rmSync(`${root}dist`, { recursive: true, force: true });
  const tsc = fileURLToPath(import.meta.resolve("typescript/package.json")).replace(/package\.json$/, "bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", `${root}tsconfig.build.json`], { stdio: "inherit" });
  // Salesforce's Pub/Sub API definition is read at run time, beside the server that loads it.
  copyFileSync(`${root}src/pubsub/pubsub_api.proto`, `${root}dist/pubsub/pubsub_api.proto`);
  if (!existsSync(kept)) copyFileSync(manifest, kept);
  const pkg = JSON.parse(readFileSync(kept, "utf8"));
  const toDist = (source) => ({
    types: source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, ".d.ts"),
    default: source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, ".js"),
  });
  pkg.exports = Object.fromEntries(Object.entries(pkg.exports).map(([key, source]) => [key, toDist(source)]));
  pkg.types = "./dist/index.d.ts";
  delete pkg.scripts;
  delete pkg.devDependencies;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (process.argv[2] === "postpack") {
  if (existsSync(kept)) renameSync(kept, manifest);
  rmSync(`${root}dist`, { recursive: true, force: true });
} else {
  process.stderr.write("usage: node scripts/pack.mjs prepack|postpack\n");
  process.exitCode = 2;
}
