import { LRUCache } from "lru-cache";
import { createHash, type Hash } from "node:crypto";
import type { CredentialExposure } from "../auth/auth-plugin";
import type { CertificateAssessment } from "../certs/assess-certificate";
import type { FaultAction, FaultPoint } from "../options/faults";
import { capabilityNames } from "../protocol/constants";
import type { ClientHelloSummary } from "../tls/client-hello";
import type { TlsFailure } from "../tls/tls-failure";
import type { ClientClose, NegotiatedTls } from "../tls/tls-session";
import type {
  ConnectionOutcome,
  ConnectionRecord,
  Direction,
  PacketRecord,
  Phase,
} from "./connection-record";
import type { MockServerEvent } from "./events";
import { verdictOf } from "./verdict";

/** Exposures from least to most revealing; a record keeps the worst one. */
const EXPOSURE_RANK: CredentialExposure[] = ["scramble-reply", "encrypted-password", "cleartext-password"];

function mostRevealing(current: CredentialExposure | null, next: CredentialExposure): CredentialExposure {
  return current !== null && EXPOSURE_RANK.indexOf(current) > EXPOSURE_RANK.indexOf(next) ? current : next;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event as the session states it; the recorder adds the time and the connection id. */
export type SessionEvent = DistributiveOmit<MockServerEvent, "time" | "connectionId">;

/** Where a recorder's events go, and what it keeps. */
export interface RecorderSink {
  emit(event: MockServerEvent): void;
  /** Whether anyone takes events of this type: unread events are not built. */
  wants(type: MockServerEvent["type"]): boolean;
  /** Keep every packet in the record (`recordPackets`). */
  recordPackets: boolean;
  /** How many payload bytes a recorded packet keeps as hex. */
  recordPayloadBytes: number;
}

/**
 * What a recorded packet shows of its payload. Whatever is chosen, a packet shows only its type,
 * length, sequence id and phase where its payload is withheld.
 */
export type PayloadDisclosure =
  /**
   * The payload, except for a client packet outside the command phase of a logged-in session:
   * before the login completes, and in any auth exchange after it (COM_CHANGE_USER), a client
   * packet may carry auth data, whatever its type or sequence id says.
   */
  | "by-phase"
  /** Never: the packet carries or may carry auth data (COM_CHANGE_USER, a packet out of sequence). */
  | "withheld"
  /** Always: every field of the packet is known and none is secret (an SSLRequest with nothing after it). */
  | "shown";

/** What a handshake response says of the client, as it sent it (its auth data is noted apart). */
export interface HandshakeResponseFacts {
  user: string;
  database: string | null;
  /** The plugin the response's auth data is for. */
  clientAuthPlugin: string;
  connectAttributes: Record<string, string> | null;
}

/**
 * Capability words by name, for the words seen last: a run's clients send one or two words, over
 * and over, and naming a word walks its 32 bits. Bounded, as a word is whatever a client sends.
 */
const capabilityNamesSeen = new LRUCache<number, readonly string[]>({ max: 32 });

/** {@link capabilityNames}, in an array of the caller's own (records are handed out, and may be changed). */
function namedCapabilities(flags: number): string[] {
  let names = capabilityNamesSeen.get(flags);
  if (names === undefined) {
    names = capabilityNames(flags);
    capabilityNamesSeen.set(flags, names);
  }
  return names.slice();
}

/** Called when an event listener of the host program threw; the error and the event's type. */
export type ListenerErrorHandler = (error: unknown, eventType: MockServerEvent["type"]) => void;

/**
 * Writes one connection's record and events: the session says what happened, the recorder keeps
 * it in the record's terms (capabilities by name, the most revealing credential exposure, the
 * packet trail) and closes the record with its verdict. It is the only writer of a record: where
 * a fact has an event, one method sets the one and emits the other, so they cannot drift apart.
 */
export class ConnectionRecorder {
  /** The digest of a LOAD DATA LOCAL transfer under way: the contents are hashed, never kept. */
  private infileDigest: Hash | null = null;

  constructor(
    readonly record: ConnectionRecord,
    private readonly sink: RecorderSink,
    /** When the connection was accepted (ms since the epoch): packets are timed from it. */
    private readonly startedAt: number,
    /**
     * Told when a listener throws: the exception stops at the recorder, so a listener's bug ends
     * (at most) its connection, never the host process. Without a handler the error is dropped.
     */
    private readonly onListenerError: ListenerErrorHandler = () => {},
  ) {}

  emit(event: SessionEvent): void {
    if (!this.sink.wants(event.type)) return;
    try {
      this.sink.emit({
        ...event,
        time: new Date().toISOString(),
        connectionId: this.record.id,
      } as MockServerEvent);
    } catch (error) {
      this.onListenerError(error, event.type);
    }
  }

  /** How the connection ended up (or, while it runs, that it logged in); the last word stands. */
  setOutcome(outcome: ConnectionOutcome): void {
    this.record.outcome = outcome;
  }

  /** The connection moved on to `phase`: later packets and events are labelled with it. */
  phase(phase: Phase): void {
    this.record.phase = phase;
  }

  /** The connection was accepted. */
  opened(): void {
    this.emit({ type: "connection-opened", client: this.record.client });
  }

  /** The greeting the record describes went out. */
  greetingSent(): void {
    const { greeting } = this.record;
    this.emit({
      type: "greeting-sent",
      serverVersion: greeting.serverVersion,
      capabilities: namedCapabilities(greeting.capabilityFlags >>> 0),
      tlsOffered: greeting.tlsOffered,
    });
  }

  /**
   * A proxy read the real server's greeting: the record describes it from now on, and the event
   * says it went to the client.
   */
  greetingRelayed(greeting: ConnectionRecord["greeting"]): void {
    this.record.greeting = greeting;
    this.greetingSent();
  }

  /** A proxy relays this connection to `upstream`, changing what `attack` says. */
  relayedTo(upstream: string, attack: string): void {
    this.record.relay = { upstream, attack, dataInsideTls: false, clientRecordsInsideTls: 0 };
  }

  /** The client sent a record of data inside the TLS session a proxy relays (its login first). */
  dataInsideTls(): void {
    if (!this.record.relay) return;
    this.record.relay.dataInsideTls = true;
    this.record.relay.clientRecordsInsideTls++;
  }

  /** The capability word the client sent, kept as sent and by name. */
  clientCapabilities(flags: number): void {
    this.record.clientCapabilityFlags = flags >>> 0;
    this.record.clientCapabilities = namedCapabilities(flags >>> 0);
  }

  /** The client asked for TLS with an SSLRequest; its capabilities are recorded already. */
  sslRequest(): void {
    this.record.sslRequest = true;
    this.emit({ type: "ssl-request", capabilities: this.record.clientCapabilities });
  }

  /** The client set CLIENT_SSL in a whole handshake response, to a greeting that offered no TLS. */
  tlsAskedInResponse(): void {
    this.record.tlsAskedInResponse = true;
  }

  /**
   * An SSLRequest carried a whole handshake response: who the client is, or null when the bytes do
   * not decode — then whatever they held counts as credentials sent in plaintext. No event: the
   * ssl-request event told of the packet, and the auth data is noted by what it exposes.
   */
  responseInSslRequest(response: { user: string; clientAuthPlugin: string } | null): void {
    if (response === null) {
      this.record.credentialsInPlaintext = true;
      return;
    }
    this.record.user = response.user;
    this.record.clientAuthPlugin = response.clientAuthPlugin;
  }

  /**
   * A HandshakeResponse41 the server read, once what its auth data exposed is known: the event
   * says whether credentials crossed in plaintext.
   */
  handshakeResponse(response: HandshakeResponseFacts, encrypted: boolean): void {
    this.record.user = response.user;
    this.record.database = response.database;
    this.record.clientAuthPlugin = response.clientAuthPlugin;
    this.record.connectAttributes = response.connectAttributes;
    this.emitHandshakeResponse(response.user, response.database, response.clientAuthPlugin, encrypted);
  }

  /**
   * A pre-4.1 HandshakeResponse320, which names no plugin. The record keeps the user alone: the
   * login is refused at once; the event says which database it named.
   */
  oldHandshakeResponse(user: string, database: string | null, encrypted: boolean): void {
    this.record.user = user;
    this.emitHandshakeResponse(user, database, null, encrypted);
  }

  private emitHandshakeResponse(
    user: string,
    database: string | null,
    authPlugin: string | null,
    encrypted: boolean,
  ): void {
    this.emit({
      type: "handshake-response",
      user,
      database,
      authPlugin,
      capabilities: this.record.clientCapabilities,
      encrypted,
      credentialsInPlaintext: this.record.credentialsInPlaintext,
    });
  }

  /** The capabilities a response inside TLS carried; kept only where they differ from the SSLRequest's. */
  capabilitiesInsideTls(flags: number): void {
    const resent = flags >>> 0;
    if (resent !== this.record.clientCapabilityFlags) this.record.capabilitiesChangedAfterTls = resent;
  }

  /** The served certificate, judged for the name this client verifies. */
  serverCertificateJudged(assessment: CertificateAssessment): void {
    this.record.serverCertificate = assessment;
  }

  /** The TLS handshake completed. */
  tlsNegotiated(
    tls: Pick<
      NegotiatedTls,
      "version" | "cipher" | "sni" | "clientCertificate" | "clientCertificateVerified"
    >,
    clientHello: ClientHelloSummary | null,
  ): void {
    const record = {
      outcome: "negotiated" as const,
      version: tls.version,
      cipher: tls.cipher,
      sni: tls.sni,
      clientHello,
      clientCertificate: tls.clientCertificate,
      clientCertificateVerified: tls.clientCertificateVerified,
    };
    this.record.tls = record;
    this.emit({ type: "tls-negotiated", tls: record });
  }

  /** The TLS handshake failed. */
  tlsFailed(failure: TlsFailure, clientHello: ClientHelloSummary | null): void {
    const record = { outcome: "failed" as const, failure, clientHello };
    this.record.tls = record;
    this.emit({ type: "tls-failed", tls: record });
  }

  /** The server broke the TLS handshake on purpose: the fault's event tells of it, not a tls-failed. */
  tlsBroken(failure: TlsFailure, clientHello: ClientHelloSummary | null): void {
    this.record.tls = { outcome: "failed", failure, clientHello };
  }

  /** The client closed a completed TLS session it sent nothing inside: how it ended TLS. */
  tlsClientClosed(close: ClientClose): void {
    if (this.record.tls?.outcome === "negotiated") this.record.tls.clientClosed = close;
  }

  /**
   * The server switched the client to another auth plugin. A switch in the login is the record's,
   * a fact of the login as `user` and `clientAuthPlugin` are, which a COM_CHANGE_USER leaves alone
   * too; a COM_CHANGE_USER's switch (5.7 sends one to every client that can take it, even to the
   * plugin it already used) is told by the event alone.
   */
  authSwitch(plugin: string, during: "login" | "change-user"): void {
    if (during === "login") this.record.authSwitchedTo = plugin;
    this.emit({ type: "auth-switch", plugin });
  }

  /** A login (or COM_CHANGE_USER) was refused as a wrong password is; `reason` says why. */
  accessDenied(user: string, err: { code: number; message: string }, reason: string): void {
    this.emit({ type: "access-denied", user, code: err.code, message: err.message, reason });
  }

  /** The auth exchange succeeded: the client is (now) `user`. */
  authenticated(user: string): void {
    this.emit({ type: "authenticated", user });
  }

  /** A command the client sent after login. */
  command(command: string, query?: string): void {
    const entry = query === undefined ? { command } : { command, query };
    this.record.commands.push(entry);
    this.emit({ type: "command", ...entry });
  }

  /** The session's default database changed (USE, COM_INIT_DB, COM_CHANGE_USER). */
  databaseChanged(database: string | null): void {
    this.record.database = database;
  }

  /**
   * The server answered a query with a LOAD DATA LOCAL request for `path`; `askedByQuery` says the
   * client's own query was a LOAD DATA LOCAL INFILE for it. Its contents are awaited.
   */
  localInfileRequested(path: string, askedByQuery: boolean, encrypted: boolean): void {
    this.record.localInfile = {
      requested: path,
      askedByQuery,
      sent: false,
      bytes: 0,
      sha256: null,
      refused: null,
      complete: false,
      encrypted,
    };
    this.infileDigest = createHash("sha256");
    this.emit({ type: "local-infile-request", path, askedByQuery });
  }

  /** A packet of the requested file's contents: counted and hashed, never kept. */
  localInfileData(contents: Buffer): void {
    const transfer = this.record.localInfile;
    if (transfer === null || this.infileDigest === null || contents.length === 0) return;
    this.infileDigest.update(contents);
    transfer.bytes += contents.length;
    transfer.sent = true;
  }

  /**
   * The transfer ended: `complete` when the client sent its empty packet (at once, a refusal; after
   * contents, the end of the file), `no-answer` when the connection ended or the client sent
   * something else first.
   */
  localInfileEnded(how: "complete" | "no-answer"): void {
    const transfer = this.record.localInfile;
    if (transfer === null || this.infileDigest === null) return;
    transfer.sha256 = transfer.sent ? this.infileDigest.digest("hex") : null;
    transfer.complete = how === "complete";
    transfer.refused = transfer.sent ? null : how === "complete" ? "empty-packet" : "no-answer";
    this.infileDigest = null;
    this.emit({ type: "local-infile", localInfile: { ...transfer } });
  }

  /** The client's bytes broke the protocol in the current phase. */
  protocolError(message: string): void {
    this.emit({ type: "protocol-error", phase: this.record.phase, message });
  }

  /** The server broke the connection on purpose: that is how it ended. */
  fault(point: FaultPoint, action: FaultAction): void {
    this.setOutcome({ kind: "fault", point, action });
    this.emit({ type: "fault", point, action });
  }

  /**
   * Notes what the client's auth data revealed. `inPlaintext` says it crossed without TLS; an
   * RSA-encrypted password hides the password even then.
   */
  credentials(exposure: CredentialExposure, inPlaintext: boolean, plugin: string): void {
    const most = mostRevealing(this.record.credentialExposure, exposure);
    // The plugin goes with the exposure it revealed: a COM_CHANGE_USER's may not be the login's.
    if (most !== this.record.credentialExposure) this.record.credentialExposurePlugin = plugin;
    this.record.credentialExposure = most;
    if (inPlaintext && exposure !== "encrypted-password") this.record.credentialsInPlaintext = true;
  }

  /** One packet as it crossed the wire; the payload is withheld where it may carry credentials. */
  packet(
    direction: Direction,
    sequenceId: number,
    payload: Buffer,
    type: string,
    encrypted: boolean,
    disclosure: PayloadDisclosure = "by-phase",
  ): void {
    if (!this.sink.recordPackets) return;
    const redact =
      disclosure === "withheld" ||
      (disclosure === "by-phase" && direction === "client" && !this.inCommandPhase());
    const atMs = Date.now() - this.startedAt;
    const { phase } = this.record;
    const length = payload.length;
    // Built whole, each shape in one literal: a spread of an optional part costs a copy per packet.
    const packet: PacketRecord = redact
      ? { atMs, direction, phase, sequenceId, length, type, encrypted, redacted: true }
      : {
          atMs,
          direction,
          phase,
          sequenceId,
          length,
          type,
          encrypted,
          payloadHex: payload.toString("hex", 0, Math.min(length, this.sink.recordPayloadBytes)),
        };
    this.record.packets.push(packet);
    this.emit({ type: "packet", packet });
  }

  /** Whether the session is logged in and between commands, where no client packet carries auth data. */
  private inCommandPhase(): boolean {
    return this.record.phase === "command" && this.record.outcome.kind === "authenticated";
  }

  /** Closes the record: the end time and the verdict, then the connection-closed event. */
  finish(): void {
    // A transfer the connection ended in the middle of: what came is all the client sent.
    if (this.infileDigest !== null) this.localInfileEnded("no-answer");
    this.record.endedAt = new Date().toISOString();
    this.record.verdict = verdictOf(this.record);
    this.emit({ type: "connection-closed", outcome: this.record.outcome, verdict: this.record.verdict });
  }
}
