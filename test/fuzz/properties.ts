/**
 * Property-based fuzzing of the wire protocol and of the pre-auth state machine. Every property is
 * a plain object whose `check` takes run parameters, so the same properties serve the fixed-seed
 * CI tests (test/fuzz/*.test.ts) and the long run (`npm run fuzz`, scripts/fuzz.ts).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { computeCachingSha2Reply } from "../../src/auth/plugins";
import { CapabilityFlags, commandName, MAX_PACKET_LENGTH, ServerStatus } from "../../src/protocol/constants";
import {
  MalformedPacketError,
  PacketSequenceError,
  PacketTooLargeError,
  ProtocolError,
} from "../../src/protocol/errors";
import { encodePacket, framesSequenceSpan, type Packet, PacketFramer } from "../../src/protocol/framing";
import { PacketReader } from "../../src/protocol/packet-reader";
import { PacketWriter } from "../../src/protocol/packet-writer";
import { decodeAuthMoreData, encodeAuthMoreData } from "../../src/protocol/packets/auth-more-data";
import {
  decodeAuthSwitchRequest,
  encodeAuthSwitchRequest,
} from "../../src/protocol/packets/auth-switch-request";
import {
  decodeColumnDefinition41,
  encodeColumnDefinition41,
} from "../../src/protocol/packets/column-definition-41";
import {
  decodeComInitDb,
  decodeCommand,
  decodeComQuery,
  encodeCommand,
} from "../../src/protocol/packets/command";
import { decodeEof, encodeEof, type EofPacket } from "../../src/protocol/packets/eof-packet";
import {
  decodeErr,
  encodeErr,
  type ErrPacket,
  MAX_ERROR_MESSAGE_BYTES,
} from "../../src/protocol/packets/err-packet";
import {
  decodeHandshakeResponse41,
  encodeHandshakeResponse41,
  type HandshakeResponse41,
} from "../../src/protocol/packets/handshake-response-41";
import {
  decodeHandshakeResponse320,
  encodeHandshakeResponse320,
  type HandshakeResponse320,
} from "../../src/protocol/packets/handshake-response-320";
import {
  decodeHandshakeV10,
  encodeHandshakeV10,
  type HandshakeV10,
} from "../../src/protocol/packets/handshake-v10";
import { decodeOk, encodeOk, type OkPacket } from "../../src/protocol/packets/ok-packet";
import {
  decodeSslRequest,
  encodeSslRequest,
  isSslRequest,
  type SslRequest,
} from "../../src/protocol/packets/ssl-request";
import { decodeTextResultset, encodeTextResultset } from "../../src/protocol/packets/text-resultset";
import { decodeTextRow, encodeTextRow, type TextRowValue } from "../../src/protocol/packets/text-row";
import type { ConnectionRecord } from "../../src/record/connection-record";
import type { MockServer } from "../../src/mock-server";
import { DEFAULT_ACCOUNT } from "../../src/server/options";
import { CLIENT_CAPABILITIES, sslRequest as standardSslRequest } from "../helpers/raw-client";
import { truncationsOf, uncleanRejection } from "../protocol/malformed";
import {
  authMoreData,
  authSwitchRequest,
  bytes,
  capabilityFlags,
  chunksAt,
  columnDefinition,
  comBinlogDump,
  comRegisterSlave,
  cuts,
  eofPacket,
  errPacket,
  handshakeResponse320,
  handshakeResponse41,
  handshakeV10,
  has,
  hostile,
  lenencNumber,
  type Mutation,
  mutate,
  mutation,
  nulFreeBytes,
  nulFreeText,
  okPacket,
  sslRequest,
  statusFlags,
  text,
  textResultset,
  textRowValue,
  u16,
  u24,
  u32,
  u64,
  u8,
} from "./arbitraries";
import {
  BareClient,
  bareLogin,
  EscapeWatch,
  PLAIN_SERVER_ACCOUNTS,
  type PreAuthHarness,
  sleep,
  until,
  within,
} from "./pre-auth-harness";
import { decodeComBinlogDump, encodeComBinlogDump } from "../../src/protocol/packets/com-binlog-dump";
import {
  decodeComRegisterSlave,
  encodeComRegisterSlave,
} from "../../src/protocol/packets/com-register-slave";

export { PreAuthHarness } from "./pre-auth-harness";

// ---- running properties ------------------------------------------------------------------------

/** How to run a property: the CI test passes a fixed seed and a run count, the long run a time budget. */
export interface RunParameters {
  seed: number;
  /** Runs to make (a time-budgeted run passes a large number and `timeLimitMs`). */
  numRuns: number;
  /** Stop starting runs after this long; a property interrupted without a failure passes. */
  timeLimitMs?: number;
  /** fast-check's counterexample path, with the seed it was found with: replays one failure. */
  path?: string;
  /** Called before every execution of the predicate (runs and shrink attempts): progress. */
  onRun?: () => void;
}

/**
 * One property: its name states what it checks. A property that needs something started first
 * (the pre-auth ones: their servers) takes it as `check`'s second argument.
 */
export interface FuzzProperty<Harness = void> {
  name: string;
  /** Runs in the fixed-seed CI test. */
  ciRuns: number;
  /** Share of the long run's time budget, relative to the other properties of its group. */
  weight: number;
  check(params: RunParameters, harness: Harness): Promise<fc.RunDetails<unknown>>;
}

/** A pre-auth property: it runs against the servers of a {@link PreAuthHarness}. */
export type PreAuthProperty = FuzzProperty<PreAuthHarness>;

export function fastCheckParameters(params: RunParameters): fc.Parameters<unknown> {
  return {
    seed: params.seed,
    numRuns: params.numRuns,
    ...(params.path !== undefined ? { path: params.path } : {}),
    ...(params.timeLimitMs !== undefined
      ? { plugins: [fc.interruptAfterTimeLimit(params.timeLimitMs)] }
      : {}),
  };
}

/** Runs a property and throws fast-check's report (counterexample, seed, path) if it failed. */
export async function assertProperty(property: FuzzProperty, params: RunParameters): Promise<void>;
/** Runs a property that needs a harness against `harness`, and throws fast-check's report if it failed. */
export async function assertProperty<Harness>(
  property: FuzzProperty<Harness>,
  params: RunParameters,
  harness: Harness,
): Promise<void>;
export async function assertProperty(
  property: FuzzProperty<unknown>,
  params: RunParameters,
  harness?: unknown,
): Promise<void> {
  const details = await property.check(params, harness);
  if (details.failed)
    throw new Error(await failureReport(property, details), { cause: details.errorInstance });
}

/** fast-check's report (seed, path, counterexample) plus the error the counterexample raised. */
export async function failureReport(
  property: { name: string },
  details: fc.RunDetails<unknown>,
): Promise<string> {
  const report = (await fc.asyncDefaultReportMessage(details)) ?? "failed";
  const error = details.errorInstance;
  const raised = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return `${property.name}\n${report}\n\nThe counterexample raised:\n${raised}`;
}

function syncProperty<T>(
  name: string,
  ciRuns: number,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => void,
  weight = 1,
): FuzzProperty {
  return {
    name,
    ciRuns,
    weight,
    check: async (params) => {
      const property = fc.property(arbitrary, (value) => {
        params.onRun?.();
        predicate(value);
      });
      return fc.check(property, fastCheckParameters(params)) as fc.RunDetails<unknown>;
    },
  };
}

// ---- shared checks -----------------------------------------------------------------------------

// No wall-clock bound on a decode or a framing here: a slow machine is not a hang, and one that
// never returns fails the test by its timeout all the same.

type ErrorClass = abstract new (...args: never[]) => Error;

/** Fails unless `error` is one of the typed protocol errors allowed here. */
function expectTypedError(
  error: unknown,
  allowed: readonly ErrorClass[],
  what: string,
): asserts error is Error {
  if (!allowed.some((type) => error instanceof type)) {
    const description = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`${what} let ${description} escape (only ${allowed.map((t) => t.name).join(", ")} may)`, {
      cause: error,
    });
  }
  const typed = error as Error;
  if (typed.message === "") throw new Error(`${what} threw a ${typed.name} without a message`);
}

/**
 * Runs `decode`, which must return or throw a MalformedPacketError for one of `packets` at an
 * offset inside the payload, without writing to its input.
 */
function decodesOrRejects(
  what: string,
  payloads: readonly Buffer[],
  packets: readonly string[],
  decode: () => unknown,
): void {
  const copies = payloads.map((p) => Buffer.from(p));
  let thrown: { error: unknown } | null = null;
  try {
    decode();
  } catch (error) {
    thrown = { error };
  }
  payloads.forEach((p, i) => {
    if (!p.equals(copies[i]!)) throw new Error(`${what} modified its input`);
  });
  if (thrown === null) return;
  expectTypedError(thrown.error, [MalformedPacketError], what);
  const malformed = thrown.error as MalformedPacketError;
  if (!packets.includes(malformed.packet)) {
    throw new Error(
      `${what} threw for packet ${JSON.stringify(malformed.packet)}, not one of ${packets.join(", ")}`,
    );
  }
  const longest = Math.max(0, ...payloads.map((p) => p.length));
  // A resultset's own errors count packets, not bytes.
  const bound = payloads.length === 1 ? longest : Math.max(longest, payloads.length);
  if (!Number.isInteger(malformed.offset) || malformed.offset < 0 || malformed.offset > bound) {
    throw new Error(`${what} reported offset ${malformed.offset} outside 0..${bound}`);
  }
}

/** The UTF-8 prefix of `text` of at most `max` bytes that does not split a character. */
function utf8Prefix(value: string, max: number): string {
  let out = "";
  let size = 0;
  for (const character of value) {
    const n = Buffer.byteLength(character, "utf8");
    if (size + n > max) break;
    out += character;
    size += n;
  }
  return out;
}

// ---- decoders on hostile bytes -----------------------------------------------------------------

const columnCount = fc.integer({ min: 0, max: 6 });

