/**
 * fast-check arbitraries for the wire protocol: valid field values for every packet, and hostile
 * bytes made from them (truncated, overwritten, spliced), which reach far deeper into a decoder
 * than uniformly random bytes do.
 */
import fc from "fast-check";
import { CapabilityFlags, ServerStatus } from "../../src/protocol/constants";
import type { AuthMoreData } from "../../src/protocol/packets/auth-more-data";
import type { AuthSwitchRequest } from "../../src/protocol/packets/auth-switch-request";
import type { ColumnDefinition41 } from "../../src/protocol/packets/column-definition-41";
import type { EofPacket } from "../../src/protocol/packets/eof-packet";
import type { ErrPacket } from "../../src/protocol/packets/err-packet";
import type { HandshakeResponse41 } from "../../src/protocol/packets/handshake-response-41";
import type { HandshakeResponse320 } from "../../src/protocol/packets/handshake-response-320";
import type { HandshakeV10 } from "../../src/protocol/packets/handshake-v10";
import type { OkPacket } from "../../src/protocol/packets/ok-packet";
import type { SslRequest } from "../../src/protocol/packets/ssl-request";
import type { TextRowValue } from "../../src/protocol/packets/text-row";
import type { ComBinlogDump } from "../../src/protocol/packets/com-binlog-dump";
import type { ComRegisterSlave } from "../../src/protocol/packets/com-register-slave";

/** fc.record without null-prototype objects, which deep equality against decoded packets would reject. */
const record = ((model: Record<string, fc.Arbitrary<unknown>>, constraints?: { requiredKeys?: string[] }) =>
  fc.record(model, { ...constraints, noNullPrototype: true })) as typeof fc.record;

// ---- scalars -----------------------------------------------------------------------------------

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u24 = fc.integer({ min: 0, max: 0xffffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });

/** Integers that exercise every length-encoded form: 1, 3, 4 and 9 bytes. */
export const lenencNumber = fc.oneof(
  fc.integer({ min: 0, max: 0xfa }),
  fc.integer({ min: 0xfb, max: 0xffff }),
  fc.integer({ min: 0x10000, max: 0xffffff }),
  fc.integer({ min: 0x1000000, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0xfa, 0xfb, 0xffff, 0x10000, 0xffffff, 0x1000000, Number.MAX_SAFE_INTEGER),
);

export function bytes(maxLength = 64, minLength = 0): fc.Arbitrary<Buffer> {
  return fc.uint8Array({ minLength, maxLength }).map((array) => Buffer.from(array));
}

/** Bytes with every NUL removed, for NUL-terminated fields. */
export function nulFreeBytes(maxLength = 64): fc.Arbitrary<Buffer> {
  return bytes(maxLength).map((buffer) => Buffer.from(buffer.filter((byte) => byte !== 0)));
}

/** Any Unicode text (no lone surrogates, so UTF-8 round-trips). */
export function text(maxLength = 24): fc.Arbitrary<string> {
  return fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength }), fc.string({ unit: "binary", maxLength }));
}

/** Text without U+0000, for NUL-terminated strings. */
export function nulFreeText(maxLength = 24): fc.Arbitrary<string> {
  return text(maxLength).map((s) => s.replaceAll("\0", ""));
}

/** Every named capability bit, so combinations of real flags come up as often as random words. */
const CAPABILITY_BITS = [...new Set(Object.values(CapabilityFlags))];

export const capabilityFlags: fc.Arbitrary<number> = fc.oneof(
  u32,
  fc.subarray(CAPABILITY_BITS).map((bits) => bits.reduce((word, bit) => (word | bit) >>> 0, 0)),
  fc.constantFrom(0, 0xffffffff, 0x0006f3cf, 0x01bea205, 0x08baf3cf, 0x00bfa28d, 0xc1ffffff, 0x81fff7ff),
);

export const statusFlags: fc.Arbitrary<number> = fc.oneof(
  u16,
  fc.constantFrom(0, 0x0002, ServerStatus.SERVER_SESSION_STATE_CHANGED | 0x0002, 0xffff),
);

export function has(caps: number, flag: number): boolean {
  return (caps & flag) !== 0;
}

// ---- hostile bytes -----------------------------------------------------------------------------

/** Values a length-encoded integer or a marker treats specially. */
const SPECIAL_BYTES = fc.constantFrom(0x00, 0x01, 0x0a, 0x0c, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff);

