import { constants, publicEncrypt } from "node:crypto";
import { connect, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { computeCachingSha2Reply } from "../../src/auth/plugins";
import { CapabilityFlags, Command, PacketMarker } from "../../src/protocol/constants";
import { encodePacket, type Packet, PacketFramer } from "../../src/protocol/framing";
import { decodeAuthSwitchRequest } from "../../src/protocol/packets/auth-switch-request";
import { encodeComChangeUser } from "../../src/protocol/packets/com-change-user";
import { encodeHandshakeResponse41 } from "../../src/protocol/packets/handshake-response-41";
import { decodeHandshakeV10, type HandshakeV10 } from "../../src/protocol/packets/handshake-v10";
import { CLIENT_CAPABILITIES } from "../helpers/raw-client";

/** What libmysqlclient's SHA-2 plugins send to ask for the server's RSA public key. */
const REQUEST_KEY: Record<string, number> = { sha256_password: 0x01, caching_sha2_password: 0x02 };
const FAST_AUTH_SUCCESS = 0x03;
const PERFORM_FULL_AUTHENTICATION = 0x04;

/** The password as a client in the clear sends it: NUL-terminated. */
function withNul(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, "utf8"), Buffer.from([0])]);
}

/** (password ‖ NUL) XOR nonce, RSA-OAEP-encrypted to the server's key, as both SHA-2 plugins send it. */
function rsaEncrypt(password: string, scramble: Buffer, publicKeyPem: string): Buffer {
  const plain = withNul(password);
  const xored = Buffer.from(plain.map((b, i) => b ^ scramble[i % scramble.length]!));
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, xored);
}

/** Options of one login or COM_CHANGE_USER. */
export interface Credentials {
  user: string;
  password: string;
  /** The client plugin the first auth data is for. Default mysql_native_password. */
  plugin?: string;
}

/**
 * A client that speaks every auth plugin of the mock the way libmysqlclient does — native and
 * caching_sha2 scramble replies, full authentication in the clear inside TLS or RSA-encrypted
 * outside it, sha256_password, mysql_clear_password, auth switches — and keeps every nonce it was
 * given and every piece of auth data it sent, so a test can look for them where they must not be.
 */
