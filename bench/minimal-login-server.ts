/**
 * The floor for issue 16's server CPU per TLS login: the least a Node server can do to complete the
 * login bench/login-loop.go performs — greeting, SSLRequest, a TLSv1.2 handshake on the upgraded
 * socket, HandshakeResponse41, OK, `SELECT 1`, COM_QUIT — with none of the mock's recording,
 * events, scenarios or checks. Every reply is encoded once at start with the project's protocol
 * encoders (and the mock's own column description of `SELECT 1`); per connection the server only
 * looks at packet headers and command bytes, fills a nonce and writes precomputed buffers. No
 * password is checked: verification is work a real server adds.
 *
 * The upgrade is the STARTTLS shape every MySQL login has (MySQL manual, "Connection Phase"): the
 * TLS handshake starts on a TCP socket that has already carried plaintext packets, so it runs
 * through `new tls.TLSSocket(socket, { isServer: true })` over the net.Socket rather than through
 * a tls.Server's own accept path; all connections share one SecureContext.
 *
 * Run: `node minimal-login-server.js KEY.pem CERT.pem [CA.pem]` (built with tsc) or through tsx;
 * it listens on a free loopback port and prints the port on a line of its own, as the bench's
 * other server processes do. With CA.pem it also requests (never requires) a client certificate
 * from that CA, as the mock does by default — to price that request on its own.
 */
