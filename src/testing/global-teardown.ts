import { rm } from "node:fs/promises";
import { type SetupGlobals, STATE } from "./global-setup";

/**
 * Jest globalTeardown: stops the server `mysql-tls-mock/jest-global-setup` started (closing any
 * connection still open) and removes its temporary CA and records files. Does nothing when the
 * setup did not run.
 */
export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as SetupGlobals;
  const state = globals[STATE];
  if (!state) return;
  delete globals[STATE];
  try {
    await state.server.stop();
  } finally {
    await rm(state.dir, { recursive: true, force: true });
  }
}
