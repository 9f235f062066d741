import { dirname, join } from "node:path";

/**
 * mysql2's own packet classes (installed devDependency, 3.24.6), loaded by path: the golden
 * tests compare our bytes with what this real client builds and parses. They have no types.
 */
interface Mysql2Packet {
  buffer: Buffer;
}

interface Mysql2PacketClass {
  new (id: number, buffer: Buffer, start: number, end: number): Mysql2Packet;
}

interface Mysql2SslRequestClass {
  new (flags: number, charset: number): { toPacket(): Mysql2Packet };
}

interface Mysql2HandshakeResponseClass {
  new (handshake: Record<string, unknown>): { toPacket(): Mysql2Packet };
  fromPacket(packet: Mysql2Packet, serverFlags?: number): Record<string, unknown>;
}

interface Mysql2HandshakeClass {
  fromPacket(packet: Mysql2Packet): Record<string, unknown>;
}

interface Mysql2ConnectionConfigClass {
  new (options: Record<string, unknown>): { clientFlags: number; charsetNumber: number };
}

// mysql2's "exports" map hides lib/, so load the files by absolute path.
const root = dirname(require.resolve("mysql2/package.json"));
const load = (file: string): unknown => require(join(root, "lib", file));

export const Mysql2Packet = load("packets/packet.js") as Mysql2PacketClass;
export const Mysql2SslRequest = load("packets/ssl_request.js") as Mysql2SslRequestClass;
export const Mysql2HandshakeResponse = load("packets/handshake_response.js") as Mysql2HandshakeResponseClass;
export const Mysql2Handshake = load("packets/handshake.js") as Mysql2HandshakeClass;
export const Mysql2ConnectionConfig = load("connection_config.js") as Mysql2ConnectionConfigClass;

/** Wraps a framed packet (header included) the way mysql2's reader hands it to `fromPacket`. */
export function mysql2Packet(framed: Buffer): Mysql2Packet {
  return new Mysql2Packet(framed[3]!, framed, 0, framed.length);
}
