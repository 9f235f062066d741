import type { Phase } from "../../src/record/connection-record";
import {
  ConnectionRecorder,
  type PayloadDisclosure,
  type RecorderSink,
} from "../../src/record/connection-recorder";
import type { MockServerEvent } from "../../src/record/events";
import { aRecord } from "../helpers/records";

/**
 * The recorder's own rule for payloads: a client packet shows its payload only between commands of
 * a logged-in session, whatever the session says about it, unless the session knows the packet is
 * public or secret; server packets show theirs. And a listener that throws stops at the recorder.
 */

const PAYLOAD = Buffer.from("0011223344", "hex");

function sink(overrides: Partial<RecorderSink> = {}): RecorderSink & { events: MockServerEvent[] } {
  const events: MockServerEvent[] = [];
  return {
    events,
    emit: (event) => events.push(event),
    wants: () => true,
    recordPackets: true,
    recordPayloadBytes: 256,
    ...overrides,
  };
}

/** Records one packet in a session at `phase`, logged in or not, and returns what the trail shows. */
function recorded(
  phase: Phase,
  loggedIn: boolean,
  direction: "client" | "server",
  disclosure?: PayloadDisclosure,
): { payloadHex?: string; redacted?: true } {
  const record = aRecord({
    phase,
    packets: [],
    outcome: loggedIn ? { kind: "authenticated", ended: null } : { kind: "pending" },
  });
  const recorder = new ConnectionRecorder(record, sink(), Date.now());
  recorder.packet(direction, 0, PAYLOAD, "X", false, disclosure);
  const [packet] = record.packets;
  return {
    ...(packet?.payloadHex ? { payloadHex: packet.payloadHex } : {}),
    ...(packet?.redacted ? { redacted: true } : {}),
  };
}

describe("the packet trail", () => {
  it.each<[Phase, boolean]>([
    ["handshake-response", false],
    ["tls-handshake-response", false],
    ["authentication", false],
    // COM_CHANGE_USER's auth exchange, after login.
    ["authentication", true],
    ["closed", true],
  ])(
    "withholds a client packet's payload in phase %s (logged in: %s), whatever its type",
    (phase, loggedIn) => {
      expect(recorded(phase, loggedIn, "client")).toEqual({ redacted: true });
    },
  );

  it("shows a client packet's payload between commands of a logged-in session", () => {
    expect(recorded("command", true, "client")).toEqual({ payloadHex: "0011223344" });
  });

  it("withholds a packet the session says may carry auth data, even between commands", () => {
    expect(recorded("command", true, "client", "withheld")).toEqual({ redacted: true });
  });

  it("shows a packet the session knows to be public, even before login (a bare SSLRequest)", () => {
    expect(recorded("handshake-response", false, "client", "shown")).toEqual({ payloadHex: "0011223344" });
  });

  it("shows the server's packets in every phase", () => {
    expect(recorded("authentication", false, "server")).toEqual({ payloadHex: "0011223344" });
  });
});

describe("an event listener that throws", () => {
  it("is stopped at the recorder and handed, with the event's type, to the handler; the record goes on", () => {
    const record = aRecord({
      packets: [],
      phase: "command",
      outcome: { kind: "authenticated", ended: null },
    });
    const failures: Array<[unknown, string]> = [];
    const throwing = sink({
      emit: () => {
        throw new Error("listener bug");
      },
    });
    const recorder = new ConnectionRecorder(record, throwing, Date.now(), (error, type) =>
      failures.push([error, type]),
    );
    expect(() => recorder.emit({ type: "command", command: "COM_PING" })).not.toThrow();
    expect(() => recorder.packet("client", 0, PAYLOAD, "COM_PING", false)).not.toThrow();
    expect(failures.map(([error, type]) => [(error as Error).message, type])).toEqual([
      ["listener bug", "command"],
      ["listener bug", "packet"],
    ]);
    expect(record.packets).toHaveLength(1);
  });
});
