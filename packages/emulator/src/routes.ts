import { Router } from "./http/router.ts";

/** Every route the emulator serves, from each API module. */
export function buildRouter(): Router {
  const router = new Router();
  return router;
}
