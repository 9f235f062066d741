import { constants as cryptoConstants } from "node:crypto";
import type { Socket } from "node:net";
import { createServer, type Server, type TLSSocket } from "node:tls";
import { peekClientHello } from "./peek-client-hello";
import { classifyTlsError, withHandshakeProgress } from "./tls-failure";
import { type ClientCertificateMode, summarizeCertificate, type TlsUpgradeResult } from "./tls-session";
import { compareTlsVersions, type TlsVersion } from "./tls-versions";

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

/**
 * What a client-initiated TLS 1.2 renegotiation meets: refusal, as from a MySQL server linked with
 * OpenSSL 3. MySQL's vio (vio/viosslfactories.cc, vio/viossl.cc in 5.7 and 8.0) sets no
 * renegotiation option and installs no callback for it, so a server does what its OpenSSL does by
 * default: up to 1.1.1 it renegotiates, as often as asked; from 3.0 it refuses client-initiated
 * renegotiation (OpenSSL CHANGES, 3.0.0: "Client-initiated renegotiation is disabled by default")
 * with a warning no_renegotiation alert and carries on with the session — which OpenSSL clients
 * end with a fatal handshake_failure alert. SSL_OP_NO_RENEGOTIATION takes OpenSSL 3's path to
 * the same alert; node, which otherwise allows three renegotiations per ten minutes and then only
 * emits ERR_TLS_SESSION_ATTACK, never sees a handshake start. Refusing also means no client can
 * make the server repeat handshakes for free on one connection.
 */
const CLIENT_RENEGOTIATION = cryptoConstants.SSL_OP_NO_RENEGOTIATION;

/** setTimeout's ceiling: a longer timer fires at once (so the largest "never" a timer can say). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The key log label OpenSSL writes once a TLSv1.3 server has written its Finished (it derives its
 * application traffic secret from the transcript that ends there).
 */
const SERVER_FINISHED_KEYLOG_LABEL = Buffer.from("SERVER_TRAFFIC_SECRET_0 ");

/** One handshake under way, keyed by its raw socket. */
interface Pending {
  resolve: (result: TlsUpgradeResult) => void;
  hello: Awaited<ReturnType<typeof peekClientHello>>;
  /** Bytes the socket had read before the first TLS byte: the client's SSLRequest. */
  tlsStart: number;
  /** Length of the ClientHello's records, or null when they were not whole. */
  clientHelloBytes: number | null;
  /** The key log said the server's TLSv1.3 Finished had gone out. */
  serverFinishedSent: boolean;
}

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
      // node:tls servers prefer their own cipher order unless told otherwise; MySQL 5.7/8.x and
      // MariaDB 10.11 never set SSL_OP_CIPHER_SERVER_PREFERENCE (vio/viosslfactories.c), so the
      // client's order picks the suite (measured against Debian 12's mariadbd 10.11.19).
      honorCipherOrder: false,
      // 5.7 serves DHE suites with a fixed 2048-bit group; OpenSSL's built-in one is its equal.
      dhparam: "auto",
      // 5.7.41 sets SSL_OP_NO_TICKET: resumption only through the server-side session cache —
      // which node keeps only for a server with 'newSession'/'resumeSession' handlers, so none here.
      // Renegotiation: see CLIENT_RENEGOTIATION.
      secureOptions: cryptoConstants.SSL_OP_NO_TICKET | CLIENT_RENEGOTIATION,
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
    // The key log is how the server learns that its TLSv1.3 Finished went out, so it is on for any
    // server that can negotiate TLSv1.3. Below that only a key-log file needs it: node calls into
    // JavaScript for each secret only while a 'keylog' listener is registered.
    const canNegotiateTls13 = compareTlsVersions(settings.maxVersion, "TLSv1.3") >= 0;
    if (onKeylog || canNegotiateTls13) this.watchKeylog(onKeylog);
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

  private watchKeylog(onKeylog: ((line: Buffer) => void) | undefined): void {
    this.server.on("keylog", (line: Buffer, tlsSocket: TLSSocket) => {
      onKeylog?.(line);
      if (line.subarray(0, SERVER_FINISHED_KEYLOG_LABEL.length).equals(SERVER_FINISHED_KEYLOG_LABEL)) {
        const key = rawSocketOf(tlsSocket);
        const pending = key ? this.pending.get(key) : undefined;
        if (pending) pending.serverFinishedSent = true;
      }
    });
  }

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
    // The paused socket holds exactly what followed the SSLRequest (the session un-shifted it).
    const tlsStart = socket.bytesRead - socket.readableLength;
    const clientHelloBytes = hello.wireLength;
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
      this.pending.set(key, {
        resolve: (result) => {
          socket.removeListener("close", onClose);
          resolve(result);
        },
        hello,
        tlsStart,
        clientHelloBytes,
        serverFinishedSent: false,
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
      const completedAt = performance.now();
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
          completedAt,
          socketBytesAtCompletion: rawSocketOf(tlsSocket)?.bytesRead ?? 0,
          resumed: tlsSocket.isSessionReused(),
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
    const hello = this.pending.get(key)?.hello;
    this.finish(key, build(hello?.kind === "client-hello" ? hello.summary : null));
  }

  private finish(key: Socket, result: TlsUpgradeResult): void {
    const pending = this.pending.get(key);
    if (!pending) return;
    this.pending.delete(key);
    if (result.ok) {
      pending.resolve(result);
      return;
    }
    const bytesAfterClientHello =
      pending.clientHelloBytes === null ? null : key.bytesRead - pending.tlsStart - pending.clientHelloBytes;
    pending.resolve({
      ...result,
      failure: withHandshakeProgress(result.failure, {
        serverFinishedSent: pending.serverFinishedSent,
        bytesAfterClientHello,
      }),
    });
  }
}
