import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/cli/commands.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const described = COMMANDS.filter((c) => !c.passThrough);
const groups = [
  ...new Set(
    COMMANDS.map((c) => c.name.split(" "))
      .filter((w) => w.length > 1)
      .map((w) => w[0]),
  ),
];

describe("forcelink --help", () => {
  it("lists every command", () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const r = cli(args);
      expect(r.code).toBe(0);
      for (const c of COMMANDS) expect(r.out).toContain(c.name);
    }
  });

  it.each(described.map((c) => [c.name]))("forcelink %s --help lists its arguments and every option", (name) => {
    const spec = described.find((c) => c.name === name)!;
    const r = cli([...name.split(" "), "--help"]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain(`Usage: forcelink ${name}`);
    for (const a of spec.args) expect(r.out).toContain(a.name);
    for (const [option, o] of Object.entries(spec.options)) {
      expect(r.out).toContain(`--${option}`);
      expect(r.out).toContain(o.help);
    }
    expect(r.out).toContain("-h, --help");
    // -h too, and wherever it stands among the arguments.
    expect(cli([...name.split(" "), "x", "-h"]).out).toBe(r.out);
  });

  it.each(groups.map((g) => [g]))("forcelink %s --help lists its commands", (group) => {
    const r = cli([group, "--help"]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS.filter((s) => s.name.startsWith(`${group} `))) expect(r.out).toContain(c.name);
  });

  it("forcelink emulator --help is the emulator's own help", () => {
    const r = cli(["emulator", "--help"]);
    expect(r.code).toBe(0);
    for (const option of ["--port", "--host", "--seed", "--records"]) expect(r.out).toContain(option);
  });

  it("doctor's help gives its exit statuses", () => {
    const r = cli(["doctor", "--help"]);
    expect(r.out).toMatch(/1\s+a check failed/);
    expect(r.out).toMatch(/2\s+usage error/);
    expect(r.out).toMatch(/3\s+the org could not be read/);
  });
});

describe("usage errors", () => {
  it.each([
    [["doctor"], "forcelink doctor: Missing CONNECTION_ID."],
    [["doctor", "conn_1", "conn_2"], "forcelink doctor: Unexpected argument 'conn_2'."],
    [["doctor", "conn_1", "--bogus"], "forcelink doctor: Unknown option '--bogus'."],
    [["keys", "create", "--name"], "forcelink keys create: Option '--name' needs a value (NAME)."],
    [["connections", "list", "--json=yes"], "forcelink connections list: Option '--json' takes no value."],
    [
      ["connections", "list", "--status", "weird"],
      "forcelink connections list: --status takes active, needs_reauth or error; got 'weird'.",
    ],
    [["worker", "--concurrency", "0"], "forcelink worker: --concurrency takes a whole number from 1 to 64; got '0'."],
    [["start", "--port", "http"], "forcelink start: --port takes a whole number from 0 to 65535; got 'http'."],
    [["integrations", "install", "conn_1"], "forcelink integrations install: Missing NAME."],
    [["keys"], "forcelink keys: Name a command: create, rotate-secret."],
    [["integrations", "remove"], "forcelink integrations: Unknown command 'integrations remove'."],
    [["nonsense"], "forcelink: Unknown command 'nonsense'."],
  ])("forcelink %j: exit 2, one line, and where the help is", (args, line) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    const lines = r.err.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(line);
    expect(lines[0]).toMatch(/See 'forcelink( [a-z-]+)* --help'\.$/);
  });
});
