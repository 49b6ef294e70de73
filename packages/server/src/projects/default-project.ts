import type { Db } from "../store/database.ts";
import { projects } from "../store/schema.ts";
import { type CreatedKey, createApiKey, createProject } from "./api-keys.ts";

/** On the first start, a project and a key to use it, so a newcomer can call the API at once. */
export async function ensureDefaultProject(db: Db): Promise<CreatedKey | null> {
  const existing = await db.select({ id: projects.id }).from(projects).limit(1);
  if (existing.length > 0) return null;
  const project = await createProject(db, "Default");
  return createApiKey(db, project.id, "first key");
}
