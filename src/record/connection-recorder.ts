import type { CredentialExposure } from "../auth/auth-plugin";
import { capabilityNames } from "../protocol/constants";
import type { ConnectionOutcome, ConnectionRecord, Direction } from "./connection-record";
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

/** Called when an event listener of the host program threw; the error and the event's type. */
export type ListenerErrorHandler = (error: unknown, eventType: MockServerEvent["type"]) => void;

/**
 * Writes one connection's record and events: the session says what happened, the recorder keeps
 * it in the record's terms (capabilities by name, the most revealing credential exposure, the
 * packet trail) and closes the record with its verdict.
 */
export class ConnectionRecorder {
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

  setOutcome(outcome: ConnectionOutcome): void {
    this.record.outcome = outcome;
  }

  /** The capability word the client sent, kept as sent and by name. */
  clientCapabilities(flags: number): void {
    this.record.clientCapabilityFlags = flags >>> 0;
    this.record.clientCapabilities = capabilityNames(flags);
  }

  /**
   * Notes what the client's auth data revealed. `inPlaintext` says it crossed without TLS; an
   * RSA-encrypted password hides the password even then.
   */
  credentials(exposure: CredentialExposure, inPlaintext: boolean): void {
    this.record.credentialExposure = mostRevealing(this.record.credentialExposure, exposure);
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
    const packet = {
      atMs: Date.now() - this.startedAt,
      direction,
      phase: this.record.phase,
      sequenceId,
      length: payload.length,
      type,
      encrypted,
      ...(redact
        ? { redacted: true as const }
        : { payloadHex: payload.subarray(0, this.sink.recordPayloadBytes).toString("hex") }),
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
    this.record.endedAt = new Date().toISOString();
    this.record.verdict = verdictOf(this.record);
    this.emit({ type: "connection-closed", outcome: this.record.outcome, verdict: this.record.verdict });
  }
}
