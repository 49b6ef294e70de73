import { Readable } from "node:stream";
import { generateRecords } from "@forcelink/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  abortJob,
  type BulkClient,
  BulkJobFailed,
  BulkJobTimedOut,
  BulkResultError,
  type BulkResultPage,
  bulkQuery,
  CsvFormatError,
  type CsvRecord,
  CsvRecordParser,
  createQueryJob,
  csvRecords,
  fixedToken,
  getQueryJob,
  InstancePools,
  readCsvRecords,
  resultPages,
  SalesforceApiError,
  SalesforceClient,
  type StreamedResponse,
  type TokenSet,
  waitForJob,
} from "../src/index.ts";
import { calls, connectUser, type DemoOrg, startDemoOrg } from "./support/demo-org.ts";

let demo: DemoOrg;
let tokens: TokenSet;
let pools: InstancePools;
let sf: SalesforceClient;

const ACCOUNTS = 25_000;

beforeAll(async () => {
  demo = await startDemoOrg();
  generateRecords(demo.org, "Account", ACCOUNTS);
  tokens = await connectUser(demo);
  pools = new InstancePools();
  sf = new SalesforceClient({
    tokens: fixedToken({ accessToken: tokens.accessToken, instanceUrl: tokens.instanceUrl }),
    pools,
    sleep: async () => {},
  });
});
afterAll(async () => {
  await pools.close();
  await demo.close();
});
afterEach(() => {
  demo.org.faults.reset();
  demo.org.settings.bulkJobProcessingMs = 0;
});

const JOBS = "/services/data/:version/jobs/query";
const ENDPOINTS = {
  create: `POST ${JOBS}`,
  poll: `GET ${JOBS}/:id`,
  results: `GET ${JOBS}/:id/results`,
  abort: `PATCH ${JOBS}/:id`,
  delete: `DELETE ${JOBS}/:id`,
};
type Used = Record<keyof typeof ENDPOINTS, number>;

/** Calls per Bulk query endpoint made while `work` runs. */
async function counting(work: () => Promise<unknown>): Promise<Used> {
  const entries = Object.entries(ENDPOINTS);
  const before = entries.map(([, e]) => calls(demo.org, e));
  await work();
  return Object.fromEntries(entries.map(([k, e], i) => [k, calls(demo.org, e) - before[i]])) as Used;
}

/** A sleep that moves the org clock instead of waiting: jobs progress on that clock. */
function clockSleep(log: number[] = [], also?: (call: number) => unknown) {
  return async (ms: number) => {
    log.push(ms);
    await also?.(log.length);
    demo.org.clock.advance(ms);
  };
}

