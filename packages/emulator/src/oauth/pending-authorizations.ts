import { randomBytes } from "node:crypto";
import type { HostRole } from "../http/context.ts";
import type { Org } from "../org/org.ts";
import type { PkceMethod } from "./pkce.ts";

/** A validated authorize request waiting for the user to log in and approve. */
export interface PendingAuthorization {
  id: string;
  role: HostRole;
  appId: string;
  responseType: "code" | "token";
  redirectUri: string;
  scopes: string[];
  state: string | null;
  nonce: string | null;
  loginHint: string | null;
  prompts: Set<string>;
  challenge: { value: string; method: PkceMethod } | null;
  /** Set once the user has logged in for this request. */
  userId: string | null;
  createdAt: number;
}

/** How long a login page stays submittable. */
const PENDING_TTL_MS = 30 * 60 * 1000;

/** Requests are kept server-side; the pages carry only their random id in a hidden field. */
export class PendingAuthorizations {
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly now: () => number;
  constructor(now: () => number) {
    this.now = now;
  }

  add(fields: Omit<PendingAuthorization, "id" | "createdAt" | "userId">): PendingAuthorization {
    const now = this.now();
    for (const [id, p] of this.pending) if (now - p.createdAt >= PENDING_TTL_MS) this.pending.delete(id);
    const request: PendingAuthorization = {
      ...fields,
      id: randomBytes(18).toString("base64url"),
      userId: null,
      createdAt: now,
    };
    this.pending.set(request.id, request);
    return request;
  }

  get(id: string | null | undefined, role: HostRole): PendingAuthorization | undefined {
    if (!id) return undefined;
    const request = this.pending.get(id);
    if (!request || request.role !== role) return undefined;
    if (this.now() - request.createdAt >= PENDING_TTL_MS) {
      this.pending.delete(id);
      return undefined;
    }
    return request;
  }

  finish(id: string): void {
    this.pending.delete(id);
  }
}

export function pendingAuthorizationsOf(org: Org): PendingAuthorizations {
  return org.extension("oauth.pendingAuthorizations", () => new PendingAuthorizations(() => org.clock.now()));
}
