import { constants as cryptoConstants } from "node:crypto";
import type { Socket } from "node:net";
import { createServer, type Server, type TLSSocket } from "node:tls";
import { peekClientHello } from "./client-hello";
import { classifyTlsError } from "./tls-failure";
import { type ClientCertificateMode, summarizeCertificate, type TlsUpgradeResult } from "./tls-session";
import type { TlsVersion } from "./tls-versions";

/** What the server side of the TLS handshake serves. */
export interface TlsAcceptorSettings {
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  ciphers: string;
  clientCertificates: ClientCertificateMode;
  /** Receives each line of TLS secrets in the NSS key log format, for Wireshark. */
  onKeylog?: (line: Buffer) => void;
}

/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2_147_483_647;

type Pending = (result: TlsUpgradeResult) => void;

/**
 * The raw socket a server-side TLSSocket wraps.
 *
 * @note `_parent` is how node links them (set by the TLSSocket constructor, stable since node 0.11).
 * The socket's address cannot serve: after a client sends an alert and closes at once, the
 * TLSSocket is destroyed before `tlsClientError` fires and its address reads `undefined`.
 */
function rawSocketOf(tlsSocket: TLSSocket): Socket | undefined {
  return (tlsSocket as TLSSocket & { _parent?: Socket })._parent;
}

/**
 * Performs the server side of TLS handshakes on sockets that started as plain MySQL connections.
 *
 * @note The socket is handed to a `tls.Server` that never listens, through its public
 * `'connection'` event. That keeps node's own server-side checks — `authorized` and
 * `authorizationError` for client certificates, the handshake timeout, `tlsClientError` — which a
 * bare `new TLSSocket(socket, { isServer: true })` does not run.
 */
export class TlsAcceptor {
  private readonly server: Server;
  private readonly pending = new Map<Socket, Pending>();

  constructor(settings: TlsAcceptorSettings) {
    this.server = createServer({
      key: settings.key,
      cert: settings.cert,
      ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
      minVersion: settings.minVersion,
      maxVersion: settings.maxVersion,
      ciphers: settings.ciphers,
      // 5.7 serves DHE suites with a fixed 2048-bit group; OpenSSL's built-in one is its equal.
      dhparam: "auto",
      // 5.7.41 sets SSL_OP_NO_TICKET: resumption only through the server-side session cache.
      secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
      sessionIdContext: "mysql-tls-mock",
      requestCert: settings.clientCertificates !== "none",
      // MySQL verifies a presented client certificate but lets clients without one in, which
      // rejectUnauthorized cannot express: the session decides after the handshake.
      rejectUnauthorized: false,
      // The session's connect_timeout bounds the whole login, the handshake included, so node's own
      // timer is pushed out of the way (0 would mean its default, 120 s).
      handshakeTimeout: MAX_TIMER_MS,
    });
    const onKeylog = settings.onKeylog;
    if (onKeylog) this.server.on("keylog", (line: Buffer) => onKeylog(line));
    this.server.on("secureConnection", (tlsSocket: TLSSocket) => this.onSecure(tlsSocket));
    this.server.on("tlsClientError", (error: NodeJS.ErrnoException, tlsSocket: TLSSocket) =>
      this.settle(tlsSocket, (clientHello) => ({
        ok: false,
        failure: classifyTlsError(error),
        clientHello,
        socket: tlsSocket,
      })),
    );
  }

  private readonly hellos = new Map<Socket, Awaited<ReturnType<typeof peekClientHello>>>();

  /**
   * Runs the handshake on `socket`. Bytes that arrived with the SSLRequest must already be
   * un-shifted into it: the TLSSocket drains the socket's readable buffer when it starts.
   */
  async accept(socket: Socket): Promise<TlsUpgradeResult> {
    socket.pause();
    const hello = await peekClientHello(socket);
    const clientHello = hello.kind === "client-hello" ? hello.summary : null;
    if (hello.kind === "not-tls") {
      const message = `client sent non-TLS bytes after its SSLRequest: ${hello.firstBytes.toString("hex")}`;
      return { ok: false, clientHello, socket: null, failure: { cause: "not-tls", message } };
    }
    if (hello.kind === "closed" || socket.destroyed) {
      const message = "client closed before sending a ClientHello";
      return { ok: false, clientHello, socket: null, failure: { cause: "closed", message } };
    }
    const key = socket;
    return new Promise<TlsUpgradeResult>((resolve) => {
      // A client that sends an alert and closes: let tlsClientError, which names the alert, settle first.
      const onClose = () =>
        setImmediate(() =>
          this.finish(key, {
            ok: false,
            clientHello,
            socket: null,
            failure: { cause: "closed", message: "client closed the connection during the TLS handshake" },
          }),
        );
      socket.once("close", onClose);
      this.hellos.set(key, hello);
      this.pending.set(key, (result) => {
        socket.removeListener("close", onClose);
        resolve(result);
      });
      this.server.emit("connection", socket);
    });
  }

  private onSecure(tlsSocket: TLSSocket): void {
    this.settle(tlsSocket, (clientHello) => {
      const peer = tlsSocket.getPeerX509Certificate();
      const presented = peer !== undefined;
      const cipher = tlsSocket.getCipher();
      const servername = (tlsSocket as TLSSocket & { servername?: string | false }).servername;
      return {
        ok: true,
        clientHello,
        tls: {
          socket: tlsSocket,
          version: tlsSocket.getProtocol() ?? "unknown",
          cipher: cipher?.name ?? "unknown",
          sni: typeof servername === "string" ? servername : (clientHello?.sni ?? null),
          clientCertificate: peer ? summarizeCertificate(peer) : null,
          clientCertificateVerified: presented && tlsSocket.authorized,
          clientCertificateError:
            presented && !tlsSocket.authorized
              ? String(tlsSocket.authorizationError ?? "unknown error")
              : null,
        },
      };
    });
  }

  private settle(
    tlsSocket: TLSSocket,
    build: (clientHello: TlsUpgradeResult["clientHello"]) => TlsUpgradeResult,
  ): void {
    const key = rawSocketOf(tlsSocket);
    if (!key) return;
    const hello = this.hellos.get(key);
    this.finish(key, build(hello?.kind === "client-hello" ? hello.summary : null));
  }

  private finish(key: Socket, result: TlsUpgradeResult): void {
    const resolve = this.pending.get(key);
    if (!resolve) return;
    this.pending.delete(key);
    this.hellos.delete(key);
    resolve(result);
  }
}
