import { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";

/**
 * A real ClientHello record, as node's TLS client sends it (TLSv1.2 at most, as to a 5.7 server):
 * what the client writes first, captured without any server.
 */
export async function captureClientHello(): Promise<Buffer> {
  let capture!: (chunk: Buffer) => void;
  const first = new Promise<Buffer>((resolve) => {
    capture = resolve;
  });
  const carrier = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      capture(Buffer.from(chunk));
      callback();
    },
  });
  const tls = tlsConnect({ socket: carrier, rejectUnauthorized: false, maxVersion: "TLSv1.2" });
  tls.on("error", () => {});
  const hello = await first;
  tls.destroy();
  carrier.destroy();
  if (hello[0] !== 0x16 || hello.length !== 5 + hello.readUInt16BE(3)) {
    throw new Error("the TLS client did not write one whole ClientHello record");
  }
  return hello;
}
