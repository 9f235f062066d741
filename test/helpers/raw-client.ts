import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from "node:tls";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { CapabilityFlags } from "../../src/protocol/constants";
import { encodePacket, type Packet, PacketFramer } from "../../src/protocol/framing";
import { encodeHandshakeResponse41 } from "../../src/protocol/packets/handshake-response-41";
import { decodeHandshakeV10, type HandshakeV10 } from "../../src/protocol/packets/handshake-v10";
import { encodeSslRequest } from "../../src/protocol/packets/ssl-request";

/** The capability set a modern 4.1 client sends (libmysqlclient's CLIENT_CAPABILITIES plus a few). */
export const CLIENT_CAPABILITIES =
  (CapabilityFlags.CLIENT_LONG_PASSWORD |
    CapabilityFlags.CLIENT_LONG_FLAG |
    CapabilityFlags.CLIENT_TRANSACTIONS |
    CapabilityFlags.CLIENT_PROTOCOL_41 |
    CapabilityFlags.CLIENT_SECURE_CONNECTION |
    CapabilityFlags.CLIENT_MULTI_RESULTS |
    CapabilityFlags.CLIENT_PLUGIN_AUTH |
    CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA |
    CapabilityFlags.CLIENT_CONNECT_ATTRS) >>>
  0;

/**
 * A hand-driven MySQL client over a real socket, for what no real client does on purpose: bytes
 * split or coalesced at chosen points, garbage, wrong sequence ids.
 */
export class RawClient {
  private readonly framer = new PacketFramer();
  private readonly queue: Packet[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  /** Every chunk as it arrived from the server, in order. */
  readonly chunks: Buffer[] = [];

  private constructor(private stream: Socket | TLSSocket) {
    this.listen(stream);
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await once(socket, "connect");
    return new RawClient(socket);
  }

  private listen(stream: Socket | TLSSocket): void {
    stream.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.queue.push(...this.framer.push(chunk));
      this.waiter?.();
    });
    stream.on("close", () => {
      this.ended = true;
      this.waiter?.();
    });
    stream.on("error", () => {});
  }

  get socket(): Socket | TLSSocket {
    return this.stream;
  }

  /** Waits for the next server packet; null when the server closed first. */
  async read(): Promise<Packet | null> {
    while (this.queue.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = null;
    }
    return this.queue.shift() ?? null;
  }

  async readGreeting(): Promise<HandshakeV10> {
    const packet = await this.read();
    if (!packet) throw new Error("server closed before the greeting");
    return decodeHandshakeV10(packet.payload);
  }

  write(bytes: Buffer): void {
    this.stream.write(bytes);
  }

  send(payload: Buffer, sequenceId: number): void {
    this.stream.write(encodePacket(payload, sequenceId));
  }

  /** Resolves when the server has closed the connection. */
  async closed(): Promise<void> {
    while (!this.ended) await this.read();
  }

  /**
   * Performs a real TLS handshake after an SSLRequest, writing the SSLRequest and the ClientHello
   * in one socket write — as one TCP segment on loopback.
   */
  async startTlsCoalesced(sslRequestSequenceId = 1, tlsOptions: ConnectionOptions = {}): Promise<TLSSocket> {
    const raw = this.stream as Socket;
    raw.removeAllListeners("data");
    const frame = encodePacket(sslRequest(), sslRequestSequenceId);
    let first = true;
    const carrier = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        raw.write(first ? Buffer.concat([frame, chunk]) : chunk, callback);
        first = false;
      },
    });
    raw.on("data", (d: Buffer) => carrier.push(d));
    raw.on("end", () => carrier.push(null));
    const tls = tlsConnect({ socket: carrier, rejectUnauthorized: false, ...tlsOptions });
    await once(tls, "secureConnect");
    this.stream = tls;
    this.listen(tls);
    return tls;
  }

  end(): void {
    this.stream.end();
  }
}

export function sslRequest(capabilities = CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL): Buffer {
  return encodeSslRequest({
    form: "41",
    capabilityFlags: capabilities,
    maxPacketSize: 0x1000000,
    characterSet: 33,
    reserved: Buffer.alloc(23),
    trailing: Buffer.alloc(0),
  });
}

export function handshakeResponse(options: {
  user: string;
  password: string;
  scramble: Buffer;
  plugin?: string;
  capabilities?: number;
}): Buffer {
  return encodeHandshakeResponse41({
    capabilityFlags: options.capabilities ?? CLIENT_CAPABILITIES,
    maxPacketSize: 0x1000000,
    characterSet: 33,
    reserved: Buffer.alloc(23),
    username: options.user,
    authResponse: computeNativePasswordReply(options.password, options.scramble),
    authPluginName: options.plugin ?? "mysql_native_password",
    connectAttributes: [["_client_name", "raw-client"]],
  });
}