/** Valid resultset payloads, then dropped, duplicated, mutated or replaced by random ones. */
const hostileResultset: fc.Arbitrary<{ payloads: Buffer[]; caps: number }> = fc.oneof(
  fc
    .tuple(
      textResultset,
      capabilityFlags,
      statusFlags,
      fc.array(fc.tuple(fc.nat(), fc.array(mutation, { maxLength: 3 }))),
      fc.option(fc.nat()),
    )
    .map(([resultset, caps, status, mutations, keep]) => {
      const payloads = encodeTextResultset(resultset, caps, status);
      for (const [index, list] of mutations) {
        const i = index % payloads.length;
        payloads[i] = mutate(payloads[i]!, list);
      }
      return { payloads: keep === null ? payloads : payloads.slice(0, keep % (payloads.length + 2)), caps };
    }),
  fc.record({ payloads: fc.array(hostile(bytes(20)), { maxLength: 8 }), caps: capabilityFlags }),
);

/** Packet names a MalformedPacketError may carry from inside a resultset. */
const RESULTSET_PACKETS = [
  "TextResultset",
  "TextResultset column count",
  "ColumnDefinition41",
  "EOF",
  "OK",
  "TextResultsetRow",
];

/**
 * A decoder of one payload (given the capability flags when it takes them) whose errors all name
 * one packet. Its property: any bytes around `valid` payloads decode or throw MalformedPacketError.
 */
interface HostileDecoderRow {
  /** The decoder's name, as the property name and its failures say it. */
  decoder: string;
  /** The packet its MalformedPacketError names. */
  packet: string;
  runs: number;
  /** Valid payloads, which `hostile` mutates, truncates and mixes with random bytes. */
  valid: fc.Arbitrary<Buffer>;
  /** Whether the decoder takes capability flags: always, or with or without them. Never when absent. */
  caps?: "always" | "optional";
  decode(payload: Buffer, caps: number | undefined): unknown;
}

function hostileDecoderProperty(row: HostileDecoderRow): FuzzProperty {
  const caps: fc.Arbitrary<number | undefined> =
    row.caps === "always"
      ? capabilityFlags
      : row.caps === "optional"
        ? fc.option(capabilityFlags, { nil: undefined })
        : fc.constant(undefined);
  return syncProperty(
    `${row.decoder}${row.caps ? " (any caps)" : ""}: any bytes decode or throw MalformedPacketError`,
    row.runs,
    fc.tuple(hostile(row.valid), caps),
    ([payload, flags]) =>
      decodesOrRejects(row.decoder, [payload], [row.packet], () => row.decode(payload, flags)),
  );
}

const HOSTILE_DECODERS: readonly HostileDecoderRow[] = [
  {
    decoder: "decodeHandshakeV10",
    packet: "HandshakeV10",
    runs: 400,
    valid: handshakeV10.map(encodeHandshakeV10),
    decode: (payload) => decodeHandshakeV10(payload),
  },
  {
    decoder: "decodeHandshakeResponse320",
    packet: "HandshakeResponse320",
    runs: 300,
    valid: handshakeResponse320.map(encodeHandshakeResponse320),
    decode: (payload) => decodeHandshakeResponse320(payload),
  },
  {
    decoder: "decodeOk",
    packet: "OK",
    runs: 400,
    valid: fc.tuple(okPacket, capabilityFlags).map(([ok, caps]) => encodeOk(ok, caps)),
    caps: "always",
    decode: (payload, caps) => decodeOk(payload, caps!),
  },
  {
    decoder: "decodeErr",
    packet: "ERR",
    runs: 300,
    valid: fc.tuple(errPacket, capabilityFlags).map(([err, caps]) => encodeErr(err, caps)),
    caps: "always",
    decode: (payload, caps) => decodeErr(payload, caps!),
  },
  {
    decoder: "decodeEof",
    packet: "EOF",
    runs: 300,
    valid: fc.tuple(eofPacket, capabilityFlags).map(([eof, caps]) => encodeEof(eof, caps)),
    caps: "optional",
    decode: (payload, caps) => (caps === undefined ? decodeEof(payload) : decodeEof(payload, caps)),
  },
  {
    decoder: "decodeAuthSwitchRequest",
    packet: "AuthSwitchRequest",
    runs: 300,
    valid: authSwitchRequest.map(encodeAuthSwitchRequest),
    decode: (payload) => decodeAuthSwitchRequest(payload),
  },
  {
    decoder: "decodeAuthMoreData",
    packet: "AuthMoreData",
    runs: 200,
    valid: authMoreData.map(encodeAuthMoreData),
    decode: (payload) => decodeAuthMoreData(payload),
  },
  {
    decoder: "decodeColumnDefinition41",
    packet: "ColumnDefinition41",
    runs: 400,
    valid: columnDefinition.map((column) => encodeColumnDefinition41(column)),
    decode: (payload) => decodeColumnDefinition41(payload),
  },
  {
    decoder: "decodeColumnDefinition41 (MariaDB extended metadata)",
    packet: "ColumnDefinition41",
    runs: 200,
    valid: columnDefinition.map((column) => encodeColumnDefinition41(column, { extendedMetadata: true })),
    decode: (payload) => decodeColumnDefinition41(payload, { extendedMetadata: true }),
  },
  {
    decoder: "decodeComRegisterSlave",
    packet: "COM_REGISTER_SLAVE",
    runs: 300,
    valid: comRegisterSlave.map(encodeComRegisterSlave),
    decode: (payload) => decodeComRegisterSlave(payload),
  },
  {
    decoder: "decodeComBinlogDump",
    packet: "COM_BINLOG_DUMP",
    runs: 300,
    valid: comBinlogDump.map(encodeComBinlogDump),
    decode: (payload) => decodeComBinlogDump(payload),
  },
];

// ---- truncations ------------------------------------------------------------------------------

/**
 * A field as a truncation meets it. `required`: a packet cut before the field's end is malformed.
 * `optional`: the field may be left out (the packet ends where it would start), never cut.
 * `tail`: it may be cut anywhere or left out (a string<EOF>, or a string read to the end).
 */
type FieldRule = "required" | "optional" | "tail";

/** Fields in wire order, by length, with their rule: where each starts and ends. */
function layout(...fields: Array<[length: number, rule: FieldRule]>) {
  let start = 0;
  return fields.map(([length, rule]) => {
    const field = { start, end: start + length, rule };
    start = field.end;
    return field;
  });
}

/**
 * The lengths of the strict prefixes that are whole packets: those where every field the cut
 * reaches may be cut there (`tail`) or is left out whole (`optional`, `tail`), plus `alsoWhole`,
 * shorter forms of the packet of their own (a lone 0xfe, a caps-only SSLRequest).
 */
function wholePrefixes(fields: ReturnType<typeof layout>, alsoWhole: readonly number[] = []): number[] {
  const total = fields.at(-1)?.end ?? 0;
  const whole = new Set(alsoWhole.filter((n) => n < total));
  for (let n = 0; n < total; n++) {
    const fits = fields.every(
      (f) => f.end <= n || f.rule === "tail" || (f.rule === "optional" && f.start >= n),
    );
    if (fits) whole.add(n);
  }
  return [...whole].sort((a, b) => a - b);
}

const lenencSize = (n: number) => new PacketWriter().lenencInt(n).toBuffer().length;
const utf8Size = (s: string) => Buffer.byteLength(s, "utf8");

/** A packet whose every strict prefix either decodes, where the protocol says it is whole, or is rejected. */
interface TruncationRow<T> {
  /** The decoder, as the property name says it. */
  decoder: string;
  /** The packet its MalformedPacketError names. */
  packet: string;
  runs: number;
  valid: fc.Arbitrary<T>;
  /** Whether encoder and decoder take capability flags (any are tried). */
  withCaps?: boolean;
  encode(value: T, caps: number): Buffer;
  decode(payload: Buffer, caps: number, value: T): unknown;
  /** In words, for the property name: which prefixes are whole packets. */
  says: string;
  /** Their lengths, from the value's fields. */
  whole(value: T, caps: number, payload: Buffer): number[];
}

function truncationProperty<T>(row: TruncationRow<T>): FuzzProperty {
  return syncProperty(
    `${row.decoder}${row.withCaps ? " (any caps)" : ""}: of the strict prefixes of a valid ${row.packet}, ${row.says}; every other one throws MalformedPacketError`,
    row.runs,
    fc.tuple(row.valid, row.withCaps ? capabilityFlags : fc.constant(0)),
    ([value, caps]) => {
      const payload = row.encode(value, caps);
      const { decoded, rejected } = truncationsOf((prefix) => row.decode(prefix, caps, value), payload);
      assert.deepStrictEqual(decoded, row.whole(value, caps, payload), "the prefixes that decoded");
      for (const [length, error] of rejected) {
        const why = uncleanRejection(error, row.packet, length);
        if (why !== null) throw new Error(`the prefix of ${length} bytes ${why}`, { cause: error });
      }
    },
  );
}

/** Text-row values small enough to decode every prefix of, with 1- and 3-byte lengths among them. */
const smallTextRowValue: fc.Arbitrary<TextRowValue> = fc.oneof(
  fc.constant(null),
  text(20),
  bytes(40),
  fc.constantFrom(250, 251, 252).map((n) => Buffer.alloc(n, 0x61)),
);

