import { type ClientHelloSummary, TLS_RECORD_HEADER_LENGTH } from "../tls/client-hello";
import { failureOfAlert, type TlsFailure } from "../tls/tls-failure";
import { TlsHandshakeObserver, type TlsObservation, type TlsSide } from "../tls/tls-observer";

/** What a relay learns from the TLS handshake it copies. */
export interface TlsRelayReport {
  /** The handshake completed (as far as can be seen from outside): the version and suite the server chose. */
  negotiated(tls: { version: string; cipher: string }, clientHello: ClientHelloSummary | null): void;
  /** The handshake failed: a fatal alert, a side closing, bytes that are not TLS. */
  failed(failure: TlsFailure, clientHello: ClientHelloSummary | null): void;
  /**
   * The client sent a record of data inside the session (its login first, which the relay cannot
   * read, then its commands): told once per record.
   */
  dataInsideTls(): void;
}

/**
 * Follows a TLS handshake a relay copies without taking part (`passthrough`), and says once how it
 * went: negotiated, or failed and why. After the handshake it only notes that the client sent
 * data. Each outcome is reported once; what the observer saw after it is left alone.
 */
const APPLICATION_DATA = 0x17;
/** An encrypted TLS 1.3 alert: 2 bytes, the inner content type and a 16-byte AEAD tag. */
const ENCRYPTED_ALERT_MAX_LENGTH = 19;

export class TlsRelayWatch {
  private readonly observer = new TlsHandshakeObserver();
  private settled: "negotiated" | "failed" | null = null;
  /** After the handshake: the header of the client's record being read, and what is left of its body. */
  private header = Buffer.alloc(0);
  private bodyLeft = 0;
  /** TLS 1.3: the client's encrypted records that are not alert-sized; its first is its Finished. */
  private clientRecords13 = 0;

  constructor(private readonly report: TlsRelayReport) {}

  fromClient(chunk: Buffer): void {
    if (this.settled === "negotiated") {
      this.countRecords(chunk);
      return;
    }
    this.handle(this.observer.fromClient(chunk));
  }

  /**
   * Counts the client's data records after the handshake from their headers alone: application
   * data longer than an encrypted alert (TLS 1.3 sends alerts as application data too).
   */
  private countRecords(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.bodyLeft > 0) {
        const skip = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= skip;
        at += skip;
        continue;
      }
      const need = TLS_RECORD_HEADER_LENGTH - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(at, at + need)]);
      at += Math.min(need, chunk.length - at);
      if (this.header.length < TLS_RECORD_HEADER_LENGTH) return;
      const type = this.header[0];
      const length = this.header.readUInt16BE(3);
      this.header = Buffer.alloc(0);
      this.bodyLeft = length;
      if (type === APPLICATION_DATA && length > ENCRYPTED_ALERT_MAX_LENGTH) this.report.dataInsideTls();
    }
  }

  fromServer(chunk: Buffer): void {
    if (this.settled === null) this.handle(this.observer.fromServer(chunk));
  }

  /** `side` closed its direction. */
  end(side: TlsSide): void {
    if (this.settled === null) this.handle(this.observer.end(side));
  }

  private noteData(): void {
    this.report.dataInsideTls();
  }

  private fail(failure: TlsFailure): void {
    if (this.settled !== null) return;
    this.settled = "failed";
    this.report.failed(failure, this.observer.state.clientHello);
  }

  private handle(observations: readonly TlsObservation[]): void {
    for (const observation of observations) {
      switch (observation.kind) {
        case "alert":
          if (observation.level === "fatal") {
            this.fail(
              failureOfAlert(
                observation.description,
                `the ${observation.from} sent a fatal ${observation.description} alert during the handshake`,
              ),
            );
          }
          break;
        case "handshake-complete":
          if (this.settled === null) {
            this.settled = "negotiated";
            this.report.negotiated(
              { version: observation.version, cipher: observation.cipher },
              this.observer.state.clientHello,
            );
          }
          break;
        case "closed": {
          const state = this.observer.state;
          // As the mock server judges it: a TLS 1.3 client that leaves after the server's whole
          // flight, without an alert, refused what it was shown (how Node's TLS stack refuses).
          const afterServerFlight =
            observation.from === "client" && state.version === "TLSv1.3" && state.encryptedRecords.server > 0;
          this.fail({
            cause: "closed",
            message: `the ${observation.from} closed the connection during the TLS handshake`,
            ...(afterServerFlight ? { afterServerFlight: true as const } : {}),
          });
          break;
        }
        case "encrypted-record":
          // What the client sends inside TLS after its Finished is its login. The observer may
          // see it before it counts the handshake complete (TLS 1.3: before the server's ticket).
          if (observation.from === "client" && !observation.looksLikeAlert) {
            const version = this.observer.state.version;
            if (version === "TLSv1.3") {
              if (++this.clientRecords13 > 1) this.noteData();
            } else if (observation.contentType === "application_data") this.noteData();
          }
          break;
        case "stopped":
          this.fail({
            cause: observation.error.reason === "not-tls" ? "not-tls" : "unknown",
            message: observation.error.message,
          });
          break;
        default:
      }
    }
  }
}
