import { ServerConfigurationError } from "./errors";

/** Protocol points where the server can misbehave on purpose. */
export const FAULT_POINTS = [
  "before-greeting",
  "after-greeting",
  "after-ssl-request",
  "mid-tls-handshake",
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/**
 * What the server does there:
 * - `close`: a clean close (FIN);
 * - `reset`: a TCP reset (RST);
 * - `stall`: nothing ever again (the client's timeout, or the server's connect timeout, ends it);
 * - `bad-handshake-error`: a plaintext `ERR 1043 #08S01 Bad handshake`, as yaSSL servers answer some
 *   ClientHellos where a ServerHello belongs (facts sheet §1.4, §3.2).
 */
export const FAULT_ACTIONS = ["close", "reset", "stall", "bad-handshake-error"] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

/** Deliberate misbehaviour, for testing how clients cope. */
export interface Faults {
  /** Milliseconds to wait before each server packet. */
  delayMs?: number;
  /** Send the greeting in this many writes, a few milliseconds apart, instead of one. */
  greetingWrites?: number;
  /** Break the connection at a protocol point. */
  breakAt?: { point: FaultPoint; action: FaultAction };
  /**
   * Answer every handshake response with this ERR, whatever the credentials — the Riddle attacker's
   * move (CVE-2017-3305): the client shows the attacker's text instead of a TLS error.
   */
  refuseLoginWith?: { code: number; sqlState: string; message: string };
}

/** The faults in force for a server, read by the session at each protocol point. */
export class FaultPlan {
  static readonly NONE = new FaultPlan({});

  constructor(readonly faults: Faults) {}

  /** The action to take at `point`, or null to carry on normally. */
  at(point: FaultPoint): FaultAction | null {
    return this.faults.breakAt?.point === point ? this.faults.breakAt.action : null;
  }

  get delayMs(): number {
    return this.faults.delayMs ?? 0;
  }

  get greetingWrites(): number {
    return this.faults.greetingWrites ?? 1;
  }

  get refuseLoginWith(): Faults["refuseLoginWith"] {
    return this.faults.refuseLoginWith;
  }
}

/** Checks fault options; misconfiguration fails before the server listens. */
export function resolveFaults(faults: Faults | undefined): FaultPlan {
  if (!faults) return FaultPlan.NONE;
  const { delayMs, greetingWrites, breakAt } = faults;
  if (delayMs !== undefined && (!Number.isFinite(delayMs) || delayMs < 0)) {
    throw new ServerConfigurationError(
      "faults.delayMs",
      `expected a non-negative number of milliseconds, got ${delayMs}`,
    );
  }
  if (
    greetingWrites !== undefined &&
    (!Number.isInteger(greetingWrites) || greetingWrites < 1 || greetingWrites > 64)
  ) {
    throw new ServerConfigurationError(
      "faults.greetingWrites",
      `expected an integer from 1 to 64, got ${greetingWrites}`,
    );
  }
  if (breakAt) {
    if (!FAULT_POINTS.includes(breakAt.point)) {
      throw new ServerConfigurationError(
        "faults.breakAt.point",
        `expected one of ${FAULT_POINTS.join(", ")}, got ${breakAt.point}`,
      );
    }
    if (!FAULT_ACTIONS.includes(breakAt.action)) {
      throw new ServerConfigurationError(
        "faults.breakAt.action",
        `expected one of ${FAULT_ACTIONS.join(", ")}, got ${breakAt.action}`,
      );
    }
  }
  return new FaultPlan(faults);
}
