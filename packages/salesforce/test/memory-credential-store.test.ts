import { describe, expect, it } from "vitest";
import { MemoryCredentialStore, type StoredCredentials } from "../src/index.ts";

function clock() {
  let now = 1_000;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("MemoryCredentialStore: the lease semantics a database store must share", () => {
  it("blocks another owner while the lease lives, lets the holder extend it", async () => {
    const c = clock();
    const store = new MemoryCredentialStore({ now: c.now });
    expect(await store.tryAcquireLease("c1", "a", 1_000)).toBe(true);
    expect(await store.tryAcquireLease("c1", "b", 1_000)).toBe(false);
    c.advance(900);
    expect(await store.tryAcquireLease("c1", "a", 1_000)).toBe(true);
    c.advance(900);
    expect(await store.tryAcquireLease("c1", "b", 1_000)).toBe(false);
    expect(await store.tryAcquireLease("c2", "b", 1_000)).toBe(true);
  });

  it("releases only for the owner", async () => {
    const store = new MemoryCredentialStore();
    await store.tryAcquireLease("c1", "a", 10_000);
    await store.releaseLease("c1", "b");
    expect(store.leaseHolder("c1")).toBe("a");
    await store.releaseLease("c1", "a");
    expect(await store.tryAcquireLease("c1", "b", 10_000)).toBe(true);
  });

  it("lets an expired lease be taken over, and the old owner's release then does nothing", async () => {
    const c = clock();
    const store = new MemoryCredentialStore({ now: c.now });
    await store.tryAcquireLease("c1", "a", 1_000);
    c.advance(1_001);
    expect(await store.tryAcquireLease("c1", "b", 1_000)).toBe(true);
    await store.releaseLease("c1", "a");
    expect(store.leaseHolder("c1")).toBe("b");
  });

  it("copies on read and write, as a database would", async () => {
    const store = new MemoryCredentialStore();
    const creds: StoredCredentials = {
      accessToken: "t",
      instanceUrl: "https://x",
      identityUrl: "https://y",
      orgId: "o",
      userId: "u",
      scopes: ["api"],
      issuedAt: 1,
    };
    await store.tryAcquireLease("c1", "a", 1_000);
    expect(await store.write("c1", creds, "a")).toBe("won");
    creds.scopes.push("mutated");
    const read = await store.read("c1");
    expect(read?.scopes).toEqual(["api"]);
    read?.scopes.push("again");
    expect((await store.read("c1"))?.scopes).toEqual(["api"]);
    expect(await store.read("nope")).toBeNull();
  });

  it("fences writes by the lease: a writer whose lease was taken over loses, and the winner's write stays", async () => {
    const c = clock();
    const store = new MemoryCredentialStore({ now: c.now });
    const creds = (accessToken: string): StoredCredentials => ({
      accessToken,
      instanceUrl: "https://x",
      identityUrl: "https://y",
      orgId: "o",
      userId: "u",
      scopes: ["api"],
      issuedAt: 1,
    });
    expect(await store.write("c1", creds("nobody's"), "a")).toBe("lost");
    await store.tryAcquireLease("c1", "a", 1_000);
    c.advance(1_001);
    await store.tryAcquireLease("c1", "b", 1_000);
    expect(await store.write("c1", creds("b's"), "b")).toBe("won");
    expect(await store.write("c1", creds("a's"), "a")).toBe("lost");
    expect((await store.read("c1"))?.accessToken).toBe("b's");
    // A write carrying the version it read loses once another write moved the version on.
    const read = await store.read("c1");
    expect(await store.write("c1", creds("b's again"), "b")).toBe("won");
    expect(await store.write("c1", { ...read!, accessToken: "stale" }, "b")).toBe("lost");
    expect((await store.read("c1"))?.accessToken).toBe("b's again");
  });
});
