/**
 * Process resources a test may count. Memory is not among them: what the server holds is measured
 * by the benchmark (bench/), where a number is a result, not a pass/fail threshold.
 */

/** TCP sockets (not listeners) open in this process and keeping it alive: client and server ends alike. */
export function openTcpSockets(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "TCPSocketWrap").length;
}

export const MiB = 1024 * 1024;