export type Mutation =
  | { op: "set"; at: number; byte: number }
  | { op: "insert"; at: number; bytes: Buffer }
  | { op: "delete"; at: number; count: number }
  | { op: "truncate"; at: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  record({ op: fc.constant("set" as const), at: fc.nat(), byte: fc.oneof(SPECIAL_BYTES, u8) }),
  record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: bytes(12, 1) }),
  record({ op: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);

/** Applies mutations in order; positions wrap around the current length. */
export function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(input);
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    switch (m.op) {
      case "set":
        if (out.length > 0) out[at % out.length] = m.byte;
        break;
      case "insert":
        out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
        break;
      case "delete":
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.count)]);
        break;
      case "truncate":
        out = out.subarray(0, at);
        break;
    }
  }
  return out;
}

/**
 * Hostile payloads around valid ones: fully random bytes, the valid encoding itself, and the
 * valid encoding truncated, overwritten, spliced.
 */
export function hostile(valid: fc.Arbitrary<Buffer>, maxRandomLength = 160): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { arbitrary: bytes(maxRandomLength), weight: 2 },
    { arbitrary: valid, weight: 1 },
    {
      arbitrary: fc
        .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }))
        .map(([payload, mutations]) => mutate(payload, mutations)),
      weight: 5,
    },
  );
}

/** Split points for a buffer of `length` bytes: sorted, distinct, strictly inside. */
export function chunksAt(buffer: Buffer, cuts: readonly number[]): Buffer[] {
  if (buffer.length === 0) return [buffer];
  const points = [...new Set(cuts.map((c) => (c % (buffer.length - 1 || 1)) + 1))]
    .filter((p) => p > 0 && p < buffer.length)
    .sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(buffer.subarray(start, point));
    start = point;
  }
  chunks.push(buffer.subarray(start));
  return chunks;
}

/** Cut points: none, a few, or many (down to one byte at a time). */
export const cuts: fc.Arbitrary<number[]> = fc.oneof(
  fc.constant<number[]>([]),
  fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  fc.array(fc.nat(), { minLength: 8, maxLength: 64 }),
);

// ---- valid packets -----------------------------------------------------------------------------

export const authMoreData: fc.Arbitrary<AuthMoreData> = record({ data: bytes(80) });

export const authSwitchRequest: fc.Arbitrary<AuthSwitchRequest> = record({
  pluginName: nulFreeText(30),
  pluginData: bytes(40),
});

export const columnDefinition: fc.Arbitrary<ColumnDefinition41> = record({
  catalog: fc.oneof(fc.constant("def"), text(8)),
  schema: text(12),
  table: text(12),
  orgTable: text(12),
  name: text(12),
  orgName: text(12),
  characterSet: u16,
  columnLength: u32,
  columnType: u8,
  flags: u16,
  decimals: u8,
});

export const eofPacket: fc.Arbitrary<EofPacket> = record({
  warnings: fc.oneof(u16, fc.integer({ min: 0x10000, max: 100_000 })),
  statusFlags: statusFlags,
});

/** Five printable ASCII characters. */
const sqlState = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 5,
  maxLength: 5,
});

export const errPacket: fc.Arbitrary<ErrPacket> = record(
  {
    code: u16,
    sqlState,
    message: fc.oneof(text(40), fc.string({ unit: "binary", minLength: 120, maxLength: 400 })),
  },
  { requiredKeys: ["code", "message"] },
);

export const okPacket: fc.Arbitrary<OkPacket> = record(
  {
    header: fc.constantFrom(0x00 as const, 0xfe as const),
    affectedRows: lenencNumber,
    lastInsertId: lenencNumber,
    statusFlags,
    warnings: fc.oneof(u16, fc.integer({ min: 0x10000, max: 100_000 })),
    info: fc.oneof(fc.constant(""), text(40)),
    sessionStateChanges: bytes(40),
  },
  { requiredKeys: ["affectedRows", "lastInsertId", "statusFlags", "warnings"] },
);

export const handshakeResponse320: fc.Arbitrary<HandshakeResponse320> = fc
  .record({
    capabilityFlags: u16,
    maxPacketSize: u24,
    username: nulFreeText(16),
    authResponse: bytes(24),
    database: nulFreeText(16),
  })
  .map((r) => {
    if (has(r.capabilityFlags, CapabilityFlags.CLIENT_CONNECT_WITH_DB)) {
      // NUL-terminated when a database follows.
      return { ...r, authResponse: Buffer.from(r.authResponse.filter((b) => b !== 0)) };
    }
    const { database: _database, ...withoutDatabase } = r;
    return withoutDatabase;
  });

