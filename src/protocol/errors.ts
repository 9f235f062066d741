/** Base class of every error the wire-protocol layer throws on bytes a peer sent. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** A packet that cannot be decoded: too short, a string without its NUL, an invalid length prefix. */
export class MalformedPacketError extends ProtocolError {
  constructor(
    /** The packet type being decoded, as MySQL's documentation names it (e.g. `HandshakeResponse41`). */
    readonly packet: string,
    /** Byte offset in the payload (header excluded) where decoding failed. */
    readonly offset: number,
    /** What was expected there. */
    readonly detail: string,
  ) {
    super(`malformed ${packet} at byte ${offset}: ${detail}`);
    this.name = "MalformedPacketError";
  }
}

/** A frame header claimed a payload larger than the framer accepts (max_allowed_packet). */
export class PacketTooLargeError extends ProtocolError {
  constructor(
    /** Payload length claimed so far, continuation frames included. */
    readonly claimedLength: number,
    /** The largest payload accepted. */
    readonly maxLength: number,
  ) {
    super(`packet of ${claimedLength} bytes exceeds the maximum of ${maxLength}`);
    this.name = "PacketTooLargeError";
  }
}

/** A continuation frame arrived with a sequence id other than the previous frame's plus one. */
export class PacketSequenceError extends ProtocolError {
  constructor(
    readonly expected: number,
    readonly received: number,
  ) {
    super(`packets out of order: expected sequence id ${expected}, received ${received}`);
    this.name = "PacketSequenceError";
  }
}