async function all(pages: AsyncIterable<BulkResultPage>): Promise<BulkResultPage[]> {
  const out: BulkResultPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

async function jobGone(jobId: string): Promise<boolean> {
  const error = await rejection(getQueryJob(sf, jobId));
  return error instanceof SalesforceApiError && error.status === 404;
}

async function restCount(soql: string): Promise<number> {
  const first = await sf.queryPages(soql).next();
  return first.done ? 0 : first.value.totalSize;
}

describe("bulkQuery", () => {
  it("reads 25,000 Accounts in three pages of at most 10,000, then deletes the job", async () => {
    let pages: BulkResultPage[] = [];
    let jobId = "";
    const used = await counting(async () => {
      pages = await all(
        bulkQuery(sf, "SELECT Id, Name FROM Account", {
          maxRecords: 10_000,
          sleep: clockSleep(),
          onJob: (j) => (jobId = j.id),
        }),
      );
    });
    expect(pages.map((p) => [p.records.length, p.numberOfRecords])).toEqual([
      [10_000, 10_000],
      [10_000, 10_000],
      [5_000, 5_000],
    ]);
    expect(pages.map((p) => p.locator === null)).toEqual([false, false, true]);
    const ids = pages.flatMap((p) => p.records.map((r) => r.Id));
    expect(new Set(ids).size).toBe(ACCOUNTS);
    expect(ids.every((id) => typeof id === "string" && /^001[A-Za-z0-9]{15}$/.test(id))).toBe(true);
    expect(await restCount("SELECT COUNT() FROM Account")).toBe(ACCOUNTS);
    expect(Object.keys(pages[0].records[0])).toEqual(["Id", "Name"]);
    // One create, one poll (the emulator completes a job when first looked at), a GET per page, one delete.
    expect(used).toEqual({ create: 1, poll: 1, results: 3, abort: 0, delete: 1 });
    expect(await jobGone(jobId)).toBe(true);
  });

  it("hands pages out in pieces as they are parsed (chunkRecords), for the same calls", async () => {
    let pieces: BulkResultPage[] = [];
    const used = await counting(async () => {
      pieces = await all(
        bulkQuery(sf, "SELECT Id, Name FROM Account", { maxRecords: 10_000, chunkRecords: 4_000, sleep: clockSleep() }),
      );
    });
    expect(pieces.map((p) => [p.records.length, p.endOfPage])).toEqual([
      [4_000, false],
      [4_000, false],
      [2_000, true],
      [4_000, false],
      [4_000, false],
      [2_000, true],
      [4_000, false],
      [1_000, true],
    ]);
    expect(pieces.map((p) => p.locator === null)).toEqual([false, false, false, false, false, false, true, true]);
    expect(new Set(pieces.flatMap((p) => p.records.map((r) => r.Id))).size).toBe(ACCOUNTS);
    expect(used).toEqual({ create: 1, poll: 1, results: 3, abort: 0, delete: 1 });
  });

  it("queryAll includes deleted rows with IsDeleted, query leaves them out", async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await sf.create("Account", { Name: `QueryAll probe ${n}` })).id);
    await sf.delete("Account", ids[1]);
    const soql = "SELECT Id, Name, IsDeleted FROM Account WHERE Name LIKE 'QueryAll probe%' ORDER BY Name";
    const live = (await all(bulkQuery(sf, soql, { sleep: clockSleep() }))).flatMap((p) => p.records);
    const everything = (await all(bulkQuery(sf, soql, { includeDeleted: true, sleep: clockSleep() }))).flatMap(
      (p) => p.records,
    );
    expect(live.map((r) => [r.Id, r.IsDeleted])).toEqual([
      [ids[0], "false"],
      [ids[2], "false"],
    ]);
    expect(everything.map((r) => [r.Id, r.IsDeleted])).toEqual([
      [ids[0], "false"],
      [ids[1], "true"],
      [ids[2], "false"],
    ]);
  });

  it("round-trips commas, quotes, line breaks and multi-byte text, and reads empty values as null", async () => {
    const name = 'Comma, "quoted" and\nsecond line';
    const description = 'Zoë, 日本語 and 🎉 — "a ""b"""\r\nthen, CRLF\n\nand blank lines';
    const { id } = await sf.create("Account", { Name: name, Description: description, Website: "" });
    const soql = `SELECT Id, Name, Description, Phone, Website, NumberOfEmployees, Owner.Name FROM Account WHERE Id = '${id}'`;
    for (const gzip of [true, false]) {
      const encodings: unknown[] = [];
      const watched = tampered((res) => {
        encodings.push(res.headers["content-encoding"]);
        return res;
      });
      const pages = await all(bulkQuery(watched, soql, { gzip, sleep: clockSleep() }));
      expect(encodings).toEqual([gzip ? "gzip" : undefined]);
      expect(pages.map((p) => p.records)).toEqual([
        [
          {
            Id: id,
            Name: name,
            Description: description,
            Phone: null,
            Website: null,
            NumberOfEmployees: null,
            "Owner.Name": "Ivy Integration",
          },
        ],
      ]);
    }
  });

  it("surfaces a query Bulk refuses as a typed error when the job is created, leaving no job", async () => {
    const cases: Array<[string, string]> = [
      ["SELECT Id FROM", "MALFORMED_QUERY"],
      ["SELECT Nope__c FROM Account", "INVALID_FIELD"],
      ["SELECT Id, Name FROM PermissionSet", "INVALIDENTITY"],
      ["SELECT COUNT() FROM Account", "API_ERROR"],
    ];
    for (const [soql, code] of cases) {
      let error: unknown;
      const used = await counting(async () => {
        error = await rejection(all(bulkQuery(sf, soql)));
      });
      expect(error, soql).toBeInstanceOf(SalesforceApiError);
      expect([(error as SalesforceApiError).status, (error as SalesforceApiError).code], soql).toEqual([400, code]);
      expect(used).toEqual({ create: 1, poll: 0, results: 0, abort: 0, delete: 0 });
    }
  });

  it("throws BulkJobFailed when the job fails while it runs, and deletes it", async () => {
    demo.admin.setObjectPermissions("Forcelink_Integration", "Invoice__c", ["Read"]);
    demo.org.settings.bulkJobProcessingMs = 5_000;
    let jobId = "";
    // The object is taken away while the job runs: Salesforce fails the job when it runs the query.
    const sleep = clockSleep([], (n) => {
      if (n === 1) demo.admin.setObjectPermissions("Forcelink_Integration", "Invoice__c", []);
    });
    const error = await rejection(
      all(bulkQuery(sf, "SELECT Id, Name FROM Invoice__c", { sleep, onJob: (j) => (jobId = j.id) })),
    );
    expect(error).toBeInstanceOf(BulkJobFailed);
    expect(error).toMatchObject({ name: "BulkJobFailed", jobId, state: "Failed" });
    expect((error as Error).message).toContain(`Bulk query job ${jobId} ended Failed`);
    expect(await jobGone(jobId)).toBe(true);
  });

  it("throws BulkJobFailed with state Aborted when someone else aborts the job", async () => {
    demo.org.settings.bulkJobProcessingMs = 60_000;
    const job = await createQueryJob(sf, "SELECT Id FROM Account");
    const sleep = clockSleep([], (n) => (n === 2 ? abortJob(sf, job.id) : undefined));
    const polled: string[] = [];
    const error = await rejection(waitForJob(sf, job.id, { sleep, onPoll: (j) => polled.push(j.state) }));
    expect(error).toMatchObject({ name: "BulkJobFailed", jobId: job.id, state: "Aborted" });
    expect(polled).toEqual(["InProgress", "Aborted"]);
  });
});

