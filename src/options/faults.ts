import { z } from "zod";
import { describeValue } from "./describe-value";
import { delayMs, integerIn, oneOf, optionObject, text } from "./option-types";

/**
 * The vocabulary of deliberate misbehaviour: where a server may break the protocol and how. Below
 * the server, the scenarios and the records, which all speak it.
 */

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

/** The ERR packet's error code is two bytes. */
const MAX_ERROR_CODE = 0xffff;
/** What encodeErr accepts as a SQLSTATE: five printable ASCII characters. */
const SQL_STATE = /^[\x20-\x7e]{5}$/;

const sqlStateProblem = (issue: { input?: unknown }) =>
  `expected five printable ASCII characters (e.g. "28000"), got ${describeValue(issue.input)}`;

/** The `faults` option (and a scenario's `server.faults`): deliberate misbehaviour, for testing how clients cope. */
export const faultsSchema = optionObject({
  /** Milliseconds to wait before each server packet. */
  delayMs: delayMs().optional(),
  /** Send the greeting in this many writes (1 to 64), a few milliseconds apart, instead of one. */
  greetingWrites: integerIn(1, 64).optional(),
  /** Break the connection at a protocol point. */
  breakAt: optionObject({ point: oneOf(FAULT_POINTS), action: oneOf(FAULT_ACTIONS) }).optional(),
  /**
   * Answer every handshake response with this ERR, whatever the credentials — the Riddle attacker's
   * move (CVE-2017-3305): the client shows the attacker's text instead of a TLS error.
   */
  refuseLoginWith: optionObject({
    /** The error code, 1 to 65535. */
    code: integerIn(1, MAX_ERROR_CODE),
    /** Five printable ASCII characters, e.g. `28000`. */
    sqlState: z.string({ error: sqlStateProblem }).regex(SQL_STATE, { error: sqlStateProblem }),
    message: text(),
  }).optional(),
});

/** Deliberate misbehaviour, for testing how clients cope. */
export type Faults = z.input<typeof faultsSchema>;
