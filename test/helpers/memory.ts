import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | null = null;

/**
 * The garbage collector, also where jest 29 runs a test file without `--expose-gc`: setting the
 * flag at run time defines `gc` in every context created afterwards, so a fresh vm context has it.
 */
function collector(): () => void {
  if (gc) return gc;
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === "function") {
    gc = own;
  } else {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  return gc;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Memory after full garbage collections, with event-loop turns in between so closed handles and
 * weak callbacks let go of what they held.
 */
export async function memoryAfterGc(): Promise<{ heapUsed: number; arrayBuffers: number }> {
  const collect = collector();
  for (let i = 0; i < 2; i++) {
    await turn();
    collect();
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapUsed, arrayBuffers };
}

/** TCP sockets (not listeners) open in this process and keeping it alive: client and server ends alike. */
export function openTcpSockets(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "TCPSocketWrap").length;
}

export const MiB = 1024 * 1024;