describe("stopping early", () => {
  it("deletes the job when the consumer stops after the first page, fetching no more pages", async () => {
    let jobId = "";
    let first: BulkResultPage | undefined;
    const used = await counting(async () => {
      for await (const page of bulkQuery(sf, "SELECT Id FROM Account", {
        maxRecords: 10_000,
        sleep: clockSleep(),
        onJob: (j) => (jobId = j.id),
      })) {
        first = page;
        break;
      }
    });
    expect(first?.records.length).toBe(10_000);
    expect(used).toEqual({ create: 1, poll: 1, results: 1, abort: 0, delete: 1 });
    expect(await jobGone(jobId)).toBe(true);
  });

  it("aborts, then deletes, a job still running when the caller's signal fires", async () => {
    demo.org.settings.bulkJobProcessingMs = 10 * 60_000;
    const controller = new AbortController();
    let jobId = "";
    const sleep = clockSleep([], (n) => {
      if (n === 3) controller.abort();
    });
    let error: unknown;
    const used = await counting(async () => {
      error = await rejection(
        all(
          bulkQuery(sf, "SELECT Id FROM Account", { sleep, signal: controller.signal, onJob: (j) => (jobId = j.id) }),
        ),
      );
    });
    expect((error as Error).name).toBe("AbortError");
    expect(used).toEqual({ create: 1, poll: 2, results: 0, abort: 1, delete: 1 });
    expect(await jobGone(jobId)).toBe(true);
  });

  it("gives up after timeoutMs with BulkJobTimedOut, aborting the job", async () => {
    demo.org.settings.bulkJobProcessingMs = 10 * 60_000;
    let jobId = "";
    const started = demo.org.clock.now();
    let error: unknown;
    const used = await counting(async () => {
      error = await rejection(
        all(
          bulkQuery(sf, "SELECT Id FROM Account", {
            sleep: clockSleep(),
            now: () => demo.org.clock.now(),
            timeoutMs: 30_000,
            onJob: (j) => (jobId = j.id),
          }),
        ),
      );
    });
    expect(error).toBeInstanceOf(BulkJobTimedOut);
    expect(error).toMatchObject({ jobId, state: "InProgress", timeoutMs: 30_000 });
    expect(demo.org.clock.now() - started).toBeGreaterThanOrEqual(30_000);
    expect(demo.org.clock.now() - started).toBeLessThan(31_000);
    expect(used).toMatchObject({ create: 1, results: 0, abort: 1, delete: 1 });
    expect(await jobGone(jobId)).toBe(true);
  });
});