import { constants as cryptoConstants, randomFillSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";
import {
  CapabilityFlags,
  CharacterSet,
  Command,
  encodeErr,
  ErrorCode,
  encodeHandshakeV10,
  encodeOk,
  encodePacket,
  encodeTextResultset,
  PACKET_HEADER_LENGTH,
  PROTOCOL_VERSION,
  SCRAMBLE_LENGTH,
  SERVER_CAPABILITIES_TLS,
  ServerStatus,
} from "../src/protocol";
import { columnDefinition } from "../src/server/resultset-columns";

/** The server version the mock announces by default (a stock 5.7). */
const SERVER_VERSION = "5.7.41";
/** As a TLS-enabled 5.7 greeting, less compression, which this server does not speak. */
const CAPABILITIES = (SERVER_CAPABILITIES_TLS & ~CapabilityFlags.CLIENT_COMPRESS) >>> 0;
const STATUS = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
/** SSLRequest: a 4-byte header and the 32-byte start of a HandshakeResponse41. */
const SSL_REQUEST_LENGTH = PACKET_HEADER_LENGTH + 32;
/** Where the two parts of the nonce sit in the framed greeting (header, protocol byte, version NUL, thread id). */
const NONCE_PART1_AT = PACKET_HEADER_LENGTH + 1 + SERVER_VERSION.length + 1 + 4;
/** Part 1 (8 bytes), filler, caps low, charset, status, caps high, length byte, 10 reserved. */
const NONCE_PART2_AT = NONCE_PART1_AT + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;

const GREETING = encodePacket(
  encodeHandshakeV10({
    protocolVersion: PROTOCOL_VERSION,
    serverVersion: SERVER_VERSION,
    connectionId: 1,
    authPluginData: Buffer.alloc(SCRAMBLE_LENGTH, 0x41),
    capabilityFlags: CAPABILITIES,
    characterSet: CharacterSet.latin1_swedish_ci,
    statusFlags: STATUS,
    authPluginName: "mysql_native_password",
  }),
  0,
);
/** Every client command starts at sequence id 0, so each reply's sequence ids are fixed. */
function frame(payloads: Buffer[], firstSequenceId: number): Buffer {
  return Buffer.concat(payloads.map((payload, i) => encodePacket(payload, firstSequenceId + i)));
}
const OK_PAYLOAD = encodeOk(
  { affectedRows: 0, lastInsertId: 0, statusFlags: STATUS, warnings: 0 },
  CapabilityFlags.CLIENT_PROTOCOL_41,
);
/** After greeting (0), SSLRequest (1) and HandshakeResponse41 (2). */
const LOGIN_OK = frame([OK_PAYLOAD], 3);
const COMMAND_OK = frame([OK_PAYLOAD], 1);
const SELECT_1 = Buffer.from("SELECT 1");
/** `SELECT 1` described as the mock describes it, encoded once here. */
const SELECT_1_RESULT = {
  columns: [columnDefinition({ name: "1", type: "integer" }, [1])],
  rows: [["1"]],
};
/** Every client this serves speaks protocol 4.1; only CLIENT_DEPRECATE_EOF changes a reply here. */
const caps = CapabilityFlags.CLIENT_PROTOCOL_41;
/** `SELECT 1` with EOF packets (bench/login-loop.go), and with the closing OK of CLIENT_DEPRECATE_EOF clients. */
const SELECT_1_EOF = frame(encodeTextResultset(SELECT_1_RESULT, caps, STATUS), 1);
const SELECT_1_DEPRECATE_EOF = frame(
  encodeTextResultset(SELECT_1_RESULT, caps | CapabilityFlags.CLIENT_DEPRECATE_EOF, STATUS),
  1,
);
const NOT_SUPPORTED = frame(
  [
    encodeErr(
      { code: ErrorCode.ER_NOT_SUPPORTED_YET, sqlState: "42000", message: "not supported here" },
      caps,
    ),
  ],
  1,
);

function ignore(): void {}

/**
 * A nonce of printable bytes: clients that read part 2 as a NUL-terminated string (it is one on
 * the wire) would stop at a zero byte. Not checked by anyone here, but a server has to make one.
 */
function greeting(): Buffer {
  const out = Buffer.from(GREETING);
  randomFillSync(out, NONCE_PART1_AT, 8);
  randomFillSync(out, NONCE_PART2_AT, 12);
  for (let i = NONCE_PART1_AT; i < NONCE_PART1_AT + 8; i++) out[i] = 0x21 + (out[i]! % 94);
  for (let i = NONCE_PART2_AT; i < NONCE_PART2_AT + 12; i++) out[i] = 0x21 + (out[i]! % 94);
  return out;
}

function main(): void {
  const [keyFile, certFile, caFile] = process.argv.slice(2);
  if (!keyFile || !certFile) throw new Error("usage: minimal-login-server KEY.pem CERT.pem [CA.pem]");
  const secureContext = createSecureContext({
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    ...(caFile ? { ca: readFileSync(caFile) } : {}),
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    // The mock's option too (a stock 5.7 server sends no session tickets).
    secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
  });

  const tlsOptions = caFile
    ? { isServer: true, secureContext, requestCert: true, rejectUnauthorized: false }
    : { isServer: true, secureContext };

  /** Authenticated TLS phase: whole packets are read from their headers; only the command byte matters. */
  function upgrade(socket: Socket): void {
    const secure = new TLSSocket(socket, tlsOptions);
    secure.on("error", ignore);
    let authenticated = false;
    let deprecateEof = false;
    let held: Buffer | null = null;
    secure.on("data", (data: Buffer) => {
      const chunk = held === null ? data : Buffer.concat([held, data]);
      held = null;
      let at = 0;
      while (chunk.length - at >= PACKET_HEADER_LENGTH) {
        const end = at + PACKET_HEADER_LENGTH + (chunk[at]! | (chunk[at + 1]! << 8) | (chunk[at + 2]! << 16));
        if (end > chunk.length) break;
        const payload = at + PACKET_HEADER_LENGTH;
        if (!authenticated) {
          // HandshakeResponse41: any account, any password; only the client's caps are read.
          authenticated = true;
          deprecateEof = (chunk[payload + 3]! & (CapabilityFlags.CLIENT_DEPRECATE_EOF >>> 24)) !== 0;
          secure.write(LOGIN_OK);
        } else if (chunk[payload] === Command.COM_QUERY) {
          const isSelect1 =
            end - payload === 1 + SELECT_1.length &&
            chunk.compare(SELECT_1, 0, SELECT_1.length, payload + 1, end) === 0;
          secure.write(isSelect1 ? (deprecateEof ? SELECT_1_DEPRECATE_EOF : SELECT_1_EOF) : NOT_SUPPORTED);
        } else if (chunk[payload] === Command.COM_QUIT) {
          secure.end();
          return;
        } else if (chunk[payload] === Command.COM_PING) {
          secure.write(COMMAND_OK);
        } else {
          secure.write(NOT_SUPPORTED);
        }
        at = end;
      }
      if (at < chunk.length) held = chunk.subarray(at);
    });
  }

  const server = createServer({ noDelay: true }, (socket) => {
    socket.on("error", ignore);
    socket.write(greeting());
    let held: Buffer | null = null;
    const onPlain = (data: Buffer) => {
      const chunk = held === null ? data : Buffer.concat([held, data]);
      if (chunk.length < SSL_REQUEST_LENGTH) {
        held = chunk;
        return;
      }
      socket.removeListener("data", onPlain);
      if (chunk[0] !== SSL_REQUEST_LENGTH - PACKET_HEADER_LENGTH || chunk[1] !== 0 || chunk[2] !== 0) {
        // Not an SSLRequest: this server serves TLS logins only.
        socket.destroy();
        return;
      }
      // Paused, so what followed the SSLRequest (the ClientHello, if it came in the same read)
      // waits in the socket's buffer, which the TLSSocket drains when it starts.
      socket.pause();
      if (chunk.length > SSL_REQUEST_LENGTH) socket.unshift(chunk.subarray(SSL_REQUEST_LENGTH));
      upgrade(socket);
    };
    socket.on("data", onPlain);
  });
  server.listen(0, "127.0.0.1", () => {
    console.log((server.address() as { port: number }).port);
  });
}

main();
