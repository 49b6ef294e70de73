import { parseConfig } from "../config/config.ts";
import { createLogger } from "../log/logger.ts";
import { openPlatform } from "../platform/open-platform.ts";
import { createApiKey, createProject } from "../projects/api-keys.ts";
import { projects } from "../store/schema.ts";
import type { CommandInput } from "./command-line.ts";

/** `forcelink keys create`: a new API key, printed once. Embedded storage: run it while the server is stopped. */
export async function keysCreateCommand(input: CommandInput): Promise<number> {
  const values = {
    name: input.string("name"),
    project: input.string("project"),
    "new-project": input.string("new-project"),
  };
  if (values.project && values["new-project"]) {
    process.stderr.write(
      "forcelink keys create: Give --project or --new-project, not both. See 'forcelink keys create --help'.\n",
    );
    return 2;
  }
  const config = parseConfig();
  const platform = await openPlatform(config, createLogger("silent"), { jobs: false });
  try {
    let projectId = values.project;
    if (values["new-project"]) projectId = (await createProject(platform.db, values["new-project"])).id;
    if (!projectId) {
      const all = await platform.db.select().from(projects).orderBy(projects.createdAt);
      if (all.length === 0) projectId = (await createProject(platform.db, "Default")).id;
      else if (all.length === 1) projectId = all[0].id;
      else {
        process.stderr.write(
          `There are ${all.length} projects; say which with --project:\n${all.map((p) => `  ${p.id}  ${p.name}`).join("\n")}\n`,
        );
        return 2;
      }
    } else if ((await platform.db.select().from(projects)).every((p) => p.id !== projectId)) {
      process.stderr.write(`No project '${projectId}'.\n`);
      return 2;
    }
    const key = await createApiKey(platform.db, projectId, values.name ?? "cli key");
    console.log(`API key for project ${projectId} (shown once, keep it):`);
    console.log(key.key);
    return 0;
  } finally {
    await platform.close();
  }
}
