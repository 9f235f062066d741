import { MalformedPacketError } from "../../src/protocol/errors";
import { decodeAuthMoreData } from "../../src/protocol/packets/auth-more-data";
import { decodeAuthSwitchRequest } from "../../src/protocol/packets/auth-switch-request";
import { decodeColumnDefinition41 } from "../../src/protocol/packets/column-definition-41";
import { decodeCommand, decodeComQuery } from "../../src/protocol/packets/command";
import { decodeEof } from "../../src/protocol/packets/eof-packet";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { decodeHandshakeResponse41 } from "../../src/protocol/packets/handshake-response-41";
import { decodeHandshakeResponse320 } from "../../src/protocol/packets/handshake-response-320";
import { decodeHandshakeV10 } from "../../src/protocol/packets/handshake-v10";
import { decodeOk } from "../../src/protocol/packets/ok-packet";
import { decodeSslRequest } from "../../src/protocol/packets/ssl-request";
import { decodeTextResultset } from "../../src/protocol/packets/text-resultset";
import { decodeTextRow } from "../../src/protocol/packets/text-row";
import {
  GREETING_5_7_41,
  MARIADB_CLI_HANDSHAKE_RESPONSE,
  MYSQL2_HANDSHAKE_RESPONSE,
  OPENSSL_SSL_REQUEST,
  payloadOf,
} from "./fixtures/client-captures";
import { selectOneColumnBytes } from "./fixtures/select-one";
import { pseudoRandomBytes } from "./malformed";

const ALL_CAPS = 0xffffffff;

const decoders: Array<[string, (payload: Buffer) => unknown]> = [
  ["HandshakeV10", decodeHandshakeV10],
  ["SSLRequest", decodeSslRequest],
  ["HandshakeResponse41", (p) => decodeHandshakeResponse41(p)],
  [
    "HandshakeResponse41 (no optional fields)",
    (p) => decodeHandshakeResponse41(p, { capabilityFlags: 0x200 }),
  ],
  ["HandshakeResponse320", decodeHandshakeResponse320],
  ["OK (all caps)", (p) => decodeOk(p, ALL_CAPS)],
  ["OK (no caps)", (p) => decodeOk(p, 0)],
  ["ERR", (p) => decodeErr(p, ALL_CAPS)],
  ["EOF", (p) => decodeEof(p)],
  ["AuthSwitchRequest", decodeAuthSwitchRequest],
  ["AuthMoreData", decodeAuthMoreData],
  ["ColumnDefinition41", decodeColumnDefinition41],
  ["TextResultsetRow", (p) => decodeTextRow(p, 3)],
  ["TextResultset", (p) => decodeTextResultset([p, p, p], ALL_CAPS)],
  ["command", decodeCommand],
  ["COM_QUERY with attributes", (p) => decodeComQuery(p, { queryAttributes: true })],
];

const seeds = [
  payloadOf(GREETING_5_7_41),
  payloadOf(OPENSSL_SSL_REQUEST),
  payloadOf(MYSQL2_HANDSHAKE_RESPONSE),
  payloadOf(MARIADB_CLI_HANDSHAKE_RESPONSE),
  selectOneColumnBytes,
];

/** Random payloads, and real packets with bytes overwritten or cut short. */
function* hostileInputs(): Generator<Buffer> {
  for (let i = 0; i < 600; i++) yield pseudoRandomBytes(i + 1, i % 90);
  let n = 0;
  for (const seed of seeds) {
    for (let i = 0; i < 200; i++) {
      const noise = pseudoRandomBytes(++n * 7919, 3);
      const mutated = Buffer.from(seed);
      mutated[noise[0]! % mutated.length] = noise[1]!;
      mutated[(noise[1]! * 3) % mutated.length] = noise[2]! | 0xf0;
      yield mutated.subarray(0, mutated.length - (noise[2]! % 8));
    }
  }
}

describe("decoders on hostile input", () => {
  it.each(decoders)("%s throws nothing but MalformedPacketError", (name, decode) => {
    let rejected = 0;
    for (const input of hostileInputs()) {
      try {
        decode(input);
      } catch (error) {
        if (!(error instanceof MalformedPacketError)) {
          throw new Error(`${name} threw ${String(error)} on ${input.toString("hex")}`);
        }
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