const TRUNCATIONS: readonly FuzzProperty[] = [
  truncationProperty({
    decoder: "decodeColumnDefinition41",
    packet: "ColumnDefinition41",
    runs: 200,
    valid: columnDefinition,
    encode: (column) => encodeColumnDefinition41(column),
    decode: (payload) => decodeColumnDefinition41(payload),
    says: "none decodes: every field is required, decimals and the filler included",
    whole: () => [],
  }),
  truncationProperty({
    decoder: "decodeTextRow",
    packet: "TextResultsetRow",
    runs: 200,
    valid: fc.array(smallTextRowValue, { maxLength: 5 }),
    encode: (values) => encodeTextRow(values),
    decode: (payload, _caps, values) => decodeTextRow(payload, values.length),
    says: "none decodes: every column is required",
    whole: () => [],
  }),
  truncationProperty({
    decoder: "decodeAuthSwitchRequest",
    packet: "AuthSwitchRequest",
    runs: 200,
    valid: authSwitchRequest,
    encode: (request) => encodeAuthSwitchRequest(request),
    decode: (payload) => decodeAuthSwitchRequest(payload),
    says: "the lone 0xfe and those that end the plugin data sooner decode",
    whole: (request) =>
      wholePrefixes(
        layout(
          [1, "required"],
          [utf8Size(request.pluginName) + 1, "required"],
          [request.pluginData.length, "tail"],
        ),
        [1],
      ),
  }),
  truncationProperty({
    decoder: "decodeAuthMoreData",
    packet: "AuthMoreData",
    runs: 100,
    valid: authMoreData,
    encode: (more) => encodeAuthMoreData(more),
    decode: (payload) => decodeAuthMoreData(payload),
    says: "those that keep the 0x01 and end the data sooner decode",
    whole: (more) => wholePrefixes(layout([1, "required"], [more.data.length, "tail"])),
  }),
  truncationProperty({
    decoder: "decodeEof",
    packet: "EOF",
    runs: 100,
    valid: eofPacket,
    withCaps: true,
    encode: (eof, caps) => encodeEof(eof, caps),
    decode: (payload, caps) => decodeEof(payload, caps),
    says: "none decodes: with CLIENT_PROTOCOL_41 warnings and status are required",
    whole: () => [],
  }),
  truncationProperty({
    decoder: "decodeErr",
    packet: "ERR",
    runs: 200,
    valid: errPacket,
    withCaps: true,
    encode: (err, caps) => encodeErr(err, caps),
    decode: (payload, caps) => decodeErr(payload, caps),
    says: "those that leave the SQLSTATE out whole or end the message sooner decode",
    whole: (_err, caps, payload) => {
      const sqlState = has(caps, CapabilityFlags.CLIENT_PROTOCOL_41) ? 6 : 0;
      return wholePrefixes(
        layout(
          [1, "required"],
          [2, "required"],
          [sqlState, "optional"],
          [payload.length - 3 - sqlState, "tail"],
        ),
      );
    },
  }),
  truncationProperty({
    decoder: "decodeOk",
    packet: "OK",
    runs: 300,
    valid: okPacket,
    withCaps: true,
    encode: (ok, caps) => encodeOk(ok, caps),
    decode: (payload, caps) => decodeOk(payload, caps),
    says: "those that leave the info out whole (unless session state must follow) or end in bytes the caps do not read decode",
    whole: (ok, caps, payload) => {
      const p41 = has(caps, CapabilityFlags.CLIENT_PROTOCOL_41);
      const statusBytes = p41 ? 4 : has(caps, CapabilityFlags.CLIENT_TRANSACTIONS) ? 2 : 0;
      const fixed = 1 + lenencSize(ok.affectedRows) + lenencSize(ok.lastInsertId) + statusBytes;
      const info = ok.info ?? "";
      const track = has(caps, CapabilityFlags.CLIENT_SESSION_TRACK);
      const changed = has(ok.statusFlags, ServerStatus.SERVER_SESSION_STATE_CHANGED);
      const infoWritten = track ? changed || info !== "" : info !== "";
      const infoBytes = infoWritten ? lenencSize(utf8Size(info)) + utf8Size(info) : 0;
      // The decoder reads session state only where the status it read says it changed.
      const stateRead = track && changed && statusBytes > 0;
      const rest = payload.length - fixed - infoBytes;
      return wholePrefixes(
        layout([fixed, "required"], [infoBytes, "optional"], [rest, stateRead ? "required" : "tail"]),
      );
    },
  }),
  truncationProperty({
    decoder: "decodeSslRequest",
    packet: "SSLRequest",
    runs: 200,
    valid: sslRequest,
    encode: (request) => encodeSslRequest(request),
    decode: (payload) => decodeSslRequest(payload),
    says: "its first 4 bytes (the caps-only form) and those that end the trailing bytes sooner decode",
    whole: (request, _caps, payload) => {
      const form = { "41": 32, "320": 5, "caps-only": 4 }[request.form];
      return wholePrefixes(layout([form, "required"], [payload.length - form, "tail"]), [4]);
    },
  }),
  truncationProperty({
    decoder: "decodeHandshakeResponse320",
    packet: "HandshakeResponse320",
    runs: 200,
    valid: handshakeResponse320,
    encode: (response) => encodeHandshakeResponse320(response),
    decode: (payload) => decodeHandshakeResponse320(payload),
    says: "those that end its last string (the database, or the auth response without one) sooner decode",
    whole: (response) => {
      const head: Array<[number, FieldRule]> = [
        [2, "required"],
        [3, "required"],
        [utf8Size(response.username) + 1, "required"],
      ];
      return wholePrefixes(
        response.database === undefined
          ? layout(...head, [response.authResponse.length + 1, "tail"])
          : layout(
              ...head,
              [response.authResponse.length + 1, "required"],
              [utf8Size(response.database) + 1, "tail"],
            ),
      );
    },
  }),
  truncationProperty({
    decoder: "decodeHandshakeResponse41",
    packet: "HandshakeResponse41",
    runs: 400,
    valid: handshakeResponse41,
    encode: (response) => encodeHandshakeResponse41(response),
    decode: (payload) => decodeHandshakeResponse41(payload),
    says: "those cut in the plugin name or a NUL-terminated auth response, with nothing required after it, decode",
    whole: (response) => {
      const caps = response.capabilityFlags;
      const auth = response.authResponse.length;
      const fields: Array<[number, FieldRule]> = [
        [32, "required"],
        [utf8Size(response.username) + 1, "required"],
        has(caps, CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)
          ? [lenencSize(auth) + auth, "required"]
          : has(caps, CapabilityFlags.CLIENT_SECURE_CONNECTION)
            ? [1 + auth, "required"]
            : [auth + 1, "tail"],
      ];
      if (response.database !== undefined) fields.push([utf8Size(response.database) + 1, "required"]);
      if (response.authPluginName !== undefined) fields.push([utf8Size(response.authPluginName) + 1, "tail"]);
      if (response.connectAttributes !== undefined) {
        const block = encodeHandshakeResponse41(response).length - fields.reduce((sum, [n]) => sum + n, 0);
        fields.push([block, "required"]);
      }
      return wholePrefixes(layout(...fields));
    },
  }),
];

// HandshakeV10 is left to its example test: which of its prefixes decode turns on the caps in
// the packet and on how many bytes follow the reserved ones, more than a layout says.

export const decoderProperties: FuzzProperty[] = [
  ...HOSTILE_DECODERS.map(hostileDecoderProperty),
  ...TRUNCATIONS,
  syncProperty(
    "decodeSslRequest / isSslRequest: any bytes decode or throw MalformedPacketError",
    400,
    hostile(sslRequest.map(encodeSslRequest)),
    (payload) => {
      decodesOrRejects("decodeSslRequest", [payload], ["SSLRequest"], () => decodeSslRequest(payload));
      decodesOrRejects("isSslRequest", [payload], [], () => isSslRequest(payload));
    },
  ),
  syncProperty(
    "decodeHandshakeResponse41 (own caps or given caps): any bytes decode or throw MalformedPacketError",
    400,
    fc.tuple(hostile(handshakeResponse41.map(encodeHandshakeResponse41), 200), fc.option(capabilityFlags)),
    ([payload, caps]) =>
      decodesOrRejects("decodeHandshakeResponse41", [payload], ["HandshakeResponse41"], () =>
        decodeHandshakeResponse41(payload, caps === null ? {} : { capabilityFlags: caps }),
      ),
  ),
  syncProperty(
    "decodeTextRow (any column count): any bytes decode or throw MalformedPacketError",
    400,
    fc.tuple(hostile(fc.array(textRowValue, { maxLength: 6 }).map(encodeTextRow)), columnCount),
    ([payload, count]) =>
      decodesOrRejects("decodeTextRow", [payload], ["TextResultsetRow"], () => decodeTextRow(payload, count)),
  ),
  syncProperty(
    "decodeTextResultset (any caps): any payload list decodes or throws MalformedPacketError",
    400,
    hostileResultset,
    ({ payloads, caps }) =>
      decodesOrRejects("decodeTextResultset", payloads, RESULTSET_PACKETS, () =>
        decodeTextResultset(payloads, caps),
      ),
  ),
  syncProperty(
    "decodeCommand / decodeComQuery (with and without query attributes) / decodeComInitDb: any bytes decode or throw MalformedPacketError",
    300,
    fc.tuple(
      hostile(fc.tuple(u8, bytes(40)).map(([command, body]) => encodeCommand(command, body))),
      fc.boolean(),
    ),
    ([payload, queryAttributes]) => {
      decodesOrRejects("decodeCommand", [payload], ["command"], () => decodeCommand(payload));
      decodesOrRejects("decodeComQuery", [payload], ["COM_QUERY"], () =>
        decodeComQuery(payload, { queryAttributes }),
      );
      decodesOrRejects("decodeComInitDb", [payload], [], () => decodeComInitDb(payload));
    },
  ),
];

// ---- PacketReader ------------------------------------------------------------------------------

type ReaderOp =
  | { op: "int1" | "int2" | "int3" | "int4" | "int8" | "int8Number" | "lenencInt" | "peekInt1" }
  | { op: "lenencBytes" | "lenencString" | "nulBytes" | "nulString" | "rest" | "restString" }
  | { op: "bytes" | "skip"; n: number }
  | { op: "marker"; expected: number };

const readerOp: fc.Arbitrary<ReaderOp> = fc.oneof(
  fc.constantFrom(
    ...(["int1", "int2", "int3", "int4", "int8", "int8Number", "lenencInt", "peekInt1"] as const).map(
      (op) => ({ op }),
    ),
  ),
  fc.constantFrom(
    ...(["lenencBytes", "lenencString", "nulBytes", "nulString", "rest", "restString"] as const).map(
      (op) => ({ op }),
    ),
  ),
  fc.record({ op: fc.constantFrom("bytes" as const, "skip" as const), n: fc.nat({ max: 80 }) }),
  fc.record({ op: fc.constant("marker" as const), expected: u8 }),
);

