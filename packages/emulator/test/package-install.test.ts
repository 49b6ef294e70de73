import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = join(packageDir, "..", "..");
/** The Node the suite runs on (22.19+), first on PATH for npm's scripts and the bin's shebang. */
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, npm_config_loglevel: "error" };

/**
 * The package as a builder gets it: `npm pack` output installed into an empty project that has no
 * TypeScript, then its bin and its programmatic API run from plain JavaScript.
 */
describe("the packed @forcelink/emulator in a project without TypeScript", () => {
  let work: string;
  let project: string;

  beforeAll(async () => {
    // Packed from a copy, so the repository's own manifest is never rewritten while other suites import it.
    // The copy sits under the repository's node_modules, where the build finds TypeScript and the type packages.
    const scratch = join(repoRoot, "node_modules", ".cache", "forcelink-pack");
    mkdirSync(scratch, { recursive: true });
    work = mkdtempSync(join(scratch, "emulator-"));
    const copy = join(work, "emulator");
    for (const entry of ["package.json", "tsconfig.build.json", "README.md", "bin", "scripts", "src"])
      cpSync(join(packageDir, entry), join(copy, entry), { recursive: true });
    await run("npm", ["pack", "--pack-destination", work], { cwd: copy, env });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error("npm pack made no tarball");

    project = mkdtempSync(join(tmpdir(), "emulator-user-"));
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "uses-emulator", private: true, type: "module" }),
    );
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(work, tarball)], {
      cwd: project,
      env,
    });
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it("holds built JavaScript with type declarations and no TypeScript sources", () => {
    const installed = join(project, "node_modules", "@forcelink", "emulator");
    const files = readdirSync(installed, { recursive: true }).map(String);
    expect(files).toContain(join("dist", "index.js"));
    expect(files).toContain(join("dist", "index.d.ts"));
    expect(files).toContain(join("dist", "testing", "index.js"));
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(readdirSync(join(project, "node_modules"))).not.toContain("typescript");
  });

  it("serves an org from the programmatic API: OAuth, a query, the control surface, stop", async () => {
    writeFileSync(
      join(project, "api.js"),
      `import { startEmulator } from "@forcelink/emulator";
const org = await startEmulator({ records: 7, port: 0 });
const app = org.info.apps[0];
const user = org.info.users[0];
const token = await (await fetch(org.urls.login + "/services/oauth2/token", {
  method: "POST",
  body: new URLSearchParams({ grant_type: "password", client_id: app.clientId, client_secret: app.clientSecret, username: user.username, password: user.password }),
})).json();
const query = await (await fetch(token.instance_url + "/services/data/v67.0/query?q=SELECT+Id,Name+FROM+Account", {
  headers: { authorization: "Bearer " + token.access_token },
})).json();
await org.control.setQuota({ limit: 5000 });
const quota = await org.control.quota();
await org.stop();
console.log(JSON.stringify({ accounts: query.totalSize, named: query.records.every((r) => r.Name), quota, instance: token.instance_url === org.urls.myDomain }));
`,
    );
    const { stdout } = await run(process.execPath, ["api.js"], { cwd: project, env });
    expect(JSON.parse(stdout)).toEqual({ accounts: 7, named: true, quota: { limit: 5000, used: 1 }, instance: true });
  });

  it("completes the OAuth web-server flow without a browser through the testing entry", async () => {
    writeFileSync(
      join(project, "flow.js"),
      `import { startEmulator, DEMO } from "@forcelink/emulator";
import { authorizationCode, buildAuthorizeUrl, pkcePair } from "@forcelink/emulator/testing";
const org = await startEmulator({ port: 0 });
const redirectUri = DEMO.app.callbackUrls[0];
const pkce = pkcePair();
const url = buildAuthorizeUrl(org.urls.login, { response_type: "code", client_id: DEMO.app.clientId, redirect_uri: redirectUri, code_challenge: pkce.challenge, code_challenge_method: "S256" });
const code = await authorizationCode(url, DEMO.admin.username, DEMO.admin.password);
const token = await (await fetch(org.urls.login + "/services/oauth2/token", {
  method: "POST",
  body: new URLSearchParams({ grant_type: "authorization_code", code: code.code, client_id: DEMO.app.clientId, client_secret: DEMO.app.clientSecret, redirect_uri: redirectUri, code_verifier: pkce.verifier }),
})).json();
await org.stop();
console.log(JSON.stringify({ refresh: typeof token.refresh_token, access: typeof token.access_token }));
`,
    );
    const { stdout } = await run(process.execPath, ["flow.js"], { cwd: project, env });
    expect(JSON.parse(stdout)).toEqual({ refresh: "string", access: "string" });
  });

  it("runs its bin: prints the org's URLs and serves until SIGTERM", async () => {
    const bin = join(project, "node_modules", ".bin", "forcelink-emulator");
    const child: ChildProcess = spawn(bin, ["--port", "0", "--records", "3"], { cwd: project, env });
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      for (let i = 0; i < 200 && !out.includes("Press Ctrl+C"); i++) await new Promise((r) => setTimeout(r, 50));
      const login = /login host \(login\.salesforce\.com\):\s+(\S+)/.exec(out)?.[1];
      expect(login, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const info = (await (await fetch(`${login}/__emulator/info`)).json()) as { organizationId: string };
      expect(info.organizationId).toMatch(/^00D/);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(out).toContain("Emulator stopped.");
  });
});