describe("waitForJob and resultPages", () => {
  it("waits a second first, then 1.5 times longer each poll, up to the cap", async () => {
    demo.org.settings.bulkJobProcessingMs = 60_000;
    const job = await createQueryJob(sf, "SELECT Id FROM Account WHERE Name = 'nobody'");
    expect(job).toMatchObject({ operation: "query", object: "Account", state: "UploadComplete" });
    const waits: number[] = [];
    const done = await waitForJob(sf, job.id, { sleep: clockSleep(waits) });
    expect(done).toMatchObject({ id: job.id, state: "JobComplete", numberRecordsProcessed: 0 });
    expect(waits.slice(0, 7)).toEqual([1000, 1500, 2250, 3375, 5063, 7595, 10_000]);
    expect(waits.slice(6).every((w) => w === 10_000)).toBe(true);
    // 60 s of processing in 10 polls, where a poll a second would have made 60.
    expect(waits.length).toBe(10);
  });

  it("resumes at a locator, and reads the last page's locator as null", async () => {
    const job = await createQueryJob(sf, "SELECT Id FROM Account");
    await waitForJob(sf, job.id, { sleep: clockSleep() });
    const [first] = await take(resultPages(sf, job.id, { maxRecords: 20_000 }), 1);
    expect(first.locator).not.toBeNull();
    const rest = await all(resultPages(sf, job.id, { maxRecords: 20_000, locator: first.locator }));
    const total = await restCount("SELECT COUNT() FROM Account");
    expect(rest.map((p) => [p.numberOfRecords, p.locator])).toEqual([[total - 20_000, null]]);
    expect(new Set([...first.records, ...rest[0].records].map((r) => r.Id)).size).toBe(total);
    expect(await all(resultPages(sf, job.id, { locator: "null" }))).toEqual([]);
  });

  it("fetches a page again when its body breaks off, and refuses a page that miscounts", async () => {
    const job = await createQueryJob(sf, "SELECT Id, Name FROM Account");
    await waitForJob(sf, job.id, { sleep: clockSleep() });
    let broken = 0;
    const flaky = tampered((res) => {
      if (broken++ > 0) return res;
      return { ...res, body: cutShort(res.body, 5_000) };
    });
    let pages: BulkResultPage[] = [];
    const used = await counting(async () => {
      pages = await all(resultPages(flaky, job.id, { maxRecords: 10_000, gzip: false }));
    });
    const total = await restCount("SELECT COUNT() FROM Account");
    expect(pages.map((p) => p.records.length)).toEqual([10_000, 10_000, total - 20_000]);
    expect(used.results).toBe(4);

    const miscounted = tampered((res) => ({ ...res, headers: { ...res.headers, "sforce-numberofrecords": "9999" } }));
    expect(await rejection(all(resultPages(miscounted, job.id, { maxRecords: 10_000 })))).toBeInstanceOf(
      BulkResultError,
    );
    const garbled = tampered((res) => {
      res.body.destroy();
      return { ...res, headers: {}, body: Readable.from([Buffer.from('"Id"\n"a"x\n')]) };
    });
    expect(await rejection(all(resultPages(garbled, job.id)))).toBeInstanceOf(CsvFormatError);
  });
});