function applyReaderOp(reader: PacketReader, op: ReaderOp): unknown {
  switch (op.op) {
    case "bytes":
      return reader.bytes(op.n);
    case "skip":
      return reader.skip(op.n);
    case "marker":
      return reader.marker(op.expected);
    default:
      return reader[op.op]();
  }
}

/** A field as PacketWriter writes it and PacketReader reads it back. */
type Field =
  | { kind: "int1" | "int2" | "int3" | "int4"; value: number }
  | { kind: "int8"; value: bigint }
  | { kind: "lenencInt"; value: number }
  | { kind: "null" }
  | { kind: "lenencBytes" | "nulBytes" | "bytes"; value: Buffer }
  | { kind: "lenencString" | "nulString"; value: string }
  | { kind: "zeros"; value: number };

const field: fc.Arbitrary<Field> = fc.oneof(
  u8.map((value) => ({ kind: "int1" as const, value })),
  u16.map((value) => ({ kind: "int2" as const, value })),
  u24.map((value) => ({ kind: "int3" as const, value })),
  u32.map((value) => ({ kind: "int4" as const, value })),
  u64.map((value) => ({ kind: "int8" as const, value })),
  lenencNumber.map((value) => ({ kind: "lenencInt" as const, value })),
  fc.constant({ kind: "null" as const }),
  fc
    .oneof(
      bytes(40),
      fc.constantFrom(251, 0xffff, 0x10000).map((n) => Buffer.alloc(n, 7)),
    )
    .map((value) => ({
      kind: "lenencBytes" as const,
      value,
    })),
  nulFreeBytes(40).map((value) => ({ kind: "nulBytes" as const, value })),
  bytes(40).map((value) => ({ kind: "bytes" as const, value })),
  text(30).map((value) => ({ kind: "lenencString" as const, value })),
  nulFreeText(30).map((value) => ({ kind: "nulString" as const, value })),
  fc.nat({ max: 30 }).map((value) => ({ kind: "zeros" as const, value })),
);

function writeField(writer: PacketWriter, f: Field): void {
  switch (f.kind) {
    case "null":
      writer.nullValue();
      break;
    case "zeros":
      writer.zeros(f.value);
      break;
    case "int8":
      writer.int8(f.value);
      break;
    case "int1":
    case "int2":
    case "int3":
    case "int4":
    case "lenencInt":
      writer[f.kind](f.value);
      break;
    case "lenencBytes":
    case "nulBytes":
    case "bytes":
      writer[f.kind](f.value);
      break;
    case "lenencString":
    case "nulString":
      writer[f.kind](f.value);
      break;
  }
}

function readField(reader: PacketReader, f: Field): unknown {
  switch (f.kind) {
    case "null":
      return reader.lenencInt() === null ? { kind: "null" } : { kind: "not null" };
    case "zeros":
      reader.skip(f.value);
      return { kind: "zeros", value: f.value };
    case "bytes":
      return { kind: f.kind, value: Buffer.from(reader.bytes(f.value.length)) };
    case "lenencBytes":
    case "nulBytes":
      return { kind: f.kind, value: Buffer.from(reader[f.kind]()) };
    default:
      return { kind: f.kind, value: reader[f.kind]() };
  }
}

export const readerProperties: FuzzProperty[] = [
  syncProperty(
    "PacketReader: any sequence of reads on any bytes returns or throws MalformedPacketError, offset only moves forward within the payload",
    400,
    fc.tuple(
      hostile(fc.array(field, { maxLength: 6 }).map(writeFields)),
      fc.array(readerOp, { maxLength: 12 }),
    ),
    ([payload, ops]) => {
      const reader = new PacketReader(payload, "Fuzz");
      let offset = 0;
      decodesOrRejects("PacketReader", [payload], [], () => {
        for (const op of ops) {
          try {
            applyReaderOp(reader, op);
          } catch (error) {
            expectTypedError(error, [MalformedPacketError], `PacketReader.${op.op}`);
            if ((error as MalformedPacketError).packet !== "Fuzz")
              throw new Error("error names another packet");
          }
          if (reader.offset < offset || reader.offset > payload.length) {
            throw new Error(
              `${op.op} moved the offset from ${offset} to ${reader.offset} of ${payload.length}`,
            );
          }
          if (reader.remaining !== payload.length - reader.offset)
            throw new Error("remaining is inconsistent");
          offset = reader.offset;
        }
      });
    },
  ),
  syncProperty(
    "PacketWriter → PacketReader: every field written reads back equal, and nothing is left",
    400,
    fc.array(field, { maxLength: 10 }),
    (fields) => {
      const payload = writeFields(fields);
      const reader = new PacketReader(payload, "Fuzz");
      const read = fields.map((f) => readField(reader, f));
      const expected = fields.map((f) => (f.kind === "null" ? { kind: "null" } : f));
      assert.deepStrictEqual(read, expected);
      assert.equal(reader.remaining, 0);
    },
  ),
];

function writeFields(fields: readonly Field[]): Buffer {
  const writer = new PacketWriter();
  for (const f of fields) writeField(writer, f);
  return Buffer.from(writer.toBuffer());
}

// ---- round trips -------------------------------------------------------------------------------

/** What decodeOk reads back from encodeOk(ok, caps): the fields the caps put on the wire. */
function okAsDecoded(ok: OkPacket, caps: number): OkPacket {
  const p41 = has(caps, CapabilityFlags.CLIENT_PROTOCOL_41);
  // The status word travels with PROTOCOL_41 or TRANSACTIONS; the decoder sees 0 otherwise, so it
  // also does not look for a session-state block (libmysqlclient's read_ok_ex does the same).
  const status = p41 || has(caps, CapabilityFlags.CLIENT_TRANSACTIONS) ? ok.statusFlags : 0;
  const decoded: OkPacket = {
    header: ok.header ?? 0x00,
    affectedRows: ok.affectedRows,
    lastInsertId: ok.lastInsertId,
    statusFlags: status,
    warnings: p41 ? Math.min(ok.warnings, 0xffff) : 0,
  };
  if (ok.info !== undefined && ok.info !== "") decoded.info = ok.info;
  if (
    has(caps, CapabilityFlags.CLIENT_SESSION_TRACK) &&
    has(status, ServerStatus.SERVER_SESSION_STATE_CHANGED)
  ) {
    decoded.sessionStateChanges = ok.sessionStateChanges ?? Buffer.alloc(0);
  }
  return decoded;
}

/**
 * What decodeHandshakeV10 reads back from encodeHandshakeV10(g): part 2 of the nonce is padded to
 * 12 bytes on the wire (13 with its NUL), so a shorter nonce reads back zero-padded to 20 bytes.
 */
function greetingAsDecoded(greeting: HandshakeV10): HandshakeV10 {
  const nonce = greeting.authPluginData;
  return {
    ...greeting,
    authPluginData: Buffer.concat([nonce, Buffer.alloc(Math.max(0, 20 - nonce.length))]),
    authPluginDataLengthByte: greeting.authPluginDataLengthByte ?? nonce.length + 1,
    authPluginName: has(greeting.capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH)
      ? greeting.authPluginName
      : "",
  };
}

function errAsDecoded(err: ErrPacket, caps: number): ErrPacket {
  const message = utf8Prefix(err.message, MAX_ERROR_MESSAGE_BYTES);
  return has(caps, CapabilityFlags.CLIENT_PROTOCOL_41)
    ? { code: err.code, sqlState: err.sqlState ?? "HY000", message }
    : { code: err.code, message };
}

function eofAsDecoded(eof: EofPacket, caps: number): EofPacket {
  return has(caps, CapabilityFlags.CLIENT_PROTOCOL_41)
    ? { warnings: Math.min(eof.warnings, 0xffff), statusFlags: eof.statusFlags }
    : { warnings: 0, statusFlags: 0 };
}

/**
 * A packet whose decoder reads back what its encoder wrote (given the capability flags when both
 * take them), or — `readsBack` — a stated function of it.
 */
interface RoundTripRow<T> {
  packet: string;
  runs: number;
  valid: fc.Arbitrary<T>;
  /** Whether the encoder and decoder take capability flags (any are tried). */
  withCaps?: boolean;
  encode(value: T, caps: number): Buffer;
  decode(payload: Buffer, caps: number): T;
  /** What decode(encode(x)) is when not x itself: in words for the property name, and computed. */
  readsBack?: { says: string; expected(value: T, caps: number): T };
}

function roundTripProperty<T>(row: RoundTripRow<T>): FuzzProperty {
  const caps = row.withCaps ? ", caps" : "";
  return syncProperty(
    `${row.packet}: decode(encode(x${caps})${caps}) = ${row.readsBack?.says ?? "x"}`,
    row.runs,
    fc.tuple(row.valid, row.withCaps ? capabilityFlags : fc.constant(0)),
    ([value, flags]) =>
      assert.deepStrictEqual(
        row.decode(row.encode(value, flags), flags),
        row.readsBack ? row.readsBack.expected(value, flags) : value,
      ),
  );
}

