import { checkObject, describeValue, integerIn, oneOf, stringOption } from "./check-options";
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
 *   ClientHellos where a ServerHello belongs (MySQL bugs #83347 and #88643, yaSSL builds).
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

/** setTimeout's ceiling: a longer delay would fire at once. */
const MAX_DELAY_MS = 2_147_483_647;
/** The ERR packet's error code is two bytes. */
const MAX_ERROR_CODE = 0xffff;
/** What encodeErr accepts as a SQLSTATE: five printable ASCII characters. */
const SQL_STATE = /^[\x20-\x7e]{5}$/;

/** Checks fault options, unknown keys included; misconfiguration fails before the server listens. */
export function resolveFaults(faults: unknown): FaultPlan {
  if (faults === undefined) return FaultPlan.NONE;
  const { delayMs, greetingWrites, breakAt, refuseLoginWith } = checkObject(faults, "faults", [
    "delayMs",
    "greetingWrites",
    "breakAt",
    "refuseLoginWith",
  ]);
  if (
    delayMs !== undefined &&
    (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS)
  ) {
    throw new ServerConfigurationError(
      "faults.delayMs",
      `expected milliseconds from 0 to ${MAX_DELAY_MS}, got ${describeValue(delayMs)}`,
    );
  }
  if (greetingWrites !== undefined) integerIn(1, 64)(greetingWrites, "faults.greetingWrites");
  if (breakAt !== undefined) {
    const { point, action } = checkObject(breakAt, "faults.breakAt", ["point", "action"]);
    oneOf(FAULT_POINTS)(point, "faults.breakAt.point");
    oneOf(FAULT_ACTIONS)(action, "faults.breakAt.action");
  }
  if (refuseLoginWith !== undefined) {
    const { code, sqlState, message } = checkObject(refuseLoginWith, "faults.refuseLoginWith", [
      "code",
      "sqlState",
      "message",
    ]);
    integerIn(1, MAX_ERROR_CODE)(code, "faults.refuseLoginWith.code");
    if (typeof sqlState !== "string" || !SQL_STATE.test(sqlState)) {
      throw new ServerConfigurationError(
        "faults.refuseLoginWith.sqlState",
        `expected five printable ASCII characters (e.g. "28000"), got ${describeValue(sqlState)}`,
      );
    }
    stringOption()(message, "faults.refuseLoginWith.message");
  }
  return new FaultPlan(faults as Faults);
}
