import type { RequestContext } from "../http/context.ts";
import { normalizeId } from "../ids.ts";
import type { Org } from "../org/org.ts";
import { jobNotFound } from "./bulk-errors.ts";
import { type BulkJob, type IngestJob, type QueryJob, TERMINAL_STATES } from "./job-types.ts";

/** Salesforce deletes Bulk 2.0 jobs seven days after they reach a terminal state. */
export const JOB_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** The org's Bulk 2.0 jobs, by 18-character id. */
export class BulkJobRegistry {
  private readonly jobs = new Map<string, BulkJob>();

  add(job: BulkJob): void {
    this.jobs.set(job.id, job);
  }

  get(id: string): BulkJob | undefined {
    return this.jobs.get(id);
  }

  remove(id: string): void {
    this.jobs.delete(id);
  }

  list(kind: BulkJob["kind"]): BulkJob[] {
    return [...this.jobs.values()].filter((j) => j.kind === kind);
  }

  purgeExpired(now: number): void {
    for (const [id, job] of this.jobs) {
      if (TERMINAL_STATES.includes(job.state) && now - job.systemModstamp > JOB_RETENTION_MS) this.jobs.delete(id);
    }
  }
}

export function jobRegistry(org: Org): BulkJobRegistry {
  const registry = org.extension("bulk.jobs", () => new BulkJobRegistry());
  registry.purgeExpired(org.clock.now());
  return registry;
}

/** Whether a user may see and act on a job: its creator, or an admin with Modify All Data. */
export function mayAccess(org: Org, userId: string, job: BulkJob): boolean {
  return job.createdById === userId || org.userAccess(userId).system.has("ModifyAllData");
}

export function visibleJobs(ctx: RequestContext, kind: BulkJob["kind"]): BulkJob[] {
  return jobRegistry(ctx.org)
    .list(kind)
    .filter((j) => mayAccess(ctx.org, ctx.userId, j));
}

function findJob(ctx: RequestContext, kind: BulkJob["kind"]): BulkJob {
  const id = normalizeId(ctx.params.id);
  const job = id ? jobRegistry(ctx.org).get(id) : undefined;
  if (!job || job.kind !== kind || !mayAccess(ctx.org, ctx.userId, job)) throw jobNotFound();
  return job;
}

export function ingestJobFor(ctx: RequestContext): IngestJob {
  return findJob(ctx, "ingest") as IngestJob;
}

export function queryJobFor(ctx: RequestContext): QueryJob {
  return findJob(ctx, "query") as QueryJob;
}
