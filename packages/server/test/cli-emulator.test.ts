import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { waitFor } from "./support/wait.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;

function run(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return { child, out: () => stdout, err: () => stderr };
}

describe("forcelink emulator", () => {
  it("prints its URLs and demo credentials, serves them, and stops cleanly on SIGTERM", async () => {
    const p = run(["emulator", "--port", "0", "--records", "10"]);
    await waitFor(() => p.out().includes("Press Ctrl+C"), "the emulator's banner", 20_000);
    const login = /login host \(login\.salesforce\.com\):\s+(\S+)/.exec(p.out())![1];
    expect(p.out()).toContain("3MVG9ForcelinkDemoConsumerKey");
    expect(p.out()).toContain("admin@forcelink-demo.example / admin-password-1");
    const info = (await (await fetch(`${login}/__emulator/info`)).json()) as {
      baseUrl: string;
      apps: Array<{ clientId: string; clientSecret: string; callbackUrls: string[] }>;
      users: Array<{ username: string; password: string }>;
    };
    expect(info.baseUrl).toBe(login);
    expect(info.apps[0]).toMatchObject({
      clientId: "3MVG9ForcelinkDemoConsumerKey",
      clientSecret: "forcelink-demo-consumer-secret",
    });
    expect(info.users.map((u) => u.username)).toContain("integration@forcelink-demo.example");
    p.child.kill("SIGTERM");
    const [code] = await once(p.child, "exit");
    expect(code).toBe(0);
    expect(p.out()).toContain("Emulator stopped.");
  });

  it.each([
    [["emulator", "--port", "banana"], /--port must be a whole number/],
    [["emulator", "--records=2.5"], /--records must be a whole number/],
    [["emulator", "--seed", "/nonexistent/seed.yaml"], /cannot read seed file/],
    [["emulator", "--bogus"], /Unknown option '--bogus'/],
    [["nonsense"], /Unknown command 'nonsense'/],
  ])("refuses %j with a clear message and exit code 2", async (args, message) => {
    const p = run(args);
    const [code] = await once(p.child, "exit");
    expect(code).toBe(2);
    expect(p.err()).toMatch(message);
  });
});
