import { CapabilityFlags, Command, ServerStatus } from "../../../protocol/constants";
import { ProtocolError } from "../../../protocol/errors";
import type { Packet } from "../../../protocol/framing";
import { decodeComQuery } from "../../../protocol/packets/command";
import { encodeLocalInfileRequest } from "../../../protocol/packets/local-infile-request";
import { encodeOk } from "../../../protocol/packets/ok-packet";
import type { SessionPorts } from "../ports";
import type { CommandPhase, SessionState } from "../state";
import { LOAD_INFO, queryAsksForFile } from "../../../sql/load-data-local";

/**
 * A rogue server's LOAD DATA LOCAL request (the `localInfileRequest` option): the first query
 * after login is answered with 0xFB and a file name, whatever the query said, and the client's
 * answer — the file's contents up to an empty packet, or the empty packet alone — is read,
 * recorded by length and digest, and answered with an OK.
 */

/** The packet types the record names a file's contents and their end by. */
const DATA_TYPE = "LocalInfileData";
const END_TYPE = "LocalInfileEnd";

/** The query of a COM_QUERY packet, or null for another command (or one that does not decode). */
function queryOf(s: SessionPorts, payload: Buffer): string | null {
  if (payload[0] !== Command.COM_QUERY) return null;
  try {
    return decodeComQuery(payload.subarray(1), {
      queryAttributes: (s.clientCapabilities & CapabilityFlags.CLIENT_QUERY_ATTRIBUTES) !== 0,
    });
  } catch (error) {
    // The command phase answers a query it cannot read as it always does.
    if (error instanceof ProtocolError) return null;
    throw error;
  }
}

/**
 * Answers `packet` with the LOAD DATA LOCAL request when it is the query the option names (the
 * first of the connection), and returns the state that awaits the file; null for any other packet.
 */
export function requestLocalFile(s: SessionPorts, state: CommandPhase, packet: Packet): SessionState | null {
  const request = s.options.localInfileRequest;
  if (request === null || s.record.localInfile !== null) return null;
  const sql = queryOf(s, packet.payload);
  if (sql === null) return null;
  s.wire.received(packet, "COM_QUERY");
  s.recorder.command("COM_QUERY", sql);
  s.sequence.next = 1;
  s.wire.send(encodeLocalInfileRequest({ fileName: request.path }), "LocalInfileRequest");
  s.recorder.localInfileRequested(request.path, queryAsksForFile(sql, request.path), s.wire.tls !== null);
  s.lifecycle.armIdleTimer();
  return { ...state, awaitingLocalFile: true };
}

/**
 * One packet of the client's answer: contents are counted and hashed, never shown; the empty
 * packet ends the transfer, and the OK sends the session back to its commands.
 */
export function onLocalFileData(s: SessionPorts, state: CommandPhase, packet: Packet): SessionState {
  if (packet.payload.length > 0) {
    s.wire.received(packet, DATA_TYPE, "withheld");
    s.recorder.localInfileData(packet.payload);
    return state;
  }
  s.wire.received(packet, END_TYPE, "withheld");
  s.recorder.localInfileEnded("complete");
  s.wire.send(
    encodeOk(
      {
        affectedRows: 0,
        lastInsertId: 0,
        statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT,
        warnings: 0,
        info: LOAD_INFO,
      },
      s.clientCapabilities,
    ),
    "OK",
  );
  s.lifecycle.armIdleTimer();
  s.wire.holdIfBacklogged();
  const { awaitingLocalFile: _done, ...commands } = state;
  return commands;
}
