import {
  MalformedPacketError,
  PacketSequenceError,
  PacketTooLargeError,
  ProtocolError,
} from "../../src/protocol/errors";

describe("protocol errors", () => {
  it("describes a malformed packet by type, offset and what was expected", () => {
    const error = new MalformedPacketError("HandshakeResponse41", 37, "user name is not NUL-terminated");
    expect(error.message).toBe("malformed HandshakeResponse41 at byte 37: user name is not NUL-terminated");
    expect(error).toMatchObject({ name: "MalformedPacketError", packet: "HandshakeResponse41", offset: 37 });
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toBeInstanceOf(Error);
  });

  it("keeps the numbers of size and sequence errors", () => {
    const tooLarge = new PacketTooLargeError(20_000_000, 16_777_216);
    expect(tooLarge).toMatchObject({
      name: "PacketTooLargeError",
      claimedLength: 20_000_000,
      maxLength: 16_777_216,
    });
    expect(tooLarge).toBeInstanceOf(ProtocolError);
    const sequence = new PacketSequenceError(3, 7);
    expect(sequence).toMatchObject({ name: "PacketSequenceError", expected: 3, received: 7 });
    expect(sequence.message).toContain("expected sequence id 3, received 7");
    expect(sequence).toBeInstanceOf(PacketSequenceError);
  });
});
