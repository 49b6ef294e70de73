import { createServer } from "node:http";
import { Pool } from "undici";

/**
 * The proxy's floor, for bench/proxy.bench.ts: node:http in, one undici keep-alive pool out (the settings Forcelink's
 * instance pools use: 64 connections, 30 s keep-alive, no pipelining), a fixed token, no authentication, no database.
 * `node bench/bare-forwarder.ts <instance origin> <access token>`; prints the URL it listens on.
 */
const [origin, token] = process.argv.slice(2);
const pool = new Pool(origin, { connections: 64, keepAliveTimeout: 30_000, pipelining: 1 });
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "authorization"]);

const server = createServer(async (req, res) => {
  const headers: Record<string, string | string[] | undefined> = { authorization: `Bearer ${token}` };
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
  try {
    const answer = await pool.request({
      path: req.url ?? "/",
      method: req.method as "GET",
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? null : req,
    });
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
    res.writeHead(answer.statusCode, out);
    answer.body.pipe(res);
  } catch {
    res.writeHead(502).end();
  }
});
server.keepAliveTimeout = 72_000; // Fastify's default, as Forcelink's server
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${address.port}`);
});
process.once("SIGTERM", () => {
  server.close();
  void pool.close();
  server.closeAllConnections();
});
