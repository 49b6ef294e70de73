import type { Requirements } from "../../provider-apps/requirements.ts";
import type { Manifest } from "./manifest-schema.ts";

/** What the pre-install checklist must verify for a manifest: read access to each object and its listed fields. */
export function manifestRequirements(manifest: Manifest): Requirements {
  return {
    objects: manifest.objects.map((object) =>
      object.fields === "all"
        ? { name: object.name, access: ["read"] }
        : { name: object.name, access: ["read"], fields: [...object.fields] },
    ),
  };
}