describe("csv records", () => {
  const rows = [
    '\uFEFF"Id","Name","Note","Empty","Plain"',
    '"1","Comma, inside","say ""hi""\nnext line","",bare',
    '"2","Zoë 日本 🎉","CRLF\r\ninside",,"x"',
    '"3","","""","",',
  ];
  const text = `${rows.join("\n")}\n`;
  const expected: CsvRecord[] = [
    { Id: "1", Name: "Comma, inside", Note: 'say "hi"\nnext line', Empty: null, Plain: "bare" },
    { Id: "2", Name: "Zoë 日本 🎉", Note: "CRLF\r\ninside", Empty: null, Plain: "x" },
    { Id: "3", Name: null, Note: '"', Empty: null, Plain: null },
  ];

  function chunks(buffer: Buffer, size: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size));
    return out;
  }

  it("parses the same whatever the chunking, down to one byte at a time", async () => {
    const bytes = Buffer.from(text, "utf8");
    for (const size of [1, 2, 3, 5, 7, 64, bytes.length]) {
      expect(await readCsvRecords(Readable.from(chunks(bytes, size))), `chunks of ${size}`).toEqual(expected);
    }
    expect(await readCsvRecords(Readable.from(chunks(Buffer.from(`${rows.join("\r\n")}\r\n`), 1)))).toEqual(expected);
    // Strings work too, and a last row without a line break is read.
    expect(await readCsvRecords([text.slice(0, -1)])).toEqual(expected);
  });

  it("yields records as their rows complete, holding only the current row", async () => {
    const pulled: number[] = [];
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled.push(i);
        yield Buffer.from(i === 0 ? '"Id","N"\n' : `"${i}","row ${i}"\n`);
      }
    }
    let n = 0;
    for await (const record of csvRecords(source())) {
      n++;
      // Each record arrives before the source has been read much further.
      expect(pulled.length).toBeLessThanOrEqual(Number(record.Id) + 1);
    }
    expect(n).toBe(999);
  });

  it("reads a header alone as no records, and skips blank lines", async () => {
    expect(await readCsvRecords(['"Id","Name"\n'])).toEqual([]);
    expect(await readCsvRecords([""])).toEqual([]);
    expect(await readCsvRecords(['"Id"\n\n"a"\r\n\r\n"b"\n'])).toEqual([{ Id: "a" }, { Id: "b" }]);
  });

  it("keeps a column named __proto__ an ordinary key", async () => {
    const [record] = await readCsvRecords(['"__proto__","x"\n"p","1"\n']);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(["__proto__", "x"]);
  });

  it("refuses text that is not CSV as Bulk writes it, naming the row", async () => {
    const bad: Array<[string | Buffer, RegExp]> = [
      ['"Id"\n"open', /ends inside a quoted value \(CSV row 2\)/],
      ['"Id","Name"\n"1"\n', /1 values where the header has 2 columns \(CSV row 2\)/],
      ['"Id"\n"a"b\n', /"b" after a closing quote/],
      ['"Id"\nab"c\n', /a quote inside an unquoted value/],
      ['"Id"\n"a"\rb', /carriage return outside quotes/],
      ['"Id","Id"\n', /names a column twice/],
      [Buffer.from([0x22, 0x49, 0x22, 0x0a, 0xff, 0x0a]), /not valid UTF-8/],
      [Buffer.from([0x22, 0x49, 0x22, 0x0a, 0xc3]), /ends inside a UTF-8 character/],
    ];
    for (const [input, message] of bad) {
      const error = await rejection(readCsvRecords([input]));
      expect(error, String(input)).toBeInstanceOf(CsvFormatError);
      expect((error as Error).message).toMatch(message);
    }
    const parser = new CsvRecordParser();
    parser.push('"A"\n"1"\n');
    expect(parser.columns).toEqual(["A"]);
    expect(parser.end()).toEqual([]);
  });
});

async function take<T>(source: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) {
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}

/** The test client with its streamed answers changed on the way. */
function tampered(change: (res: StreamedResponse) => StreamedResponse): BulkClient {
  const request = (async (req: Parameters<SalesforceClient["request"]>[0]) => {
    const res = await sf.request(req as never);
    return req.stream ? change(res as StreamedResponse) : res;
  }) as SalesforceClient["request"];
  return { dataPath: sf.dataPath, request };
}

/** The first `bytes` of a body, then a connection reset. */
function cutShort(body: Readable, bytes: number): Readable {
  async function* broken() {
    let sent = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const part = chunk.subarray(0, Math.max(0, bytes - sent));
      sent += part.length;
      if (part.length > 0) yield part;
      if (sent >= bytes) {
        body.destroy();
        throw Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
      }
    }
  }
  return Readable.from(broken());
}