/** A HandshakeResponse41 whose optional fields are exactly those its capability flags announce. */
export const handshakeResponse41: fc.Arbitrary<HandshakeResponse41> = fc
  .record({
    capabilityFlags,
    maxPacketSize: u32,
    characterSet: u8,
    reserved: bytes(23, 23),
    username: nulFreeText(16),
    authResponse: fc.oneof(bytes(32), bytes(300, 250)),
    database: nulFreeText(16),
    authPluginName: fc.oneof(
      fc.constantFrom("mysql_native_password", "caching_sha2_password", "sha256_password", ""),
      nulFreeText(24),
    ),
    connectAttributes: fc.array(fc.tuple(text(12), text(20)), { maxLength: 5 }),
  })
  .map((r) => {
    const caps = r.capabilityFlags;
    const response: HandshakeResponse41 = {
      capabilityFlags: caps,
      maxPacketSize: r.maxPacketSize,
      characterSet: r.characterSet,
      reserved: r.reserved,
      username: r.username,
      authResponse: has(caps, CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)
        ? r.authResponse
        : has(caps, CapabilityFlags.CLIENT_SECURE_CONNECTION)
          ? r.authResponse.subarray(0, 0xff)
          : Buffer.from(r.authResponse.filter((b) => b !== 0)),
    };
    if (has(caps, CapabilityFlags.CLIENT_CONNECT_WITH_DB)) response.database = r.database;
    if (has(caps, CapabilityFlags.CLIENT_PLUGIN_AUTH)) response.authPluginName = r.authPluginName;
    if (has(caps, CapabilityFlags.CLIENT_CONNECT_ATTRS)) response.connectAttributes = r.connectAttributes;
    return response;
  });

/** Any greeting the encoder accepts: a nonce of 8 to 254 bytes, any capability word. */
export const handshakeV10: fc.Arbitrary<HandshakeV10> = record({
  protocolVersion: fc.constant(10),
  serverVersion: nulFreeText(30),
  connectionId: u32,
  authPluginData: fc.oneof(bytes(24, 8), bytes(254, 8)),
  capabilityFlags,
  characterSet: u8,
  statusFlags,
  authPluginName: fc.oneof(
    fc.constantFrom("mysql_native_password", "caching_sha2_password"),
    nulFreeText(24),
  ),
  reserved: bytes(10, 10),
});

export const sslRequest: fc.Arbitrary<SslRequest> = fc.oneof(
  record({
    form: fc.constant("41" as const),
    capabilityFlags: capabilityFlags.map((caps) => (caps | CapabilityFlags.CLIENT_PROTOCOL_41) >>> 0),
    maxPacketSize: u32,
    characterSet: u8,
    reserved: bytes(23, 23),
    trailing: fc.oneof(fc.constant(Buffer.alloc(0)), bytes(60)),
  }),
  record({
    form: fc.constant("320" as const),
    capabilityFlags: u16.map((caps) => caps & ~CapabilityFlags.CLIENT_PROTOCOL_41),
    maxPacketSize: u24,
    characterSet: fc.constant(0),
    reserved: fc.constant(Buffer.alloc(0)),
    trailing: fc.oneof(fc.constant(Buffer.alloc(0)), bytes(60)),
  }),
  record({
    form: fc.constant("caps-only" as const),
    capabilityFlags,
    maxPacketSize: fc.constant(0),
    characterSet: fc.constant(0),
    reserved: fc.constant(Buffer.alloc(0)),
    trailing: fc.constant(Buffer.alloc(0)),
  }),
);

/** A text-row value: NULL, text, bytes, or (rarely) one long enough for a 3- or 4-byte length. */
export const textRowValue: fc.Arbitrary<TextRowValue> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 2 },
  { arbitrary: text(20), weight: 4 },
  { arbitrary: bytes(40), weight: 4 },
  {
    arbitrary: fc.constantFrom(250, 251, 252, 0xffff, 0x10000, 70_000).map((n) => Buffer.alloc(n, 0x61)),
    weight: 1,
  },
);

export const textResultset = fc.integer({ min: 1, max: 4 }).chain((columnCount) =>
  record({
    columns: fc.array(columnDefinition, { minLength: columnCount, maxLength: columnCount }),
    rows: fc.array(fc.array(textRowValue, { minLength: columnCount, maxLength: columnCount }), {
      maxLength: 4,
    }),
  }),
);

/** A short string as COM_REGISTER_SLAVE carries them (at most 255 bytes). */
const shortText = fc.string({ maxLength: 40 });

export const comRegisterSlave: fc.Arbitrary<ComRegisterSlave> = record({
  serverId: u32,
  reportHost: shortText,
  reportUser: shortText,
  reportPassword: shortText,
  reportPort: u16,
  recoveryRank: u32,
  masterId: u32,
});

export const comBinlogDump: fc.Arbitrary<ComBinlogDump> = record({
  position: u32,
  flags: u16,
  serverId: u32,
  fileName: fc.string({ maxLength: 40, unit: fc.constantFrom(..."mariadb-bin.0123456789") }),
});
