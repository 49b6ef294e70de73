import { Pool } from "undici";

export interface PoolOptions {
  /** Sockets per instance; Salesforce counts long-running requests per org, not connections. */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

/**
 * One keep-alive pool per instance origin. Share one set between clients of many connections:
 * orgs on the same instance host reuse sockets, and closing the set closes them all.
 */
export class InstancePools {
  private readonly pools = new Map<string, Pool>();
  private readonly options: Required<PoolOptions>;
  private closed = false;

  constructor(options: PoolOptions = {}) {
    this.options = { connections: options.connections ?? 16, keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 30_000 };
  }

  get(origin: string): Pool {
    if (this.closed) throw new Error("the connection pools are closed");
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        pipelining: 1,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}