/** The round trips of the same shape; {@link roundTripProperties} adds those that check more. */
const SIMPLE_ROUND_TRIPS: readonly FuzzProperty[] = [
  roundTripProperty({
    packet: "HandshakeV10",
    runs: 300,
    valid: handshakeV10,
    encode: (greeting) => encodeHandshakeV10(greeting),
    decode: (payload) => decodeHandshakeV10(payload),
    readsBack: {
      says: "x for any capability word, the nonce zero-padded to 20 bytes, the plugin name only with CLIENT_PLUGIN_AUTH",
      expected: greetingAsDecoded,
    },
  }),
  roundTripProperty({
    packet: "HandshakeResponse320",
    runs: 300,
    valid: handshakeResponse320,
    encode: (response) => encodeHandshakeResponse320(response),
    decode: (payload) => decodeHandshakeResponse320(payload),
  }),
  roundTripProperty({
    packet: "OK",
    runs: 500,
    valid: okPacket,
    withCaps: true,
    encode: encodeOk,
    decode: decodeOk,
    readsBack: {
      says: "the fields the caps carry (status with PROTOCOL_41 or TRANSACTIONS, warnings with PROTOCOL_41, session state with SESSION_TRACK)",
      expected: okAsDecoded,
    },
  }),
  roundTripProperty({
    packet: "ERR",
    runs: 300,
    valid: errPacket,
    withCaps: true,
    encode: encodeErr,
    decode: decodeErr,
    readsBack: {
      says: "x with the SQLSTATE only for PROTOCOL_41 and the message cut to 511 bytes on a character boundary",
      expected: errAsDecoded,
    },
  }),
  roundTripProperty({
    packet: "EOF",
    runs: 200,
    valid: eofPacket,
    withCaps: true,
    encode: encodeEof,
    decode: decodeEof,
    readsBack: {
      says: "x with PROTOCOL_41 (warnings capped at 65535), zeros without",
      expected: eofAsDecoded,
    },
  }),
  roundTripProperty({
    packet: "AuthSwitchRequest",
    runs: 200,
    valid: authSwitchRequest,
    encode: (request) => encodeAuthSwitchRequest(request),
    decode: (payload) => decodeAuthSwitchRequest(payload),
  }),
  roundTripProperty({
    packet: "AuthMoreData",
    runs: 200,
    valid: authMoreData,
    encode: (more) => encodeAuthMoreData(more),
    decode: (payload) => decodeAuthMoreData(payload),
  }),
  roundTripProperty({
    packet: "ColumnDefinition41",
    runs: 300,
    valid: columnDefinition,
    encode: (column) => encodeColumnDefinition41(column),
    decode: (payload) => decodeColumnDefinition41(payload),
  }),
];

export const roundTripProperties: FuzzProperty[] = [
  ...SIMPLE_ROUND_TRIPS,
  syncProperty(
    "SSLRequest: decode(encode(r)) = r in each of the three forms, and isSslRequest follows CLIENT_SSL",
    300,
    sslRequest,
    (request) => {
      const payload = encodeSslRequest(request);
      assert.deepStrictEqual(decodeSslRequest(payload), request);
      assert.equal(isSslRequest(payload), has(request.capabilityFlags, CapabilityFlags.CLIENT_SSL));
    },
  ),
  syncProperty(
    "HandshakeResponse41: decode(encode(r)) = r when the optional fields are those the caps announce, also with the caps given",
    400,
    handshakeResponse41,
    (response) => {
      const payload = encodeHandshakeResponse41(response);
      assert.deepStrictEqual(decodeHandshakeResponse41(payload), response);
      assert.deepStrictEqual(
        decodeHandshakeResponse41(payload, { capabilityFlags: response.capabilityFlags }),
        response,
      );
    },
  ),
  syncProperty(
    "Command: decodeCommand(encodeCommand(c, body)) = c, its name and body; COM_QUERY and COM_INIT_DB bodies read back as their text",
    200,
    fc.tuple(u8, bytes(60), text(60), fc.nat({ max: 0xffff })),
    ([command, body, sql, parameterSets]) => {
      assert.deepStrictEqual(decodeCommand(encodeCommand(command, body)), {
        command,
        name: commandName(command),
        body,
      });
      const sqlBytes = Buffer.from(sql, "utf8");
      assert.equal(decodeComQuery(sqlBytes), sql);
      const withAttributes = new PacketWriter()
        .lenencInt(0)
        .lenencInt(parameterSets)
        .bytes(sqlBytes)
        .toBuffer();
      assert.equal(decodeComQuery(withAttributes, { queryAttributes: true }), sql);
      assert.equal(decodeComInitDb(sqlBytes), sql);
    },
  ),
  syncProperty(
    "Text row: decodeTextRow(encodeTextRow(values), n) = the values as bytes, NULL as null",
    300,
    fc.array(textRowValue, { maxLength: 6 }),
    (values) => {
      const expected = values.map((v) =>
        v === null ? null : typeof v === "string" ? Buffer.from(v, "utf8") : v,
      );
      assert.deepStrictEqual(decodeTextRow(encodeTextRow(values), values.length), expected);
    },
  ),
  syncProperty(
    "Text resultset: decode(encode(rs, caps, status), caps) = columns, rows and the status the closing EOF/OK carries",
    300,
    fc.tuple(textResultset, capabilityFlags, statusFlags),
    ([resultset, caps, status]) => {
      const deprecateEof = has(caps, CapabilityFlags.CLIENT_DEPRECATE_EOF);
      const p41 = has(caps, CapabilityFlags.CLIENT_PROTOCOL_41);
      const statusCarried = deprecateEof ? p41 || has(caps, CapabilityFlags.CLIENT_TRANSACTIONS) : p41;
      assert.deepStrictEqual(decodeTextResultset(encodeTextResultset(resultset, caps, status), caps), {
        columns: resultset.columns,
        rows: resultset.rows.map((row) =>
          row.map((v) => (v === null ? null : typeof v === "string" ? Buffer.from(v, "utf8") : v)),
        ),
        statusFlags: statusCarried ? status : 0,
        warnings: 0,
      });
    },
  ),
];

// ---- the framer --------------------------------------------------------------------------------

/** A packet of a test stream; large ones are described, not held, so counterexamples stay short. */
type PacketSpec =
  | { sequenceId: number; payload: Buffer }
  | { sequenceId: number; large: { extra: number; fill: number; head: Buffer } };

function payloadOf(spec: PacketSpec): Buffer {
  if ("payload" in spec) return spec.payload;
  const payload = Buffer.alloc(MAX_PACKET_LENGTH + spec.large.extra, spec.large.fill);
  spec.large.head.copy(payload);
  spec.large.head.copy(payload, payload.length - spec.large.head.length);
  return payload;
}

const smallPacket: fc.Arbitrary<PacketSpec> = fc.record({ sequenceId: u8, payload: bytes(300) });
/** Payloads of 0xFFFFFF-2 … 0xFFFFFF+2 bytes: one frame, or two with the second empty or short. */
const largePacket: fc.Arbitrary<PacketSpec> = fc.record({
  sequenceId: u8,
  large: fc.record({ extra: fc.integer({ min: -2, max: 2 }), fill: u8, head: bytes(8, 8) }),
});

const smallStream: fc.Arbitrary<PacketSpec[]> = fc.array(smallPacket, { maxLength: 8 });
/** A stream around one packet of 0xFFFFFF±2 bytes: 16 MiB per run, so its own property with few runs. */
const largeStream: fc.Arbitrary<PacketSpec[]> = fc
  .tuple(fc.array(smallPacket, { maxLength: 2 }), largePacket, fc.array(smallPacket, { maxLength: 2 }))
  .map(([before, large, after]) => [...before, large, ...after]);

/** Framer limit big enough for the large test packets. */
const FRAMER_TEST_MAX = 2 * MAX_PACKET_LENGTH;

function streamOf(specs: readonly PacketSpec[]): { stream: Buffer; expected: Packet[] } {
  const payloads = specs.map(payloadOf);
  const stream = Buffer.concat(specs.map((spec, i) => encodePacket(payloads[i]!, spec.sequenceId)));
  const expected = specs.map((spec, i) => {
    const frameCount = framesSequenceSpan(payloads[i]!.length);
    return {
      sequenceId: spec.sequenceId,
      payload: payloads[i]!,
      frameCount,
      lastSequenceId: (spec.sequenceId + frameCount - 1) & 0xff,
    };
  });
  return { stream, expected };
}

/** Compares packet lists without printing megabytes of payload. */
function assertSamePackets(actual: readonly Packet[], expected: readonly Packet[], what: string): void {
  const summary = (p: Packet) =>
    `seq ${p.sequenceId}..${p.lastSequenceId} in ${p.frameCount} frame(s), ${p.payload.length} bytes`;
  if (actual.length !== expected.length) {
    throw new Error(
      `${what}: ${actual.length} packets, expected ${expected.length}: ${actual.map(summary).join("; ")}`,
    );
  }
  actual.forEach((p, i) => {
    const e = expected[i]!;
    const same =
      p.sequenceId === e.sequenceId &&
      p.lastSequenceId === e.lastSequenceId &&
      p.frameCount === e.frameCount &&
      p.payload.equals(e.payload);
    if (!same) throw new Error(`${what}: packet ${i} is ${summary(p)}, expected ${summary(e)}`);
  });
}

/** Hostile streams: random bytes, valid streams mutated, a full frame followed by any header. */
type HostileStream =
  | { kind: "bytes"; bytes: Buffer }
  | { kind: "mutated"; packets: PacketSpec[]; mutations: Mutation[] }
  | { kind: "continuation"; sequenceId: number; nextHeader: Buffer; tail: Buffer };

