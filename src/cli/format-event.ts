import pc from "picocolors";
import type { ConnectionOutcome } from "../record/connection-record";
import type { MockServerEvent } from "../record/events";
import type { Verdict, VerdictKind } from "../record/verdict";

type Colors = typeof pc;

function describeOutcome(outcome: ConnectionOutcome, c: Colors): string {
  switch (outcome.kind) {
    case "authenticated":
      return c.green(`authenticated session ended (${outcome.ended ?? "open"})`);
    case "refused":
      return c.yellow(`login refused: ERR ${outcome.code} (${outcome.sqlState}) ${outcome.message}`);
    case "tls-failed":
      return c.red(
        `TLS failed: ${outcome.failure.cause}${outcome.failure.alert ? ` (${outcome.failure.alert})` : ""}`,
      );
    case "client-went-away":
      return c.yellow(
        `client ${outcome.how === "reset" ? "reset" : "closed"} the connection during ${outcome.phase}`,
      );
    case "protocol-error":
      return c.red(`protocol error during ${outcome.phase}: ${outcome.message}`);
    case "timeout":
      return c.red(`connect timeout during ${outcome.phase}`);
    case "server-stopped":
      return c.dim(`server stopped during ${outcome.phase}`);
    case "fault":
      return c.magenta(`the server broke the connection on purpose: ${outcome.action} ${outcome.point}`);
    default:
      return "pending";
  }
}

/** Red where the client gave something away, green where it protected itself. */
const VERDICT_TONE: Record<VerdictKind, "red" | "green" | "yellow"> = {
  "plaintext-fallback": "red",
  "accepted-bad-certificate": "red",
  "credentials-exposed": "red",
  plaintext: "yellow",
  "accepted-weak-tls": "yellow",
  "tls-verified-refused": "green",
  "refused-plaintext": "green",
  "tls-abandoned": "yellow",
  "tls-failed": "yellow",
  tls: "green",
  incomplete: "yellow",
};

function describeVerdict(verdict: Verdict, c: Colors): string {
  const tone = c[VERDICT_TONE[verdict.kind]];
  return `${c.bold(tone(verdict.kind))} ${tone(`[${verdict.severity}]`)} ${verdict.summary}`;
}

/**
 * One readable line for an event, or null for events that only the JSON log carries (packets,
 * unless asked for). Colour comes from picocolors, which turns itself off when not on a terminal.
 */
export function formatEvent(
  event: MockServerEvent,
  options: { packets?: boolean; colors?: Colors } = {},
): string | null {
  const c = options.colors ?? pc;
  const prefix = `${c.dim(event.time.slice(11, 23))} ${c.cyan(`#${event.connectionId}`)}`;
  const line = (text: string) => `${prefix} ${text}`;
  switch (event.type) {
    case "connection-opened":
      return line(`connection from ${event.client.address}:${event.client.port}`);
    case "greeting-sent":
      return line(
        `greeting ${event.serverVersion}, ${event.tlsOffered ? "TLS offered" : c.yellow("TLS not offered")}`,
      );
    case "ssl-request":
      return line(c.green("SSLRequest: client asks for TLS"));
    case "tls-negotiated":
      return line(
        c.green(`TLS ${event.tls.version} ${event.tls.cipher}`) +
          ` sni=${event.tls.sni ?? "none"}` +
          (event.tls.clientCertificate ? ` client-cert=${event.tls.clientCertificate.subject}` : ""),
      );
    case "tls-failed":
      return line(
        c.red(`TLS handshake failed: ${event.tls.failure.cause}`) +
          (event.tls.failure.alert ? ` alert=${event.tls.failure.alert}` : "") +
          c.dim(` ${event.tls.failure.message}`),
      );
    case "handshake-response":
      return line(
        `login user=${event.user} db=${event.database ?? "-"} plugin=${event.authPlugin ?? "-"} ` +
          (event.encrypted ? c.green("over TLS") : c.yellow("in plaintext")) +
          (event.credentialsInPlaintext ? c.red(" — credentials crossed without TLS") : ""),
      );
    case "auth-switch":
      return line(`auth switch to ${event.plugin}`);
    case "authenticated":
      return line(c.green(`authenticated as ${event.user}`));
    case "access-denied":
      return line(c.yellow(`access denied: ${event.message}`));
    case "command":
      return line(event.query !== undefined ? `query: ${event.query}` : event.command);
    case "protocol-error":
      return line(c.red(`protocol error in ${event.phase}: ${event.message}`));
    case "fault":
      return line(c.magenta(`fault: ${event.action} ${event.point}`));
    case "packet":
      if (!options.packets) return null;
      return line(
        c.dim(
          `${event.packet.direction === "client" ? "→" : "←"} ${event.packet.type} seq=${event.packet.sequenceId} ` +
            `len=${event.packet.length}${event.packet.encrypted ? " (TLS)" : ""}`,
        ),
      );
    case "connection-closed":
      return line(`closed: ${describeOutcome(event.outcome, c)} — ${describeVerdict(event.verdict, c)}`);
    default:
      return null;
  }
}
