import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { NOT_REPLAYABLE, ReplayableBody } from "../src/replayable-body.ts";

async function drain(body: unknown): Promise<string> {
  if (typeof body === "string") return body;
  if (Buffer.isBuffer(body)) return body.toString();
  return text(body as Readable);
}

describe("ReplayableBody", () => {
  it("reuses strings and buffers", async () => {
    const body = new ReplayableBody('{"Name":"A"}', 4);
    expect(await drain(body.first())).toBe('{"Name":"A"}');
    expect(await drain(await body.again())).toBe('{"Name":"A"}');
  });

  it("replays a stream read to its end within the cap, without reading it ahead", async () => {
    let pulled = 0;
    async function* source() {
      for (const part of ["ab", "cd", "ef"]) {
        pulled++;
        yield Buffer.from(part);
      }
    }
    const body = new ReplayableBody(source(), 100);
    const first = body.first();
    expect(pulled).toBe(0);
    expect(await drain(first)).toBe("abcdef");
    expect(await drain(await body.again())).toBe("abcdef");
  });

  it("gives up replaying a stream larger than the cap", async () => {
    const body = new ReplayableBody(Readable.from([Buffer.alloc(60), Buffer.alloc(60)]), 100);
    expect((await drain(body.first())).length).toBe(120);
    expect(await body.again()).toBe(NOT_REPLAYABLE);
  });

  it("hands over an untouched stream as it is", async () => {
    const body = new ReplayableBody(Readable.from([Buffer.from("xyz")]), 1);
    body.first();
    expect(await drain(await body.again())).toBe("xyz");
  });

  it("refuses a stream the first send stopped reading halfway", async () => {
    const source = new Readable({ read() {} });
    source.push("part");
    const body = new ReplayableBody(source, 100);
    const first = body.first() as Readable;
    await new Promise<void>((resolve) => first.once("data", () => resolve()));
    first.pause();
    expect(await body.again(5)).toBe(NOT_REPLAYABLE);
  });
});
