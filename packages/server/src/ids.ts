import { randomBytes } from "node:crypto";

/** Ids that say what they name and sort by creation: `conn_01jg…`. */
export function newId(
  prefix:
    | "proj"
    | "key"
    | "app"
    | "conn"
    | "cs"
    | "wh"
    | "whd"
    | "evt"
    | "chk"
    | "int"
    | "inst"
    | "sync"
    | "run"
    | "wr"
    | "act"
    | "sub"
    | "scm",
): string {
  // The wall clock, not the platform's: ids sort by when they were really made, whatever a test does to time.
  const time = Date.now().toString(36).padStart(9, "0");
  return `${prefix}_${time}${randomBytes(10).toString("base64url").replace(/[-_]/g, "x")}`;
}
