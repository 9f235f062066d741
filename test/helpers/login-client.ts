import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { CapabilityFlags } from "../../src/protocol/constants";
import { encodePacket, type Packet, PacketFramer } from "../../src/protocol/framing";
import { decodeHandshakeV10, type HandshakeV10 } from "../../src/protocol/packets/handshake-v10";
import { CLIENT_CAPABILITIES, handshakeResponse, sslRequest } from "./raw-client";

/** COM_QUIT: one byte, sequence id 0. */
const COM_QUIT = Buffer.from([0x01]);

/**
 * The lightest client that logs in for real: greeting → (SSLRequest → TLS over the same socket →)
 * HandshakeResponse41 with mysql_native_password → OK. Each step is a method, so a test can leave a
 * connection at any point of the login. Many of them at once cost far less than driver connections.
 */
export class LoginClient {
  private readonly queue: Packet[] = [];
  private framer = new PacketFramer();
  private waiter: (() => void) | null = null;
  private stream: Socket | TLSSocket;
  private sequenceId = 1;
  private socketClosed = false;
  /** Resolves when the TCP socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  greeting: HandshakeV10 | null = null;

  private constructor(readonly socket: Socket) {
    this.stream = socket;
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.socketClosed = true;
        this.waiter?.();
        resolve();
      }),
    );
    socket.on("error", () => {});
    this.listen(socket);
  }

  /** Opens the TCP connection; rejects when it cannot be made (e.g. ECONNREFUSED). */
  static async connect(port: number): Promise<LoginClient> {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new LoginClient(socket);
  }

  private readonly onData = (chunk: Buffer) => {
    this.queue.push(...this.framer.push(chunk));
    this.waiter?.();
  };

  private listen(stream: Socket | TLSSocket): void {
    this.stream = stream;
    stream.on("data", this.onData);
  }

  /** The next server packet; rejects when the connection closes first. */
  async read(): Promise<Packet> {
    while (this.queue.length === 0) {
      if (this.socketClosed) throw new Error("the server closed the connection");
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = null;
    }
    return this.queue.shift()!;
  }

  async readGreeting(): Promise<HandshakeV10> {
    this.greeting = decodeHandshakeV10((await this.read()).payload);
    return this.greeting;
  }

  /** Sends the SSLRequest, then runs a TLS handshake over the same TCP socket. */
  async startTls(): Promise<TLSSocket> {
    this.socket.removeListener("data", this.onData);
    this.socket.write(encodePacket(sslRequest(), this.sequenceId++));
    const tls = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    tls.on("error", () => {});
    await once(tls, "secureConnect");
    this.framer = new PacketFramer();
    this.listen(tls);
    return tls;
  }

  /**
   * Sends the SSLRequest and a real ClientHello, then stops answering: the server is left inside
   * its TLS handshake. Resolves once the server has answered the ClientHello.
   */
  async stallInTlsHandshake(): Promise<void> {
    this.socket.removeListener("data", this.onData);
    this.socket.write(encodePacket(sslRequest(), this.sequenceId++));
    const socket = this.socket;
    // The TLS client writes its ClientHello through the carrier and never hears back.
    const carrier = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        socket.write(chunk, callback);
      },
    });
    const tls = tlsConnect({ socket: carrier, rejectUnauthorized: false });
    tls.on("error", () => {});
    socket.once("close", () => tls.destroy());
    await once(socket, "data");
  }

  /** Sends the HandshakeResponse41 and resolves with the server's first answer (OK, ERR, switch). */
  async sendLogin(user: string, password: string, plugin = "mysql_native_password"): Promise<Packet> {
    const tls = this.stream !== this.socket;
    this.send(
      handshakeResponse({
        user,
        password,
        plugin,
        scramble: this.greeting!.authPluginData,
        capabilities: tls ? CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL : CLIENT_CAPABILITIES,
      }),
    );
    return this.read();
  }

  /** Logs in and checks the server said OK. */
  async login(user: string, password: string): Promise<void> {
    const reply = await this.sendLogin(user, password);
    if (reply.payload[0] !== 0x00) {
      throw new Error(`login refused: ${reply.payload.subarray(3).toString("latin1")}`);
    }
  }

  /** Sends raw bytes on the current stream (TLS once started). */
  write(bytes: Buffer): void {
    this.stream.write(bytes);
  }

  send(payload: Buffer): void {
    this.stream.write(encodePacket(payload, this.sequenceId++ & 0xff));
  }

  /** COM_QUIT, as a polite client ends its session; the server closes. */
  quit(): void {
    this.stream.write(encodePacket(COM_QUIT, 0));
  }

  /** The TLS version in use, or null on plaintext. */
  get tlsVersion(): string | null {
    return this.stream === this.socket ? null : (this.stream as TLSSocket).getProtocol();
  }

  destroy(): void {
    this.stream.destroy();
    this.socket.destroy();
  }
}