const smallHostileStream: fc.Arbitrary<HostileStream> = fc.oneof(
  fc.record({ kind: fc.constant("bytes" as const), bytes: bytes(200) }),
  fc.record({
    kind: fc.constant("mutated" as const),
    packets: fc.array(smallPacket, { maxLength: 6 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  }),
);

/** A full 0xFFFFFF frame, then any 4 bytes as the continuation header: sequence errors live here. */
const continuationStream: fc.Arbitrary<HostileStream> = fc.record({
  kind: fc.constant("continuation" as const),
  sequenceId: u8,
  nextHeader: fc.oneof(
    bytes(4, 4),
    fc.tuple(u8, u8).map(([length, sequenceId]) => Buffer.from([length, 0, 0, sequenceId])),
  ),
  tail: bytes(40),
});

function hostileBytes(spec: HostileStream): Buffer {
  switch (spec.kind) {
    case "bytes":
      return spec.bytes;
    case "mutated":
      return mutate(streamOf(spec.packets).stream, spec.mutations);
    case "continuation": {
      const header = Buffer.from([0xff, 0xff, 0xff, spec.sequenceId]);
      return Buffer.concat([header, Buffer.alloc(MAX_PACKET_LENGTH, 0x61), spec.nextHeader, spec.tail]);
    }
  }
}

interface Drained {
  packets: Packet[];
  error: { name: string; message: string } | null;
}

/** Pushes every chunk (then empty pushes) until the stream is used up or the framer throws. */
function drain(
  framer: PacketFramer,
  chunks: readonly Buffer[],
  limits: ReadonlyArray<number | null> = [],
): Drained {
  const packets: Packet[] = [];
  const push = (chunk: Buffer, limit: number | null | undefined) => {
    try {
      const out = framer.push(chunk, limit ? { limit } : {});
      packets.push(...out);
      return out.length;
    } catch (error) {
      expectTypedError(error, [PacketTooLargeError, PacketSequenceError], "PacketFramer.push");
      return error;
    }
  };
  for (const [i, chunk] of chunks.entries()) {
    const result = push(chunk, limits.length > 0 ? limits[i % limits.length] : null);
    if (result instanceof ProtocolError)
      return { packets, error: { name: result.name, message: result.message } };
  }
  for (;;) {
    const result = push(Buffer.alloc(0), null);
    if (result instanceof ProtocolError)
      return { packets, error: { name: result.name, message: result.message } };
    if (result === 0) return { packets, error: null };
  }
}

const pushLimits = fc.array(fc.option(fc.integer({ min: 1, max: 3 })), { maxLength: 4 });

/** One chunk and any split, with any push limits, give the packets the stream was made of. */
function checkSplitInvariance(
  specs: readonly PacketSpec[],
  cutPoints: readonly number[],
  limits: ReadonlyArray<number | null>,
): void {
  const { stream, expected } = streamOf(specs);
  const whole = new PacketFramer({ maxPayloadLength: FRAMER_TEST_MAX });
  assertSamePackets(whole.push(stream), expected, "one chunk");
  const split = new PacketFramer({ maxPayloadLength: FRAMER_TEST_MAX });
  const drained = drain(split, chunksAt(stream, cutPoints), limits);
  assert.equal(drained.error, null);
  assertSamePackets(drained.packets, expected, "split");
  assert.equal(split.bufferedLength, 0);
}

/** After any prefix of the chunks, packets handed out + takeRemainder() = the bytes pushed. */
function checkTakeRemainder(
  specs: readonly PacketSpec[],
  cutPoints: readonly number[],
  stopAt: number,
  limit: number | null,
): void {
  const { stream, expected } = streamOf(specs);
  const chunks = chunksAt(stream, cutPoints);
  const pushedChunks = chunks.slice(0, stopAt % (chunks.length + 1));
  const framer = new PacketFramer({ maxPayloadLength: FRAMER_TEST_MAX });
  const handedOut: Packet[] = [];
  for (const chunk of pushedChunks) handedOut.push(...framer.push(chunk, limit ? { limit } : {}));
  const remainder = framer.takeRemainder();
  assert.equal(framer.bufferedLength, 0);
  const pushed = Buffer.concat(pushedChunks);
  const reassembled = Buffer.concat([
    ...handedOut.map((p) => encodePacket(p.payload, p.sequenceId)),
    remainder,
  ]);
  if (!reassembled.equals(pushed)) {
    throw new Error(`handed out + remainder is ${reassembled.length} bytes, pushed ${pushed.length}`);
  }
  assertSamePackets(handedOut, expected.slice(0, handedOut.length), "handed out");
  // The remainder and the rest of the stream, framed afresh, give the packets not handed out.
  const rest = new PacketFramer({ maxPayloadLength: FRAMER_TEST_MAX });
  assertSamePackets(
    rest.push(Buffer.concat([remainder, stream.subarray(pushed.length)])),
    expected.slice(handedOut.length),
    "rest",
  );
}

/** Packets or a typed error only; the same for any split as for one chunk; none above the maximum. */
function checkHostile(spec: HostileStream, max: number, cutPoints: readonly number[]): void {
  const stream = hostileBytes(spec);
  const whole = drain(new PacketFramer({ maxPayloadLength: max }), [stream]);
  const split = drain(new PacketFramer({ maxPayloadLength: max }), chunksAt(stream, cutPoints));
  assert.deepStrictEqual(split.error, whole.error);
  assertSamePackets(split.packets, whole.packets, "split vs one chunk");
  for (const packet of whole.packets) {
    if (packet.payload.length > max) {
      throw new Error(`a ${packet.payload.length}-byte payload passed a maximum of ${max}`);
    }
  }
}

const maxima = fc.oneof(fc.nat({ max: 64 }), fc.nat({ max: 400 }), fc.constant(FRAMER_TEST_MAX));

type LargeCase =
  | { check: "split"; specs: PacketSpec[]; cuts: number[]; limits: Array<number | null> }
  | { check: "takeRemainder"; specs: PacketSpec[]; cuts: number[]; stopAt: number; limit: number | null }
  | { check: "hostile"; spec: HostileStream; max: number; cuts: number[] };

const largeCase: fc.Arbitrary<LargeCase> = fc.oneof(
  fc.record({ check: fc.constant("split" as const), specs: largeStream, cuts, limits: pushLimits }),
  fc.record({
    check: fc.constant("takeRemainder" as const),
    specs: largeStream,
    cuts,
    stopAt: fc.nat(),
    limit: fc.option(fc.integer({ min: 1, max: 3 })),
  }),
  fc.record({ check: fc.constant("hostile" as const), spec: continuationStream, max: maxima, cuts }),
);

export const framerProperties: FuzzProperty[] = [
  syncProperty(
    "PacketFramer: any split of a valid packet stream (with any push limits) yields the same packets as one chunk",
    300,
    fc.tuple(smallStream, cuts, pushLimits),
    ([specs, cutPoints, limits]) => checkSplitInvariance(specs, cutPoints, limits),
  ),
  syncProperty(
    "PacketFramer.takeRemainder: after any prefix of a split stream, the packets handed out plus the remainder are exactly the bytes pushed",
    300,
    fc.tuple(smallStream, cuts, fc.nat(), fc.option(fc.integer({ min: 1, max: 3 }))),
    ([specs, cutPoints, stopAt, limit]) => checkTakeRemainder(specs, cutPoints, stopAt, limit),
  ),
  syncProperty(
    "PacketFramer on any bytes, any split, any maximum: packets or PacketTooLargeError/PacketSequenceError only, the same as one chunk, no payload above the maximum",
    400,
    fc.tuple(smallHostileStream, maxima, cuts),
    ([spec, max, cutPoints]) => checkHostile(spec, max, cutPoints),
  ),
  syncProperty(
    "PacketFramer with 16 MiB packets (continuation frames, any continuation header): the three properties above",
    4,
    largeCase,
    (c) => {
      if (c.check === "split") checkSplitInvariance(c.specs, c.cuts, c.limits);
      else if (c.check === "takeRemainder") checkTakeRemainder(c.specs, c.cuts, c.stopAt, c.limit);
      else checkHostile(c.spec, c.max, c.cuts);
    },
    3,
  ),
];

// ---- the pre-auth state machine over real sockets ------------------------------------------------

/** A piece of what the client writes after the greeting; the pieces are concatenated. */
type Piece =
  | { kind: "random"; bytes: Buffer }
  /** A payload framed with the next sequence id (null) or the one given. */
  | { kind: "frame"; sequenceId: number | null; payload: Buffer }
  | { kind: "ssl-request"; sequenceId: number | null; request: SslRequest }
  /** A HandshakeResponse41 whose auth data is computed against the greeting's nonce. */
  | {
      kind: "login";
      sequenceId: number | null;
      response: HandshakeResponse41;
      password: "right" | "wrong" | "none";
    }
  | { kind: "login-320"; sequenceId: number | null; response: HandshakeResponse320 }
  /** A frame header alone: an oversized claim, or the start of a truncated packet. */
  | { kind: "header"; length: number; sequenceId: number | null }
  /** A real ClientHello, mutated. */
  | { kind: "client-hello"; mutations: Mutation[] }
  /** A TLS record header and a body that may not match it. */
  | { kind: "tls-record"; contentType: number; version: number; length: number; body: Buffer }
  /** A command packet (sequence id 0). */
  | { kind: "command"; command: number; body: Buffer }
  /** Auth data after a switch or a "more data" (key requests, passwords, anything). */
  | { kind: "auth-data"; sequenceId: number | null; data: Buffer | "password" };

type Ending = "half-close" | "keep-open" | "destroy" | "reset";

/** One connection of the pre-auth property. */
export interface ConnectionScenario {
  server: "tls" | "plain";
  /** Complete a real TLS handshake first, then write the pieces inside TLS. */
  insideTls: boolean;
  pieces: Piece[];
  /** Cut the written bytes to this length (modulo their length + 1), or not. */
  truncateTo: number | null;
  cuts: number[];
  /** Pause after each chunk (cycled). */
  delaysMs: number[];
  /** Inside TLS: bytes then written to the TCP socket underneath, breaking the TLS record stream. */
  tcpGarbage: Buffer | null;
  ending: Ending;
}

/** Mostly the next id in order (null); now and then any id. */
const sequenceId: fc.Arbitrary<number | null> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 5 },
  { arbitrary: u8, weight: 1 },
);

const randomPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("random" as const),
  bytes: bytes(200, 1),
});

const sslRequestPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("ssl-request" as const),
  sequenceId,
  request: fc.oneof(
    // What a real client sends (the raw test client's SSLRequest), decoded so counterexamples show its fields.
    { arbitrary: fc.constant(decodeSslRequest(standardSslRequest())), weight: 3 },
    {
      arbitrary: sslRequest.map((r) => ({
        ...r,
        capabilityFlags: (r.capabilityFlags | CapabilityFlags.CLIENT_SSL) >>> 0,
      })),
      weight: 2,
    },
  ),
});

const loginPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("login" as const),
  sequenceId,
  response: fc.oneof(
    {
      arbitrary: fc.record({
        capabilityFlags: fc.constant(CLIENT_CAPABILITIES),
        maxPacketSize: fc.constant(0x1000000),
        characterSet: fc.constant(33),
        reserved: fc.constant(Buffer.alloc(23)),
        username: fc.oneof(
          { arbitrary: fc.constant(DEFAULT_ACCOUNT.user), weight: 4 },
          { arbitrary: fc.constantFrom(...PLAIN_SERVER_ACCOUNTS.map((a) => a.user)), weight: 2 },
          { arbitrary: nulFreeText(12), weight: 1 },
        ),
        authResponse: fc.constant(Buffer.alloc(0)),
        authPluginName: fc.oneof(
          { arbitrary: fc.constant("mysql_native_password"), weight: 4 },
          {
            arbitrary: fc.constantFrom("caching_sha2_password", "sha256_password", "mysql_clear_password"),
            weight: 1,
          },
        ),
        connectAttributes: fc.array(fc.tuple(text(8), text(8)), { maxLength: 2 }),
      }),
      weight: 3,
    },
    { arbitrary: handshakeResponse41, weight: 2 },
  ),
  password: fc.constantFrom("right" as const, "right" as const, "wrong" as const, "none" as const),
});

const login320Piece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("login-320" as const),
  sequenceId,
  response: handshakeResponse320,
});

const framePiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("frame" as const),
  sequenceId,
  payload: fc.oneof(bytes(60), hostile(handshakeResponse41.map(encodeHandshakeResponse41))),
});

const headerPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("header" as const),
  // Claims around max_allowed_packet (4 MiB by default), the 0xFFFFFF continuation mark, or small.
  length: fc.oneof(u24, fc.constantFrom(0xffffff, 0x400000, 0x400001, 0x3fffff), fc.nat({ max: 64 })),
  sequenceId,
});

const clientHelloPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("client-hello" as const),
  mutations: fc.oneof(
    fc.constant<Mutation[]>([]),
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
    fc.nat({ max: 600 }).map((at): Mutation[] => [{ op: "truncate", at }]),
  ),
});

const tlsRecordPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("tls-record" as const),
  contentType: fc.oneof(fc.constantFrom(0x14, 0x15, 0x16, 0x17), u8),
  version: fc.oneof(fc.constantFrom(0x0300, 0x0301, 0x0302, 0x0303, 0x0304), u16),
  length: fc.oneof(fc.nat({ max: 80 }), u16),
  body: bytes(80),
});

const commandPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("command" as const),
  command: fc.oneof(fc.constantFrom(0x01, 0x02, 0x03, 0x0e, 0x1b, 0x04, 0x09, 0x1f), u8),
  body: fc.oneof(
    bytes(40),
    fc
      .constantFrom(
        "select @@version_comment limit 1",
        "SELECT 1",
        "SHOW STATUS LIKE 'Ssl_%'",
        "SHOW VARIABLES LIKE '%ssl%'",
        "SELECT @@session.auto_increment_increment AS x, CONNECTION_ID()",
        "SET NAMES utf8mb4",
        "USE test",
      )
      .chain((sql) =>
        fc.array(mutation, { maxLength: 2 }).map((mutations) => mutate(Buffer.from(sql), mutations)),
      ),
    text(40).map((sql) => Buffer.from(sql, "utf8")),
  ),
});

const authDataPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("auth-data" as const),
  sequenceId,
  data: fc.oneof(
    fc.constant("password" as const),
    fc.constantFrom(Buffer.from([0x01]), Buffer.from([0x02]), Buffer.from([0x00]), Buffer.alloc(0)),
    bytes(40),
    bytes(256, 256),
  ),
});

const anyPiece: fc.Arbitrary<Piece> = fc.oneof(
  authDataPiece,
  randomPiece,
  framePiece,
  sslRequestPiece,
  loginPiece,
  login320Piece,
  headerPiece,
  clientHelloPiece,
  tlsRecordPiece,
  commandPiece,
);

/** Streams a client could plausibly send, gone wrong somewhere, then maybe garbage. */
const plausiblePieces: fc.Arbitrary<Piece[]> = fc
  .tuple(
    fc.oneof(
      // SSLRequest, then what should be a ClientHello.
      {
        arbitrary: fc.tuple(
          sslRequestPiece,
          fc.oneof(clientHelloPiece, clientHelloPiece, tlsRecordPiece, randomPiece, framePiece, loginPiece),
        ),
        weight: 3,
      },
      // A login (right or wrong), then commands or garbage.
      {
        arbitrary: fc.tuple(
          loginPiece,
          fc.array(
            fc.oneof(commandPiece, commandPiece, authDataPiece, authDataPiece, randomPiece, framePiece),
            {
              maxLength: 3,
            },
          ),
        ),
        weight: 3,
      },
      fc.tuple(login320Piece),
      fc.tuple(headerPiece),
      fc.tuple(framePiece),
      { arbitrary: fc.array(anyPiece, { minLength: 1, maxLength: 4 }), weight: 2 },
    ),
    fc.option(randomPiece, { freq: 2 }),
  )
  .map(([pieces, tail]) => (tail === null ? [...pieces.flat()] : [...pieces.flat(), tail]));

/** What a client writes inside an established TLS session. */
const insideTlsPieces: fc.Arbitrary<Piece[]> = fc.oneof(
  fc.tuple(randomPiece).map((p) => [...p]),
  fc
    .tuple(
      loginPiece,
      fc.array(fc.oneof(commandPiece, authDataPiece, randomPiece, framePiece), { maxLength: 3 }),
    )
    .map(([login, rest]) => [login, ...rest]),
  fc.array(fc.oneof(framePiece, loginPiece, login320Piece, headerPiece, randomPiece, commandPiece), {
    minLength: 1,
    maxLength: 3,
  }),
);

const ending: fc.Arbitrary<Ending> = fc.oneof(
  { arbitrary: fc.constant("half-close" as const), weight: 4 },
  { arbitrary: fc.constant("keep-open" as const), weight: 2 },
  { arbitrary: fc.constant("destroy" as const), weight: 1 },
  { arbitrary: fc.constant("reset" as const), weight: 1 },
);

/** Most chunks go out at once; now and then the client pauses up to 20 ms. */
const MAX_PAUSE_MS = 20;
/** At most 65 chunks (64 cuts), so at most this much pausing per connection. */
const MAX_PAUSES_MS = 65 * MAX_PAUSE_MS;

const delays = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: MAX_PAUSE_MS })), {
  maxLength: 4,
});

/** A TLS alert, a record of any type, or random bytes on the TCP socket under a TLS session. */
const tcpGarbage: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(
    Buffer.from("15030300020228", "hex"), // fatal handshake_failure alert, unencrypted
    Buffer.from("15030300020100", "hex"), // close_notify, unencrypted
  ),
  tlsRecordPiece.map(tlsRecordBytes),
  bytes(64, 1),
);

function scenario(
  server: fc.Arbitrary<"tls" | "plain">,
  insideTls: boolean,
  pieces: fc.Arbitrary<Piece[]>,
): fc.Arbitrary<ConnectionScenario> {
  return fc.record({
    server,
    insideTls: fc.constant(insideTls),
    pieces,
    truncateTo: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.nat(), weight: 1 }),
    cuts,
    delaysMs: delays,
    tcpGarbage: insideTls
      ? fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: tcpGarbage, weight: 1 })
      : fc.constant(null),
    ending,
  });
}

function tlsRecordBytes(piece: Piece): Buffer {
  if (piece.kind !== "tls-record") throw new Error(`not a TLS record: ${piece.kind}`);
  const header = [
    piece.contentType,
    piece.version >> 8,
    piece.version & 0xff,
    piece.length >> 8,
    piece.length & 0xff,
  ];
  return Buffer.concat([Buffer.from(header), piece.body]);
}

/** The bytes of the pieces, sequence ids counted from `firstSequenceId` where a piece gives none. */
function materialize(
  pieces: readonly Piece[],
  greeting: HandshakeV10,
  clientHello: Buffer,
  firstSequenceId: number,
): Buffer {
  let next = firstSequenceId;
  let passwordSent = DEFAULT_ACCOUNT.password;
  const frame = (payload: Buffer, given: number | null) => {
    const id = given ?? next;
    next = (id + framesSequenceSpan(payload.length)) & 0xff;
    return encodePacket(payload, id);
  };
  return Buffer.concat(
    pieces.map((piece) => {
      switch (piece.kind) {
        case "random":
          return piece.bytes;
        case "frame":
          return frame(piece.payload, piece.sequenceId);
        case "ssl-request":
          return frame(encodeSslRequest(piece.request), piece.sequenceId);
        case "login": {
          const password = passwordOf(piece.response.username);
          const plugin = piece.response.authPluginName ?? "mysql_native_password";
          const authResponse =
            piece.password === "none"
              ? Buffer.alloc(0)
              : replyFor(plugin, piece.password === "right" ? password : "not-it", greeting);
          let payload: Buffer;
          try {
            payload = encodeHandshakeResponse41({ ...piece.response, authResponse });
          } catch {
            // A 1-byte-length or NUL-terminated auth response that cannot hold this reply.
            payload = encodeHandshakeResponse41(piece.response);
          }
          passwordSent = password;
          return frame(payload, piece.sequenceId);
        }
        case "auth-data":
          return frame(
            piece.data === "password" ? Buffer.from(`${passwordSent}\0`) : piece.data,
            piece.sequenceId,
          );
        case "login-320":
          return frame(encodeHandshakeResponse320(piece.response), piece.sequenceId);
        case "header": {
          const id = piece.sequenceId ?? next;
          return Buffer.from([piece.length & 0xff, (piece.length >> 8) & 0xff, piece.length >> 16, id]);
        }
        case "client-hello":
          return mutate(clientHello, piece.mutations);
        case "tls-record":
          return tlsRecordBytes(piece);
        case "command":
          next = 0;
          return frame(encodeCommand(piece.command, piece.body), 0);
      }
    }),
  );
}

