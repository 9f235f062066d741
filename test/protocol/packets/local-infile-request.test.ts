import { MalformedPacketError } from "../../../src/protocol/errors";
import {
  decodeLocalInfileRequest,
  encodeLocalInfileRequest,
} from "../../../src/protocol/packets/local-infile-request";
import { Bytes, hex } from "../../helpers/bytes";

describe("LocalInfileRequest", () => {
  it("encodes 0xfb and the file name to the end of the packet, without a NUL or a length", () => {
    const bytes = hex("fb 2f 65 74 63 2f 68 6f 73 74 6e 61 6d 65"); // 0xfb "/etc/hostname"
    expect(encodeLocalInfileRequest({ fileName: "/etc/hostname" })).toEqual(bytes);
    expect(decodeLocalInfileRequest(bytes)).toEqual({ fileName: "/etc/hostname" });
  });

  it("sends a name in UTF-8, as the client will open it", () => {
    const bytes = new Bytes().int1(0xfb).bytes(Buffer.from("/tmp/daten-ä.csv", "utf8")).build();
    expect(encodeLocalInfileRequest({ fileName: "/tmp/daten-ä.csv" })).toEqual(bytes);
    expect(decodeLocalInfileRequest(bytes).fileName).toBe("/tmp/daten-ä.csv");
  });

  it("refuses a packet without a file name, or with another marker", () => {
    expect(() => decodeLocalInfileRequest(hex("fb"))).toThrow(MalformedPacketError);
    expect(() => decodeLocalInfileRequest(hex("fe 2f 65"))).toThrow(MalformedPacketError);
  });
});