export class AuthClient {
  private framer = new PacketFramer();
  private readonly queue: Packet[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  private stream: Socket | TLSSocket;
  greeting!: HandshakeV10;
  /** Every nonce the server gave: the greeting's and each auth switch's. */
  readonly scrambles: Buffer[] = [];
  /** Every piece of auth data sent, in order (scramble replies, passwords, RSA ciphertexts). */
  readonly authData: Buffer[] = [];

  private constructor(readonly socket: Socket) {
    this.stream = socket;
    socket.on("error", () => {});
    socket.once("close", () => {
      this.ended = true;
      this.waiter?.();
    });
    this.listen(socket);
  }

  static async connect(port: number): Promise<AuthClient> {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new AuthClient(socket);
    const greeting = await client.read();
    if (!greeting) throw new Error("the server closed before its greeting");
    client.greeting = decodeHandshakeV10(greeting.payload);
    client.scrambles.push(client.greeting.authPluginData);
    return client;
  }

  private readonly onData = (chunk: Buffer) => {
    this.queue.push(...this.framer.push(chunk));
    this.waiter?.();
  };

  private listen(stream: Socket | TLSSocket): void {
    this.stream = stream;
    stream.on("data", this.onData);
  }

  get tls(): boolean {
    return this.stream !== this.socket;
  }

  /** The next server packet, or null once the server has closed. */
  async read(): Promise<Packet | null> {
    while (this.queue.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = null;
    }
    return this.queue.shift() ?? null;
  }

  /** Writes raw bytes on the current stream (inside TLS once it is on). */
  write(bytes: Buffer): void {
    this.stream.write(bytes);
  }

  send(payload: Buffer, sequenceId: number): void {
    this.stream.write(encodePacket(payload, sequenceId));
  }

  /** Sends `firstFrame` (an SSLRequest, or anything in its place), then a real TLS handshake on the socket. */
  async startTls(firstFrame: Buffer): Promise<void> {
    this.socket.removeListener("data", this.onData);
    this.socket.write(firstFrame);
    const tls = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    tls.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      tls.once("secureConnect", resolve);
      tls.once("error", reject);
    });
    this.framer = new PacketFramer();
    this.listen(tls);
  }

  /** The HandshakeResponse41 for `credentials`, its auth data computed against the greeting's nonce. */
  handshakeResponse(credentials: Credentials, capabilities = this.capabilities()): Buffer {
    const plugin = credentials.plugin ?? "mysql_native_password";
    return encodeHandshakeResponse41({
      capabilityFlags: capabilities,
      maxPacketSize: 0x1000000,
      characterSet: 33,
      reserved: Buffer.alloc(23),
      username: credentials.user,
      authResponse: this.firstAuthData(plugin, credentials.password, this.greeting.authPluginData),
      authPluginName: plugin,
      connectAttributes: [["_client_name", "auth-client"]],
    });
  }

  /** Logs in (sequence id `sequenceId`) and carries the auth exchange through; the final OK or ERR, or null. */
  async login(credentials: Credentials, sequenceId = this.tls ? 2 : 1): Promise<Packet | null> {
    this.send(this.handshakeResponse(credentials), sequenceId);
    return this.exchange(credentials);
  }

  /** COM_CHANGE_USER, auth exchange included; the final OK or ERR, or null. */
  async changeUser(credentials: Credentials & { database?: string }): Promise<Packet | null> {
    this.send(this.changeUserPayload(credentials), 0);
    return this.exchange(credentials);
  }

  /** A COM_CHANGE_USER payload, its auth data computed against the greeting's nonce as libmysqlclient does. */
  changeUserPayload(credentials: Credentials & { database?: string }): Buffer {
    const plugin = credentials.plugin ?? "mysql_native_password";
    return encodeComChangeUser(
      {
        username: credentials.user,
        authResponse: this.firstAuthData(plugin, credentials.password, this.greeting.authPluginData),
        database: credentials.database ?? "",
        characterSet: 33,
        authPluginName: plugin,
        connectAttributes: [["_client_name", "auth-client"]],
      },
      this.capabilities(),
    );
  }

  /** Sends COM_QUERY and returns the first packet of the answer. */
  async query(sql: string): Promise<Packet | null> {
    this.send(Buffer.concat([Buffer.from([Command.COM_QUERY]), Buffer.from(sql, "utf8")]), 0);
    return this.read();
  }

  /** Reads nothing more from the server: its replies back up in the socket buffers. */
  stopReading(): void {
    this.stream.pause();
  }

  /** Reads again, and hands over what arrived meanwhile. */
  resumeReading(): void {
    this.stream.resume();
  }

  /**
   * Becomes a reader slower than the server writes: at most about `bytesPerTick` every `tickMs`.
   * Returns a function that goes back to reading everything as it comes.
   */
  readSlowly(bytesPerTick: number, tickMs: number): () => void {
    const stream = this.stream;
    let budget = bytesPerTick;
    const counter = (chunk: Buffer) => {
      budget -= chunk.length;
      if (budget <= 0) stream.pause();
    };
    stream.on("data", counter);
    const timer = setInterval(() => {
      budget = bytesPerTick;
      stream.resume();
    }, tickMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      stream.off("data", counter);
      stream.resume();
    };
  }

  quit(): void {
    this.send(Buffer.from([Command.COM_QUIT]), 0);
  }

  /** Resolves once the server has closed the connection. */
  async closed(): Promise<void> {
    while (!this.ended) await this.read();
  }

  /** Half-closes: no more bytes from the client, replies still read. */
  end(): void {
    this.stream.end();
  }

  /** Drops the connection with a TCP reset. */
  reset(): void {
    if (this.stream !== this.socket) this.stream.destroy();
    this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.stream.destroy();
    this.socket.destroy();
  }

  private capabilities(): number {
    return (this.tls ? CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL : CLIENT_CAPABILITIES) >>> 0;
  }

  /** What a client of `plugin` sends first, as libmysqlclient's plugins do. */
  private firstAuthData(plugin: string, password: string, scramble: Buffer): Buffer {
    let data: Buffer;
    switch (plugin) {
      case "caching_sha2_password":
        data = computeCachingSha2Reply(password, scramble);
        break;
      case "sha256_password":
        data = this.tls ? withNul(password) : Buffer.from([REQUEST_KEY.sha256_password!]);
        break;
      case "mysql_clear_password":
        data = withNul(password);
        break;
      default:
        data = computeNativePasswordReply(password, scramble);
    }
    this.authData.push(data);
    return data;
  }

  private sendAuthData(data: Buffer, sequenceId: number): void {
    this.authData.push(data);
    this.send(data, sequenceId);
  }

  /** Answers switches and "more data" until the server says OK or ERR (or closes). */
  private async exchange(credentials: Credentials): Promise<Packet | null> {
    let plugin = credentials.plugin ?? "mysql_native_password";
    let scramble = this.greeting.authPluginData;
    for (;;) {
      const packet = await this.read();
      if (!packet) return null;
      const next = (packet.sequenceId + 1) & 0xff;
      const marker = packet.payload[0];
      if (marker === PacketMarker.OK || marker === PacketMarker.ERR) return packet;
      if (marker === PacketMarker.AUTH_SWITCH) {
        const request = decodeAuthSwitchRequest(packet.payload);
        plugin = request.pluginName;
        // The nonce without the NUL 5.7 appends.
        scramble = request.pluginData.subarray(0, 20);
        this.scrambles.push(Buffer.from(scramble));
        const data = this.firstAuthData(plugin, credentials.password, scramble);
        this.send(data, next);
        continue;
      }
      if (marker !== PacketMarker.AUTH_MORE_DATA)
        throw new Error(`unexpected packet ${packet.payload.toString("hex")}`);
      const data = packet.payload.subarray(1);
      if (data.length === 1 && data[0] === FAST_AUTH_SUCCESS) continue;
      if (data.length === 1 && data[0] === PERFORM_FULL_AUTHENTICATION) {
        this.sendAuthData(
          this.tls ? withNul(credentials.password) : Buffer.from([REQUEST_KEY[plugin]!]),
          next,
        );
        continue;
      }
      // The server's RSA public key.
      this.sendAuthData(rsaEncrypt(credentials.password, scramble, data.toString()), next);
    }
  }
}
