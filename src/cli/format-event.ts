import pc from "picocolors";
import type { ConnectionOutcome } from "../record/connection-record";
import type { MockServerEvent } from "../record/events";
import type { Verdict, VerdictKind } from "../record/verdict";
import { describeTlsFailure } from "../tls/tls-failure";

/** picocolors or a `createColors` of it (a test turns colour on or off). */
type Colors = Omit<typeof pc, "createColors">;

/**
 * Characters a terminal acts on instead of showing: C0 controls (newline and tab included), DEL,
 * C1 controls, the Unicode line and paragraph separators and the bidirectional overrides and
 * isolates (which reorder what is shown around them).
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every control character written as an escape (`\n`, `\x1b`, `\u202e`), so a string
 * that came from a client or a file can neither start a line of its own nor send a terminal an
 * escape sequence (a new window title, a cleared screen) when printed. Backslashes are left as
 * they are: without a control character, a backslash cannot do either.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (ch) => {
    const named = NAMED_ESCAPES[ch];
    if (named) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** A value from the event, made safe to print: {@link escapeControlCharacters} of its text. */
const safe = (value: string | number | null | undefined): string => escapeControlCharacters(String(value));

function describeOutcome(outcome: ConnectionOutcome, c: Colors): string {
  switch (outcome.kind) {
    case "authenticated":
      return c.green(`authenticated session ended (${safe(outcome.ended ?? "open")})`);
    case "refused":
      return c.yellow(
        `login refused: ERR ${safe(outcome.code)} (${safe(outcome.sqlState)}) ${safe(outcome.message)}`,
      );
    case "tls-failed":
      return c.red(`TLS failed: ${safe(describeTlsFailure(outcome.failure))}`);
    case "client-went-away":
      return c.yellow(
        `client ${outcome.how === "reset" ? "reset" : "closed"} the connection during ${safe(outcome.phase)}`,
      );
    case "protocol-error":
      return c.red(`protocol error during ${safe(outcome.phase)}: ${safe(outcome.message)}`);
    case "timeout":
      return c.red(`connect timeout during ${safe(outcome.phase)}`);
    case "server-stopped":
      return c.dim(`server stopped during ${safe(outcome.phase)}`);
    case "server-error":
      return c.red(`server failed during ${safe(outcome.phase)}: ${safe(outcome.message)}`);
    case "relayed":
      return c.dim(
        `relayed inside TLS to the end (${outcome.ended === "client-closed" ? "client closed" : outcome.ended === "server-closed" ? "server closed" : safe(outcome.message ?? "error")})`,
      );
    case "upstream-failed":
      return c.red(`real server unreachable: ${safe(outcome.message)}`);
    case "fault":
      return c.magenta(
        `the server broke the connection on purpose: ${safe(outcome.action)} ${safe(outcome.point)}`,
      );
    case "pending":
      return "pending";
    default: {
      // An outcome added after this function: its kind, rather than nothing.
      const { kind, message } = outcome as { kind: string; message?: string };
      return `${safe(kind)}${message !== undefined ? `: ${safe(message)}` : ""}`;
    }
  }
}

/** Red where the client gave something away, green where it protected itself. */
const VERDICT_TONE: Record<VerdictKind, "red" | "green" | "yellow"> = {
  "local-infile-sent": "red",
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
  const tone = c[VERDICT_TONE[verdict.kind]] ?? c.yellow;
  return `${c.bold(tone(safe(verdict.kind)))} ${tone(`[${safe(verdict.severity)}]`)} ${safe(verdict.summary)}`;
}

/**
 * One readable line for an event, or null for events that only the JSON log carries (packets,
 * unless asked for). Colour comes from picocolors, which turns itself off when not on a terminal.
 * Every string from the event is printed through {@link escapeControlCharacters}: user names,
 * database names, queries, SNI, certificate subjects and error messages are the client's words.
 */
export function formatEvent(
  event: MockServerEvent,
  options: { packets?: boolean; colors?: Colors } = {},
): string | null {
  const c = options.colors ?? pc;
  const prefix = `${c.dim(safe(event.time.slice(11, 23)))} ${c.cyan(`#${safe(event.connectionId)}`)}`;
  const line = (text: string) => `${prefix} ${text}`;
  switch (event.type) {
    case "connection-opened":
      return line(`connection from ${safe(event.client.address)}:${safe(event.client.port)}`);
    case "greeting-sent":
      return line(
        `greeting ${safe(event.serverVersion)}, ${event.tlsOffered ? "TLS offered" : c.yellow("TLS not offered")}`,
      );
    case "ssl-request":
      return line(c.green("SSLRequest: client asks for TLS"));
    case "tls-negotiated":
      return line(
        c.green(`TLS ${safe(event.tls.version)} ${safe(event.tls.cipher)}`) +
          ` sni=${safe(event.tls.sni ?? "none")}` +
          (event.tls.clientCertificate ? ` client-cert=${safe(event.tls.clientCertificate.subject)}` : ""),
      );
    case "tls-failed":
      return line(
        c.red(`TLS handshake failed: ${safe(describeTlsFailure(event.tls.failure))}`) +
          c.dim(` ${safe(event.tls.failure.message)}`),
      );
    case "handshake-response":
      return line(
        `login user=${safe(event.user)} db=${safe(event.database ?? "-")} plugin=${safe(event.authPlugin ?? "-")} ` +
          (event.encrypted ? c.green("over TLS") : c.yellow("in plaintext")) +
          (event.credentialsInPlaintext ? c.red(" — credentials crossed without TLS") : ""),
      );
    case "auth-switch":
      return line(`auth switch to ${safe(event.plugin)}`);
    case "authenticated":
      return line(c.green(`authenticated as ${safe(event.user)}`));
    case "access-denied":
      return line(c.yellow(`access denied: ${safe(event.message)}`));
    case "command":
      return line(event.query !== undefined ? `query: ${safe(event.query)}` : safe(event.command));
    case "protocol-error":
      return line(c.red(`protocol error in ${safe(event.phase)}: ${safe(event.message)}`));
    case "fault":
      return line(c.magenta(`fault: ${safe(event.action)} ${safe(event.point)}`));
    case "packet":
      if (!options.packets) return null;
      return line(
        c.dim(
          `${event.packet.direction === "client" ? "→" : "←"} ${safe(event.packet.type)} seq=${safe(event.packet.sequenceId)} ` +
            `len=${safe(event.packet.length)}${event.packet.encrypted ? " (TLS)" : ""}`,
        ),
      );
    case "local-infile-request":
      return line(c.magenta(`LOAD DATA LOCAL request: ${safe(event.path)}`));
    case "local-infile": {
      const file = event.localInfile;
      return line(
        file.sent
          ? c.red(`local file sent: ${safe(file.bytes)} bytes, sha256 ${safe(file.sha256)}`) +
              (file.complete ? "" : " (cut short)")
          : c.green(`local file not sent (${safe(file.refused)})`),
      );
    }
    case "connection-closed":
      return line(`closed: ${describeOutcome(event.outcome, c)} — ${describeVerdict(event.verdict, c)}`);
    default:
      return null;
  }
}
