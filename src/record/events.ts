import type { FaultAction, FaultPoint } from "../options/faults";
import type {
  ConnectionOutcome,
  LocalInfileRecord,
  PacketRecord,
  Phase,
  TlsRecord,
} from "./connection-record";
import type { Verdict } from "./verdict-vocabulary";

/** Every event the server emits, one per line in the JSON-lines log. */
export type MockServerEvent = EventBase &
  (
    | { type: "connection-opened"; client: { address: string; port: number } }
    | { type: "greeting-sent"; serverVersion: string; capabilities: string[]; tlsOffered: boolean }
    | { type: "ssl-request"; capabilities: string[] }
    | { type: "tls-negotiated"; tls: Extract<TlsRecord, { outcome: "negotiated" }> }
    | { type: "tls-failed"; tls: Extract<TlsRecord, { outcome: "failed" }> }
    | {
        type: "handshake-response";
        user: string;
        database: string | null;
        authPlugin: string | null;
        capabilities: string[];
        encrypted: boolean;
        credentialsInPlaintext: boolean;
      }
    | { type: "auth-switch"; plugin: string }
    | { type: "authenticated"; user: string }
    | { type: "access-denied"; user: string; code: number; message: string; reason: string }
    | { type: "command"; command: string; query?: string }
    | { type: "protocol-error"; phase: Phase; message: string }
    | { type: "fault"; point: FaultPoint; action: FaultAction }
    | { type: "packet"; packet: PacketRecord }
    /** The server answered a query with a LOAD DATA LOCAL request for `path`. */
    | { type: "local-infile-request"; path: string; askedByQuery: boolean }
    /** The client answered it (or the connection ended first): length and digest, never the contents. */
    | { type: "local-infile"; localInfile: LocalInfileRecord }
    | { type: "connection-closed"; outcome: ConnectionOutcome; verdict: Verdict }
  );

export interface EventBase {
  /** ISO time the event happened. */
  time: string;
  connectionId: number;
}

export type MockServerEventType = MockServerEvent["type"];