/** The password of a fuzz account, or a made-up one for any other user name. */
function passwordOf(user: string): string {
  return PLAIN_SERVER_ACCOUNTS.find((a) => a.user === user)?.password ?? "no-such-account";
}

/** What a client of `plugin` sends first for `password`. */
function replyFor(plugin: string, password: string, greeting: HandshakeV10): Buffer {
  switch (plugin) {
    case "caching_sha2_password":
      return computeCachingSha2Reply(password, greeting.authPluginData);
    case "sha256_password":
      // Over plaintext: ask for the server's RSA key.
      return Buffer.from([0x01]);
    case "mysql_clear_password":
      return Buffer.from(`${password}\0`);
    default:
      return computeNativePasswordReply(password, greeting.authPluginData);
  }
}

const PHASES = new Set([
  "greeting",
  "handshake-response",
  "tls-handshake",
  "tls-handshake-response",
  "authentication",
  "command",
  "closed",
]);

/** The record ended, and says why in the terms of its kind. */
function assertEndedWithReason(record: ConnectionRecord): void {
  const outcome = record.outcome;
  const bad = (why: string) => new Error(`connection #${record.id} ${why}: ${JSON.stringify(outcome)}`);
  if (record.endedAt === null) throw bad("has no endedAt");
  if (record.phase !== "closed") throw bad(`is closed but its phase is ${record.phase}`);
  switch (outcome.kind) {
    case "pending":
      throw bad("closed with its outcome still pending");
    case "authenticated":
      if (outcome.ended === null) throw bad("was authenticated and closed without saying how it ended");
      break;
    case "refused":
      if (!(outcome.code > 0) || !/^[0-9A-Z]{5}$/.test(outcome.sqlState) || outcome.message === "") {
        throw bad("was refused without a code, SQLSTATE and message");
      }
      break;
    case "tls-failed":
      if (!outcome.failure.cause || !outcome.failure.message)
        throw bad("failed TLS without a cause and message");
      break;
    case "client-went-away":
      if (!PHASES.has(outcome.phase) || (outcome.how !== "closed" && outcome.how !== "reset")) {
        throw bad("says the client went away without a phase and how");
      }
      break;
    case "protocol-error":
      if (!PHASES.has(outcome.phase) || outcome.message === "")
        throw bad("is a protocol error without a phase and message");
      break;
    case "timeout":
      if (!PHASES.has(outcome.phase)) throw bad("timed out without a phase");
      break;
    case "fault":
    case "server-stopped":
      throw bad("ended in a way no fuzz run can cause (no faults are configured, the server runs on)");
    default:
      throw bad("has an outcome kind the property does not know");
  }
}

/** Slack on top of the server's own timeouts before a wait counts as a hang. */
const SLACK_MS = 3000;
/** How long the server may take to close after its verdict (its close grace is 2 s). */
const CLOSE_BOUND_MS = 2000 + SLACK_MS;

/**
 * The number (1-based, as `waitForConnection` takes it) of the connection from `port`: the newest
 * such one, since a long run reuses ports. Its record exists once the client has the greeting.
 */
function connectionNumber(server: MockServer, port: number): number {
  const records = server.connections;
  for (let i = records.length - 1; i >= 0; i--) if (records[i]!.client.port === port) return i + 1;
  throw new Error(`the server has no record of the connection from port ${port}`);
}

async function runConnection(
  harness: PreAuthHarness,
  s: ConnectionScenario,
  watch: EscapeWatch,
): Promise<void> {
  const timeoutMs = harness.options.connectTimeoutMs;
  const server = harness.server(s.server);
  const client = await BareClient.connect(server.port, SLACK_MS);
  try {
    const greeting = await client.greeting(SLACK_MS);
    const n = connectionNumber(server, client.localPort);
    const record = server.connections[n - 1]!;
    const closed = server.waitForConnection(n);
    if (s.insideTls) {
      try {
        await client.startTls(encodePacket(standardSslRequest(), 1), timeoutMs + SLACK_MS);
      } catch (error) {
        // On a machine too slow for the connect timeout the server rightly ends a valid handshake;
        // any other failure of a valid handshake is the server's.
        await within(
          timeoutMs + SLACK_MS + CLOSE_BOUND_MS,
          closed,
          () => `TLS failed (${String(error)}) and the connection stayed open`,
        );
        const outcome = record.outcome;
        if (
          outcome.kind === "timeout" ||
          (outcome.kind === "tls-failed" && outcome.failure.cause === "timeout")
        ) {
          assertEndedWithReason(record);
          return;
        }
        throw new Error(`a valid TLS handshake failed: ${String(error)}; outcome ${JSON.stringify(outcome)}`);
      }
    } else {
      client.stopFraming();
    }

    let stream = materialize(s.pieces, greeting, harness.clientHello, s.insideTls ? 2 : 1);
    if (s.truncateTo !== null) stream = stream.subarray(0, s.truncateTo % (stream.length + 1));
    const out = client.output;
    let delayed = 0;
    for (const [i, chunk] of chunksAt(stream, s.cuts).entries()) {
      if (out.destroyed || !out.writable) break;
      out.write(chunk);
      const pause = s.delaysMs.length > 0 ? s.delaysMs[i % s.delaysMs.length]! : 0;
      if (pause > 0) {
        delayed += pause;
        await sleep(pause);
      }
    }
    if (s.tcpGarbage !== null && !client.socket.destroyed) client.socket.write(s.tcpGarbage);
    switch (s.ending) {
      case "half-close":
        out.end();
        break;
      case "keep-open":
        break;
      case "destroy":
        client.destroy();
        break;
      case "reset":
        client.tlsSocket?.destroy();
        client.socket.resetAndDestroy();
        break;
    }

    // The server must settle the connection on its own: a stalled one by its connect timeout.
    const outcomeBound = timeoutMs + delayed + SLACK_MS;
    await until(
      () => record.outcome.kind !== "pending",
      outcomeBound,
      () =>
        `connection #${record.id} still pending ${outcomeBound} ms after the client stopped writing (phase ${record.phase})`,
    );
    // A logged-in session waits for commands for ever (wait_timeout): the client leaves.
    if (record.outcome.kind === "authenticated") out.end();
    await within(
      CLOSE_BOUND_MS,
      closed,
      () =>
        `connection #${record.id} not closed ${CLOSE_BOUND_MS} ms after its outcome ${JSON.stringify(record.outcome)} (phase ${record.phase})`,
    );
    assertEndedWithReason(record);
  } finally {
    client.destroy();
  }
  watch.throwIfEscaped();
  // Still accepting: a fresh, valid login goes through.
  await bareLogin(server, timeoutMs + SLACK_MS);
  watch.throwIfEscaped();
}

/** Runs each scenario's connection at the same time as the others. */
function preAuthProperty(
  name: string,
  ciRuns: number,
  arbitrary: fc.Arbitrary<ConnectionScenario[]>,
  weight = 1,
): PreAuthProperty {
  return {
    name,
    ciRuns,
    weight,
    check: async (params, harness) => {
      const watch = new EscapeWatch().install();
      try {
        const property = fc.asyncProperty(arbitrary, async (scenarios) => {
          params.onRun?.();
          const results = await Promise.allSettled(scenarios.map((s) => runConnection(harness, s, watch)));
          const failure = results.find((r) => r.status === "rejected");
          if (failure) throw (failure as PromiseRejectedResult).reason;
        });
        const details = (await fc.check(property, {
          ...fastCheckParameters(params),
          // A run that outlives every bound of runConnection is a hang.
          timeout: 3 * harness.options.connectTimeoutMs + 2 * MAX_PAUSES_MS + 6 * SLACK_MS + CLOSE_BOUND_MS,
        })) as fc.RunDetails<unknown>;
        if (details.failed) return details;
        // After every run: still accepting real drivers, and nothing escaped in between.
        await harness.checkMysql2Logins();
        watch.throwIfEscaped();
        return details;
      } finally {
        watch.dispose();
      }
    },
  };
}

const eitherServer = fc.constantFrom("tls" as const, "plain" as const);
const one = (arbitrary: fc.Arbitrary<ConnectionScenario>) => arbitrary.map((s) => [s]);
const randomScenario = scenario(eitherServer, false, fc.array(randomPiece, { minLength: 1, maxLength: 3 }));
const plausibleScenario = scenario(eitherServer, false, plausiblePieces);
const insideTlsScenario = scenario(fc.constant("tls" as const), true, insideTlsPieces);

/**
 * The pre-auth properties, over the harness's two servers (TLS on with default options, and TLS
 * off with SHA-2 accounts too). Each run opens one connection (the last property: two to four at
 * once), reads the greeting, writes a byte stream split at random points with small random pauses,
 * then half-closes, stays open, drops or resets the connection; the server must give the
 * connection an outcome with a reason (a stall ends by the connect timeout), close it, let no
 * exception escape, and still log in a valid client afterwards — and mysql2 after the last run. The harness is `check`'s second argument.
 */
export const preAuthProperties: readonly PreAuthProperty[] = [
  preAuthProperty(
    "pre-auth, random bytes after the greeting: every connection ends with a reason, nothing escapes, logins still work",
    25,
    one(randomScenario),
  ),
  preAuthProperty(
    "pre-auth, plausible streams (SSLRequest, logins, oversized or truncated frames, wrong sequence ids, ClientHellos, TLS records) then garbage: every connection ends with a reason, nothing escapes, logins still work",
    40,
    one(plausibleScenario),
    2,
  ),
  preAuthProperty(
    "pre-auth inside TLS, any bytes after a real TLS handshake (or under it, on the TCP socket): every connection ends with a reason, nothing escapes, logins still work",
    20,
    one(insideTlsScenario),
  ),
  preAuthProperty(
    "pre-auth, two to four of the connections above at once: each ends with a reason, nothing escapes, logins still work",
    8,
    fc.array(fc.oneof(randomScenario, plausibleScenario, plausibleScenario, insideTlsScenario), {
      minLength: 2,
      maxLength: 4,
    }),
  ),
];
